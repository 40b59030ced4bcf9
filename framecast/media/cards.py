"""Text on a picture: wrapped to a width and fitted to a size, in a font that draws every character.

Shared by the local image vendor's cards, the thumbnail and the sandbox's fake images.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from PIL import ImageDraw, ImageFont

from framecast.assets import FONT_BOLD
from framecast.media import glyphs


def wrap(draw: ImageDraw.ImageDraw, text: str, font, max_width: int) -> list[str]:
    """Lines of ≤ max_width px, broken at spaces, inside a word only when it is wider than a line."""
    # The text's own average advance, not a Latin sample's: CJK, capitals or Arabic are wider, and a
    # width guessed from "abcdefghij" left every line of a long unspaced title too wide at every size.
    avg = max(draw.textlength(text, font=font) / max(len(text), 1), 1)
    width = max(int(max_width / avg), 1)
    while True:
        wrapped = textwrap.wrap(text, width=width)
        if width == 1 or all(draw.textlength(w, font=font) <= max_width for w in wrapped):
            return wrapped
        width -= 1


def fit_font(draw: ImageDraw.ImageDraw, text: str, font_path: Path, max_width: int, size: int, lines: int):
    """Largest font ≤ size at which `text` wraps into at most `lines` lines of ≤ max_width px.

    The font is `font_path` when it draws every character, else one that does (framecast.media.glyphs): no
    tofu boxes; what no font here can draw comes out transliterated."""
    font_path, text = glyphs.for_picture(text, bold=font_path == FONT_BOLD)
    while size > 8:
        font = ImageFont.truetype(str(font_path), size)
        if len(wrapped := wrap(draw, text, font, max_width)) <= lines:
            return font, wrapped
        size = int(size * 0.9)
    font = ImageFont.truetype(str(font_path), 8)
    wrapped = wrap(draw, text, font, max_width)
    if len(wrapped) > lines:  # even the smallest size does not hold it all: say it was cut
        wrapped = wrapped[: lines - 1] + [wrapped[lines - 1][:-1].rstrip() + "\u2026"]
    return font, wrapped
