"""Which font can draw a text, so that cards, thumbnails and burned captions never show tofu boxes.

The shipped DejaVu Sans draws Latin, Greek, Cyrillic, Armenian, Georgian, Hebrew and Arabic (shaped
and right-to-left through Pillow's raqm and libass). For anything else (CJK, most emoji) a font that
fontconfig knows on the machine is used when one covers the text (e.g. Debian's fonts-noto-cjk);
when none does, the characters no font can draw are transliterated (anyascii: 火山 → HuoShan,
🌋 → :volcano:) and a warning says so, rather than drawing boxes silently.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import unicodedata
from functools import lru_cache
from pathlib import Path

from anyascii import anyascii
from PIL import ImageFont

from framecast.assets import FONT_BOLD, FONT_REGULAR

log = logging.getLogger(__name__)

_PROBE = "\U0010fffd"  # a noncharacter: every font draws its .notdef box for it
# Drawn as nothing or as a stray box by a font without them: controls, bidi embeddings, overrides and
# isolates, invisible operators, variation selectors (the emoji one, U+FE0F, is a visible glyph in DejaVu).
# Text on a picture drops them; ZWNJ/ZWJ and LRM/RLM stay, shaping (Persian, Indic) and bidi need them.
_INVISIBLE = re.compile(
    "[\ud800-\udfff\x00-\x1f\x7f-\x9f\u2028-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff\U000e0000-\U000e01ef]"
)


def visible(text: str) -> str:
    """`text` without the controls and invisible format characters a picture cannot show."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFC", text))


@lru_cache(maxsize=16)
def _font(path: str) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, 24)


@lru_cache(maxsize=200_000)
def _draws(path: str, char: str) -> bool:
    if char.isspace():
        return True
    font = _font(path)
    mask, box = font.getmask(char), font.getmask(_PROBE)
    return (mask.size, bytes(mask)) != (box.size, bytes(box))


def missing(text: str, font: Path) -> list[str]:
    """The distinct characters of `text` that `font` would draw as its .notdef box, in order of appearance."""
    return list(dict.fromkeys(c for c in visible(text) if not _draws(str(font), c)))


@lru_cache(maxsize=1)
def _system_charsets() -> tuple[tuple[str, bool, tuple[tuple[int, int], ...]], ...]:
    """Every font fontconfig knows: (file, bold, covered code point ranges); read once per process."""
    if not shutil.which("fc-list"):
        return ()
    try:
        out = subprocess.run(
            ["fc-list", "--format", "%{file}\t%{weight}\t%{charset}\n"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    fonts = []
    for line in sorted(out.splitlines()):
        file, _, rest = line.partition("\t")
        weight, _, charset = rest.partition("\t")
        if not file.lower().endswith((".ttf", ".otf", ".ttc")):
            continue
        ranges = []
        for part in charset.split():
            low, _, high = part.partition("-")
            try:
                ranges.append((int(low, 16), int(high or low, 16)))
            except ValueError:
                continue
        bold = weight.strip().isdigit() and int(weight) >= 180  # fontconfig: 200 is bold
        fonts.append((file, bold, tuple(ranges)))
    return tuple(fonts)


def _covers(ranges: tuple[tuple[int, int], ...], char: str) -> bool:
    return any(low <= ord(char) <= high for low, high in ranges)


def _system_fonts(chars: str, bold: bool) -> list[str]:
    """Font files fontconfig says cover every one of `chars` (bold ones first when asked)."""
    found = [
        (not (is_bold == bold), file)
        for file, is_bold, ranges in _system_charsets()
        if all(_covers(ranges, c) for c in chars)
    ]
    return [file for _, file in sorted(found)]


_warned: set[str] = set()


def _warn_once(text: str, chars: list[str], shown: str) -> None:
    """One warning per process for each character no font draws (a run's cards and captions share them)."""
    new = [c for c in chars if c not in _warned]
    if not new:
        return
    _warned.update(new)
    log.warning(
        "text: no font on this machine draws %s (in %r); shown transliterated as %r. Install a font "
        "that covers them (e.g. Debian's fonts-noto-cjk for Chinese, Japanese and Korean) to show the "
        "script itself",
        " ".join(new[:12]) + (" …" if len(new) > 12 else ""),
        text[:80],
        shown[:80],
    )


def _ascii(run: str) -> str:
    # A script anyascii does not know becomes U+FFFD (drawn by DejaVu): visibly "not shown", never a box.
    return anyascii(run) or "\ufffd"


def _replace(text: str, chars: list[str]) -> str:
    """`text` with each run of `chars` replaced by its ASCII transliteration, and one warning about them."""
    parts = re.split(f"([{re.escape(''.join(sorted(chars)))}]+)", text)
    shown = re.sub(r"\s+", " ", "".join(_ascii(p) if i % 2 else p for i, p in enumerate(parts))).strip()
    _warn_once(text, chars, shown)
    return shown


def transliterated(text: str, font: Path) -> str:
    """`text` with each run of characters `font` cannot draw replaced by its ASCII transliteration."""
    text = visible(text)
    gone = missing(text, font)
    return _replace(text, gone) if gone else text


def for_picture(text: str, bold: bool = False) -> tuple[Path, str]:
    """The font to draw `text` with in Pillow (one font for the whole string) and the text to draw."""
    shipped = FONT_BOLD if bold else FONT_REGULAR
    text = visible(text)
    gone = missing(text, shipped)
    if not gone:
        return shipped, text
    for candidate in _system_fonts("".join(gone), bold):
        try:
            if not missing(text, Path(candidate)):
                return Path(candidate), text
        except OSError:  # a font file fontconfig lists but Pillow cannot open
            continue
    return shipped, transliterated(text, shipped)


def for_libass(text: str) -> str:
    """`text` as the burned captions can show it: libass falls back per glyph to any font fontconfig knows,
    so only characters no font covers at all are transliterated."""
    text = visible(text)
    gone = missing(text, FONT_BOLD)
    if not gone:
        return text
    unknown = [c for c in gone if not any(_covers(ranges, c) for _, _, ranges in _system_charsets())]
    return _replace(text, unknown) if unknown else text
