"""The offline word aligner: written words normalised to what is said, and found where they are spoken."""

import subprocess
from pathlib import Path

import pytest

from framecast.media import align

pytestmark = pytest.mark.skipif(not align.available(), reason="the align extra (pocketsphinx) is not installed")


@pytest.mark.parametrize(
    "written, spoken",
    [
        ("1,200", ["one", "thousand", "two", "hundred"]),
        ("1,200-degree", ["one", "thousand", "two", "hundred", "degree"]),
        ("3.5%", ["three", "point", "five", "percent"]),
        ("It's", ["it's"]),
        ("(well-known)", ["well", "known"]),
        ("—", []),
        ("2026.", ["two", "thousand", "twenty", "six"]),
    ],
)
def test_written_words_become_what_is_said(written, spoken):
    assert align.spoken_tokens(written) == spoken


def speak(words: list[str], gap: float, out: Path) -> list[float]:
    """Each word spoken alone by flite, joined with `gap` seconds of silence: where each one starts, known."""
    starts, parts, t = [], [], 0.0
    for i, word in enumerate(words):
        part = out.parent / f"w{i}.wav"
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                f"flite=text='{word}':voice=slt",
                "-ar",
                "16000",
                "-af",
                "silenceremove=start_periods=1:start_threshold=-45dB",
                str(part),
            ],
            check=True,
        )
        length = float(
            subprocess.run(
                ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(part)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        starts.append(t)
        parts.append(part)
        t += length + gap
    inputs = sum((["-i", str(p)] for p in parts), [])
    chain = "".join(f"[{i}:a]apad=pad_dur={gap}[p{i}];" for i in range(len(parts)))
    joined = "".join(f"[p{i}]" for i in range(len(parts)))
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            *inputs,
            "-filter_complex",
            f"{chain}{joined}concat=n={len(parts)}:v=0:a=1",
            str(out),
        ],
        check=True,
    )
    return starts


def test_each_word_is_found_where_it_is_spoken(tmp_path):
    words = ["Molten", "rock", "rises", "through", "1,200", "metres", "of", "Kilauea's", "crust."]
    starts = speak(words, gap=0.6, out=tmp_path / "speech.wav")
    spans = align.word_spans(tmp_path / "speech.wav", " ".join(words))
    assert len(spans) == len(words)
    # "Kilauea's" is not in the dictionary: aligned by phones guessed from its spelling, so "crust" is
    # still found where it is said, not over the name.
    for word, start, (found, end) in zip(words, starts, spans):
        assert end > found and abs(found - start) < 0.2, (word, start, found)
    # Even timing would be seconds off for these gaps: the aligner is not spreading words by length.
    assert all(a[1] <= b[0] + 1e-6 for a, b in zip(spans, spans[1:]))


def test_audio_that_is_not_the_text_is_refused_rather_than_timed_wrongly(tmp_path):
    tone = tmp_path / "tone.wav"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "2", str(tone)],
        check=True,
    )
    with pytest.raises(align.AlignmentFailed):
        align.word_spans(tone, "volcanoes erupt with molten rock and ash")
