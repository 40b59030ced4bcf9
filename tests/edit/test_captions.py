from framecast.core.models import WordTiming
from framecast.edit.captions import build_cues, to_ass, to_srt, to_vtt


def words(text, start=0.0, step=0.4):
    return [WordTiming(word=w, start=start + i * step, end=start + i * step + 0.3) for i, w in enumerate(text.split())]


TEXT = (
    "Volcanoes form where molten rock rises through the crust. Pressure builds over centuries "
    "until the rock above gives way and lava pours out across the land."
)


def test_cues_respect_line_length_line_count_and_duration():
    cues = build_cues(words(TEXT), max_chars_per_line=24, max_lines=2)
    assert len(cues) > 2
    for cue in cues:
        assert 1 <= len(cue.lines) <= 2
        assert all(len(line) <= 24 for line in cue.lines)
        assert cue.end - cue.start <= 4.5 + 0.5
    assert " ".join(" ".join(c.lines) for c in cues) == TEXT  # no word lost or duplicated


def test_cues_never_overlap_and_keep_word_order_in_time():
    cues = build_cues(words(TEXT), max_chars_per_line=30, max_lines=2)
    for a, b in zip(cues, cues[1:]):
        assert a.end <= b.start


def test_sentence_end_closes_a_cue():
    cues = build_cues(words(TEXT), max_chars_per_line=40, max_lines=2)
    assert any(c.lines[-1].endswith("crust.") for c in cues)


def test_srt_and_vtt_formats():
    cues = build_cues(words("Hello world. This is framecast."), max_chars_per_line=40, max_lines=2)
    srt, vtt = to_srt(cues), to_vtt(cues)
    assert srt.startswith("1\n00:00:00,000 --> 00:00:")
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> ")
    assert "Hello world." in srt and "Hello world." in vtt


def test_ass_is_sized_for_the_frame_and_escapes_override_braces():
    cues = build_cues(words("Set {x} to \\N now."), max_chars_per_line=40, max_lines=2)
    ass = to_ass(cues, width=1080, height=1920, font="DejaVu Sans", font_scale=0.05)
    assert "PlayResX: 1080\nPlayResY: 1920" in ass
    assert "Style: Caption,DejaVu Sans,96," in ass
    dialogue = [line for line in ass.splitlines() if line.startswith("Dialogue:")][0]
    assert "{" not in dialogue and "\\N now" not in dialogue
