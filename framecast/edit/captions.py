"""Captions from word timing: cue grouping, and SRT / WebVTT / ASS (for libass burn-in) files."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from framecast.core.models import WordTiming
from framecast.media import glyphs

MAX_CUE_SECONDS = 4.5
MIN_CUE_SECONDS = 0.8
HOLD_SECONDS = 0.5  # keep a cue up a little after its last word, if the next cue allows


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    lines: tuple[str, ...]


def build_cues(words: list[WordTiming], *, max_chars_per_line: int, max_lines: int) -> list[Cue]:
    """Group absolute-timed words into readable cues: bounded length, split at sentence ends."""
    limit = max_chars_per_line * max_lines

    def fits(text: str) -> bool:
        return len(textwrap.wrap(text, width=max_chars_per_line, break_long_words=False)) <= max_lines

    groups: list[list[WordTiming]] = []
    current: list[WordTiming] = []
    for word in words:
        text = " ".join(w.word for w in [*current, word])
        if current and (not fits(text) or word.end - current[0].start > MAX_CUE_SECONDS):
            groups.append(current)
            current = []
        current.append(word)
        if word.word[-1:] in ".!?" and len(" ".join(w.word for w in current)) > limit / 3:
            groups.append(current)
            current = []
    if current:
        groups.append(current)

    cues: list[Cue] = []
    for i, group in enumerate(groups):
        start = group[0].start
        next_start = groups[i + 1][0].start if i + 1 < len(groups) else float("inf")
        end = max(group[-1].end + HOLD_SECONDS, start + MIN_CUE_SECONDS)
        end = min(end, next_start - 0.04) if next_start > start + 0.1 else end
        text = " ".join(w.word for w in group)
        lines = textwrap.wrap(text, width=max_chars_per_line, break_long_words=False) or [text]
        if len(lines) > max_lines:  # a single over-long word: keep it readable rather than drop it
            lines = [" ".join(lines[: len(lines) - max_lines + 1]), *lines[len(lines) - max_lines + 1 :]]
        cues.append(Cue(start=round(start, 3), end=round(end, 3), lines=tuple(lines)))
    return cues


def _clock(seconds: float, sep: str) -> str:
    ms = int(round(seconds * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


# Controls, line and paragraph separators end a line for some parser (a blank one ends a cue); bidi
# embeddings and overrides reorder what follows them. None of them belongs in a caption.
_BREAKING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _visible(cues: list[Cue]) -> list[tuple[Cue, list[str]]]:
    """Each cue with its lines as plain one-line text; cues left with nothing to show are dropped."""
    kept = []
    for cue in cues:
        lines = [" ".join(_BREAKING.sub(" ", line).split()) for line in cue.lines]
        if lines := [line for line in lines if line]:
            kept.append((cue, lines))
    return kept


def _srt_line(line: str) -> str:
    # SubRip has no escapes: "-->" would read as a timing line, {\an8} as a position tag and <i>/<font>
    # as markup in most players, so they become look-alikes that mean nothing.
    return (
        line.replace("-->", "\u2192").replace("{", "(").replace("}", ")").replace("<", "\u2039").replace(">", "\u203a")
    )


def _vtt_line(line: str) -> str:
    # WebVTT has entities: escaped, "-->" cannot end the cue and no tag or class can open.
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_srt(cues: list[Cue]) -> str:
    """SubRip text for the cues (text neutralised: no timing line, tag or override can form)."""
    return "".join(
        f"{n}\n{_clock(c.start, ',')} --> {_clock(c.end, ',')}\n" + "\n".join(map(_srt_line, lines)) + "\n\n"
        for n, (c, lines) in enumerate(_visible(cues), 1)
    )


def to_vtt(cues: list[Cue]) -> str:
    """WebVTT text for the cues (text escaped: & < > as entities)."""
    body = "".join(
        f"{_clock(c.start, '.')} --> {_clock(c.end, '.')}\n" + "\n".join(map(_vtt_line, lines)) + "\n\n"
        for c, lines in _visible(cues)
    )
    return "WEBVTT\n\n" + body


def _ass_time(seconds: float) -> str:
    cs = int(round(seconds * 100))
    h, cs = divmod(cs, 360_000)
    m, cs = divmod(cs, 6000)
    s, cs = divmod(cs, 100)
    return f"{h:d}:{m:02d}:{s:02d}.{cs:02d}"


def _ass_escape(line: str) -> str:
    # Braces open override blocks and a backslash starts a tag in ASS: neutralise both (∖ is in DejaVu, the
    # ⧵ used before was not and burned in as a box). Characters no font
    # on the machine draws would burn in as boxes: transliterated instead (framecast.media.glyphs).
    line = glyphs.for_libass(line)
    return line.replace("\\", "\u2216").replace("{", "(").replace("}", ")")


def to_ass(cues: list[Cue], *, width: int, height: int, font: str, font_scale: float) -> str:
    """An ASS script styled for legibility: bold white text, dark outline and shadow, bottom centre."""
    size = max(int(height * font_scale), 10)
    # WrapStyle 0: lines are broken by the cues already; libass breaks one further only when it would leave
    # the frame (a transliterated line is longer than the text it was wrapped as).
    outline = max(size * 0.09, 1.5)
    margin_v = int(height * 0.06)
    margin_h = int(width * 0.06)
    header = (
        "[Script Info]\nScriptType: v4.00+\nWrapStyle: 0\nScaledBorderAndShadow: yes\n"
        f"PlayResX: {width}\nPlayResY: {height}\nYCbCr Matrix: TV.709\n\n"
        "[V4+ Styles]\n"
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, "
        "Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, "
        "Alignment, MarginL, MarginR, MarginV, Encoding\n"
        f"Style: Caption,{font},{size},&H00FFFFFF,&H00FFFFFF,&H00101010,&H80000000,-1,0,0,0,100,100,0,0,1,"
        f"{outline:.1f},{outline * 0.6:.1f},2,{margin_h},{margin_h},{margin_v},1\n\n"
        "[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
    )
    events = "".join(
        f"Dialogue: 0,{_ass_time(c.start)},{_ass_time(c.end)},Caption,,0,0,0,,"
        + "\\N".join(_ass_escape(line) for line in lines)
        + "\n"
        for c, lines in _visible(cues)
    )
    return header + events
