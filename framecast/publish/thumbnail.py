"""A thumbnail made to be clicked: the strongest scene's picture, the title in large type.

YouTube shows 1280×720 (16:9) and, for vertical channels, 1080×1920. YouTube's `thumbnails.set` takes up to
50 MB since 2026-09-14 (it was 2 MB; YouTube Data API revision history); framecast keeps its files under
2 MB as its own limit: a 1280×720 JPEG fits at high quality, uploads in one short request, and stays
within the old limit that other platforms and older API copies still state.

The picture is the scene whose illustration the scene's words chose most surely (a keyword match over
a similarity guess, then the higher score); without illustrations (a cloud image provider), the still
with the most contrast and colour, never simply the first. The title is set bold and large (up to three
lines) on a dark band with an outline, readable at phone size.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageOps, ImageStat

from framecast.assets import FONT_BOLD
from framecast.media.cards import fit_font

MAX_BYTES = 2 * 1024 * 1024  # framecast's own limit; YouTube's is 50 MB since 2026-09-14 (see the docstring)


def size_for(width: int, height: int) -> tuple[int, int]:
    """The platform's thumbnail size for a video of this shape."""
    return (1080, 1920) if height > width else (1280, 720)


def strength(image: Image.Image, illustration: dict | None) -> tuple[int, float]:
    """How well a scene's picture carries the video: (sureness of its illustration, contrast × colour)."""
    if illustration:
        return (2 if illustration.get("how") == "keyword" else 1), float(illustration.get("score") or 0)
    small = image.convert("RGB").resize((160, 90))
    contrast = ImageStat.Stat(small.convert("L")).stddev[0]
    colour = ImageStat.Stat(small.convert("HSV")).mean[1]
    return 0, contrast * (1 + colour / 255)


def strongest(pictures: list[tuple[Image.Image, dict | None]]) -> int:
    """The index of the picture to put on the thumbnail (the earlier one on a tie)."""
    scores = [strength(im, ill) for im, ill in pictures]
    return max(range(len(scores)), key=lambda i: (scores[i], -i))


def compose(title: str, picture: Image.Image, size: tuple[int, int], icon_svg: str | None = None) -> Image.Image:
    """The thumbnail. With an illustration: the scene's colours blurred behind, the icon large on one side and
    the title large beside it (above it when vertical). Without: the picture filling the frame, the title on a
    dark band at its foot."""
    width, height = size
    vertical = height > width
    image = ImageOps.fit(picture.convert("RGB"), size, Image.LANCZOS).convert("RGBA")
    if icon_svg:
        from framecast.media.illustrations import rasterise

        image = image.filter(ImageFilter.GaussianBlur(max(width // 40, 2)))
        image = Image.alpha_composite(image, Image.new("RGBA", size, (0, 0, 0, 90)))
        side = int(min(height * 0.7, width * 0.34)) if not vertical else int(width * 0.8)
        icon = Image.open(io.BytesIO(rasterise(icon_svg, side, (255, 255, 255)))).convert("RGBA")
        at = (
            (int(width * 0.97 - side), (height - side) // 2)
            if not vertical
            else ((width - side) // 2, int(height * 0.5))
        )
        image.alpha_composite(icon, at)
        box = (
            (int(width * 0.05), int(width * 0.97 - side - width * 0.04))
            if not vertical
            else (int(width * 0.06), int(width * 0.94))
        )
        top, bottom = (height * 0.08, height * 0.92) if not vertical else (height * 0.1, height * 0.47)
    else:
        band_top = int(height * (0.55 if vertical else 0.45))
        # A dark band rising from the bottom: transparent at its top edge, 85 % black at the frame's foot.
        ramp = Image.linear_gradient("L").resize((width, height - band_top)).point(lambda a: int(a * 0.85))
        band = Image.new("RGBA", (width, height - band_top), (0, 0, 0, 255))
        band.putalpha(ramp)
        image.alpha_composite(band, (0, band_top))
        box, top, bottom = (int(width * 0.05), int(width * 0.95)), band_top, height * 0.95
    draw = ImageDraw.Draw(image)
    font, lines = fit_font(draw, title, FONT_BOLD, box[1] - box[0], int(height * (0.075 if vertical else 0.15)), 3)
    line_h = font.size * 1.12
    y = (top + bottom) / 2 - line_h * len(lines) / 2
    x, anchor = (box[0], "la") if icon_svg and not vertical else ((box[0] + box[1]) / 2, "ma")
    stroke = max(font.size // 14, 2)
    for line in lines:
        draw.text(
            (x, y), line, font=font, fill=(255, 255, 255), anchor=anchor, stroke_width=stroke, stroke_fill=(0, 0, 0)
        )
        y += line_h
    return image.convert("RGB")


def save(image: Image.Image, out: Path) -> Path:
    """JPEG under framecast's 2 MB (YouTube takes 50 MB), at the best quality that fits."""
    for quality in (92, 85, 75, 65, 50):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
        if buffer.tell() < MAX_BYTES:
            break
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(buffer.getvalue())
    return out


def make(title: str, images: list, width: int, height: int, store, out: Path) -> tuple[Path, int]:
    """The video's thumbnail from its scene stills (ImageAssets in `store`): the file and the scene it shows."""
    from framecast.media import illustrations

    pictures = [(Image.open(store.local_path(im.ref)), im.illustration) for im in images]
    try:
        index = strongest(pictures)
        picture, chosen = pictures[index]
        icon = None
        if chosen and chosen.get("set") in illustrations.SETS and illustrations.available(chosen["set"]):
            icon = next((i.svg for i in illustrations.catalogue(chosen["set"]) if i.slug == chosen.get("icon")), None)
        return save(compose(title, picture, size_for(width, height), icon), out), index
    finally:
        for im, _ in pictures:
            im.close()
