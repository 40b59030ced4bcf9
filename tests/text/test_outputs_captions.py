"""Caption sidecars and the burn-in script parse back to exactly the intended cues, whatever the narration
(issue 17, review L4): "-->" never makes a cue, VTT escapes & < >, SRT and ASS keep no override or tag."""

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from framecast.assets import FONT_BOLD
from framecast.core.models import WordTiming
from framecast.edit.captions import build_cues, to_ass, to_srt, to_vtt
from framecast.media import glyphs

# What may not survive into a caption line: controls, line/paragraph separators, bidi embeddings.
BREAKING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
HOSTILE = [
    "-->",
    "00:00:00.000 --> 09:59:59.000",
    "<c.evil>OWNED</c>",
    "&amp;",
    "&",
    "<",
    ">",
    "{\\an8}",
    "{\\pos(1,1)}",
    "\\N",
    "\\h",
    "<i>",
    "</b>",
    "WEBVTT",
    "NOTE",
    "1",
    "\u2028",
    "\u202e",
    "\x85",
    "\x1c",
    "\r",
    "\x00",
    "火山",
    "كيف",
    "עברית",
    "🌋",
    "e\u0301",
]
words_st = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(min_size=1, max_size=12)), min_size=1, max_size=30)
TIMING = r"(\d\d):(\d\d):(\d\d)[.,](\d\d\d) --> (\d\d):(\d\d):(\d\d)[.,](\d\d\d)"


def timed(words: list[str]) -> list[WordTiming]:
    tokens = " ".join(words).split()  # narration is timed word by word, split on whitespace
    return [WordTiming(word=w, start=i * 0.4, end=i * 0.4 + 0.3) for i, w in enumerate(tokens)]


def seconds(h, m, s, ms) -> float:
    return round(int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000, 3)


def intended(cues) -> list[tuple[float, float, list[str]]]:
    """The cues as a viewer should see them: each line's words, breaking characters read as spaces."""
    out = []
    for c in cues:
        lines = [" ".join(BREAKING.sub(" ", line).split()) for line in c.lines]
        if lines := [line for line in lines if line]:
            out.append((round(c.start, 3), round(c.end, 3), lines))
    return out


def parse_blocks(text: str, *, split) -> list[list[str]]:
    blocks, current = [], []
    for line in split(text):
        if line == "":
            if current:
                blocks.append(current)
            current = []
        else:
            current.append(line)
    assert not current, "a file must end with a blank line"
    return blocks


def parse_srt(text: str, split) -> list[tuple[float, float, list[str]]]:
    cues = []
    for n, block in enumerate(parse_blocks(text, split=split), 1):
        assert block[0] == str(n), block
        timing = re.fullmatch(TIMING, block[1])
        assert timing and len(block) >= 3, block
        for line in block[2:]:
            assert "-->" not in line and not re.search(r"[{}<>]", line), line
        g = timing.groups()
        cues.append((seconds(*g[:4]), seconds(*g[4:]), block[2:]))
    return cues


def parse_vtt(text: str, split) -> list[tuple[float, float, list[str]]]:
    assert text.startswith("WEBVTT\n\n")
    cues = []
    for block in parse_blocks(text[len("WEBVTT\n\n") :], split=split):
        timing = re.fullmatch(TIMING.replace("[.,]", r"\."), block[0])
        assert timing and len(block) >= 2, block
        lines = []
        for line in block[1:]:
            assert "-->" not in line and "<" not in line and ">" not in line, line
            assert re.fullmatch(r"(?:[^&]|&(?:amp|lt|gt);)*", line), line
            lines.append(line.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
        g = timing.groups()
        cues.append((seconds(*g[:4]), seconds(*g[4:]), lines))
    return cues


def vtt_split(text: str) -> list[str]:
    return re.split(r"\r\n|\r|\n", text)  # the WebVTT parser's line ends, exactly


def srt_neutral(line: str) -> str:
    return (
        line.replace("-->", "\u2192").replace("{", "(").replace("}", ")").replace("<", "\u2039").replace(">", "\u203a")
    )


@settings(max_examples=200, deadline=None)
@given(words_st, st.integers(12, 42), st.integers(1, 3))
@example(["Intro.", "00:00:00.000", "-->", "09:59:59.000", "<c.evil>OWNED</c>", "&amp;", "{\\an8}x"], 30, 2)
def test_srt_and_vtt_parse_back_to_exactly_the_intended_cues(words, width, lines):
    cues = build_cues(timed(words), max_chars_per_line=width, max_lines=lines)
    want = intended(cues)
    # Strict (the formats' own line ends) and lenient (every Unicode line break) parsers agree.
    for split in (vtt_split, str.splitlines):
        assert parse_vtt(to_vtt(cues), split) == want
        assert parse_srt(to_srt(cues), split) == [(a, b, [srt_neutral(x) for x in ls]) for a, b, ls in want]


@settings(max_examples=150, deadline=None)
@given(words_st, st.integers(12, 42), st.integers(1, 3))
def test_ass_events_carry_no_override_and_one_dialogue_per_cue(words, width, lines):
    cues = build_cues(timed(words), max_chars_per_line=width, max_lines=lines)
    script = to_ass(cues, width=320, height=180, font="DejaVu Sans", font_scale=0.08)
    for split in (vtt_split, str.splitlines):
        events = [line for line in split(script) if line.startswith("Dialogue:")]
        texts = [line.split(",", 9)[9] for line in events]
        assert len(events) == len(intended(cues))
        for text, (_, _, want) in zip(texts, intended(cues)):
            assert "{" not in text and "}" not in text
            # What the font draws stays as it was; only what no font here draws is transliterated.
            shown = [glyphs.for_libass(x) for x in want]
            assert all(x == glyphs.visible(y) for x, y in zip(shown, want) if not glyphs.missing(y, FONT_BOLD))
            assert text.split("\\N") == [x.replace("\\", "\u2216").replace("{", "(").replace("}", ")") for x in shown]
            assert "\\" not in text.replace("\\N", "")
            assert not [c for c in glyphs.missing(text, FONT_BOLD) if not glyphs._system_fonts(c, True)]  # no tofu


def test_a_cue_marker_in_narration_stays_text_in_every_format():
    cues = build_cues(
        timed(["Intro.", "00:00:00.000", "-->", "09:59:59.000", "<c.evil>OWNED</c>", "&amp;"]),
        max_chars_per_line=30,
        max_lines=2,
    )
    vtt, srt = to_vtt(cues), to_srt(cues)
    assert vtt.count("-->") == srt.count("-->") == len(cues)
    assert "&lt;c.evil&gt;OWNED&lt;/c&gt;" in vtt and "&amp;amp;" in vtt and "--&gt;" in vtt
    assert "\u2039c.evil\u203aOWNED\u2039/c\u203a" in srt
