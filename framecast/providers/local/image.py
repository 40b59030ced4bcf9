"""Offline image generator: deterministic illustrated cards drawn with Pillow.

With an icon set (`image.illustrations`, framecast/media/illustrations.py) each card shows the
illustration the scene's words choose, large, under the heading; without one, a title card with an
abstract motif. Nothing is drawn in the bottom quarter, where burned-in captions go.
"""

from __future__ import annotations

import hashlib
import io
import math
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageOps

from framecast.assets import FONT_BOLD, FONT_REGULAR
from framecast.media.cards import fit_font

# Background gradient pairs and an accent each: dark enough for white text, varied in hue.
PALETTES = [
    ((18, 32, 71), (88, 41, 122), (255, 170, 76)),
    ((12, 58, 64), (20, 110, 110), (255, 214, 102)),
    ((60, 16, 36), (160, 52, 60), (255, 196, 140)),
    ((20, 24, 38), (46, 74, 130), (120, 220, 255)),
    ((34, 48, 20), (78, 120, 52), (245, 230, 140)),
    ((48, 22, 70), (180, 70, 110), (255, 236, 180)),
    ((10, 40, 80), (0, 130, 160), (255, 140, 110)),
    ((70, 36, 10), (190, 100, 40), (255, 240, 200)),
]


def _rng(prompt: str, seed: int) -> random.Random:
    return random.Random(int(hashlib.sha256(f"{seed}:{prompt}".encode()).hexdigest(), 16))


def _motif(layer: Image.Image, rng: random.Random, accent: tuple[int, int, int]) -> None:
    w, h = layer.size
    draw = ImageDraw.Draw(layer)
    kind = rng.choice(["orbs", "waves", "ridges", "grid"])
    if kind == "orbs":
        for _ in range(7):
            r = rng.uniform(0.08, 0.35) * h
            cx, cy = rng.uniform(0, w), rng.uniform(0, h)
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(*accent, rng.randint(25, 70)))
    elif kind == "waves":
        for k in range(6):
            base = h * (0.55 + k * 0.08)
            amp, phase = h * rng.uniform(0.02, 0.06), rng.uniform(0, 6.28)
            pts = [
                (x, base + amp * math.sin(x / w * 6.28 * rng.uniform(0.8, 1.6) + phase))
                for x in range(0, w + 20, max(w // 60, 4))
            ]
            draw.polygon([*pts, (w, h), (0, h)], fill=(*accent, 28 + k * 6))
    elif kind == "ridges":
        for k in range(4):
            pts, x = [(0, h)], 0.0
            while x < w:
                pts.append((x, h * rng.uniform(0.45 + k * 0.1, 0.65 + k * 0.1)))
                x += w * rng.uniform(0.08, 0.2)
            pts += [(w, h * 0.7), (w, h)]
            draw.polygon(pts, fill=(*accent, 30 + k * 15))
    else:
        step = max(int(h * rng.uniform(0.06, 0.1)), 6)
        for gx in range(step // 2, w, step):
            for gy in range(step // 2, h, step):
                r = step * rng.uniform(0.05, 0.18)
                draw.ellipse((gx - r, gy - r, gx + r, gy + r), fill=(*accent, rng.randint(40, 110)))


class LocalImageGenerator:
    """A card per prompt: gradient, motif, the prompt's heading ("Heading: detail") and, with an icon set,
    the scene's illustration."""

    name = "local"

    def __init__(self, illustrations: str | None = None):
        self.illustrations = illustrations  # an icon set name, or None for title cards
        self.illustrates = illustrations is not None

    def choose(self, prompt: str, narration: str, seed: int):
        """The illustration this card will show (None without an icon set)."""
        if not self.illustrations:
            return None
        from framecast.media import illustrations

        return illustrations.choose(prompt, narration, self.illustrations, variety=seed)

    def generate(self, prompt: str, *, width: int, height: int, seed: int, out: Path, narration: str = "") -> Path:
        choice = self.choose(prompt, narration, seed)
        if choice is not None:
            return self._illustrated(prompt, choice, width=width, height=height, seed=seed, out=out)
        rng = _rng(prompt, seed)
        top, bottom, accent = rng.choice(PALETTES)
        # Rotate a larger gradient and keep its centre, so no corner is left unfilled.
        gradient = Image.linear_gradient("L").resize((512, 512)).rotate(rng.choice([0, 20, -20, 35]))
        gradient = gradient.crop((128, 128, 384, 384)).resize((width, height))
        image = ImageOps.colorize(gradient, top, bottom).convert("RGBA")
        motif = Image.new("RGBA", (width, height), (0, 0, 0, 0))
        _motif(motif, rng, accent)
        image = Image.alpha_composite(image, motif.filter(ImageFilter.GaussianBlur(max(height // 300, 1))))

        heading, _, detail = prompt.partition(":")
        heading, detail = heading.strip(), detail.partition(";")[0].strip()
        draw = ImageDraw.Draw(image)
        # Text stays in the upper 70%: the bottom is where burned-in captions go.
        max_w = int(width * 0.8)
        head_font, head_lines = fit_font(draw, heading, FONT_BOLD, max_w, int(height * 0.09), 2)
        sub_font, sub_lines = fit_font(draw, detail, FONT_REGULAR, max_w, int(height * 0.04), 2)
        line_h = head_font.size * 1.2
        sub_h = sub_font.size * 1.3
        block_h = line_h * len(head_lines) + (sub_h * len(sub_lines) + height * 0.03 if sub_lines else 0)
        y = height * 0.38 - block_h / 2
        pad = height * 0.04
        panel = Image.new("RGBA", (width, height), (0, 0, 0, 0))
        ImageDraw.Draw(panel).rounded_rectangle(
            (width * 0.08, y - pad, width * 0.92, y + block_h + pad), radius=int(height * 0.03), fill=(0, 0, 0, 110)
        )
        image = Image.alpha_composite(image, panel)
        draw = ImageDraw.Draw(image)
        for line in head_lines:
            draw.text((width / 2, y), line, font=head_font, fill=(255, 255, 255), anchor="ma")
            y += line_h
        if sub_lines:
            y += height * 0.03
            draw.line(
                (width * 0.4, y - height * 0.015, width * 0.6, y - height * 0.015),
                fill=accent,
                width=max(height // 200, 2),
            )
            for line in sub_lines:
                draw.text((width / 2, y), line, font=sub_font, fill=(*accent, 255), anchor="ma")
                y += sub_h
        out.parent.mkdir(parents=True, exist_ok=True)
        image.convert("RGB").save(out, format="PNG", optimize=False)
        return out

    def _illustrated(self, prompt: str, choice, *, width: int, height: int, seed: int, out: Path) -> Path:
        from framecast.media import illustrations

        rng = _rng(prompt, seed)
        top, bottom, accent = rng.choice(PALETTES)
        gradient = Image.linear_gradient("L").resize((512, 512)).rotate(rng.choice([0, 20, -20, 35]))
        gradient = gradient.crop((128, 128, 384, 384)).resize((width, height))
        image = ImageOps.colorize(gradient, top, bottom).convert("RGBA")
        heading = prompt.partition(":")[0].partition(";")[0].strip() if ":" in prompt else ""
        draw = ImageDraw.Draw(image)
        head_font, head_lines = (
            fit_font(draw, heading, FONT_BOLD, int(width * 0.84), int(height * 0.075), 1) if heading else (None, [])
        )
        # Layout: the heading in the top band, the illustration large below it, the bottom quarter left free.
        band = height * 0.17 if head_lines else height * 0.05
        size = int(min(height * 0.75 - band - height * 0.04, width * 0.6))
        cx, cy = width / 2, band + height * 0.02 + size / 2
        halo = Image.new("RGBA", (width, height), (0, 0, 0, 0))
        r = size * 0.62
        ImageDraw.Draw(halo).ellipse((cx - r, cy - r, cx + r, cy + r), fill=(*accent, 70))
        image = Image.alpha_composite(image, halo.filter(ImageFilter.GaussianBlur(max(size // 12, 1))))
        icon = Image.open(io.BytesIO(illustrations.rasterise(choice.svg, size, (255, 255, 255)))).convert("RGBA")
        shadow = Image.new("RGBA", icon.size, (0, 0, 0, 0))
        shadow.putalpha(icon.getchannel("A").point(lambda a: a // 3))
        offset = max(size // 60, 2)
        image.alpha_composite(
            shadow.filter(ImageFilter.GaussianBlur(offset)), (int(cx - size / 2 + offset), int(cy - size / 2 + offset))
        )
        image.alpha_composite(icon, (int(cx - size / 2), int(cy - size / 2)))
        if head_lines:
            draw = ImageDraw.Draw(image)
            draw.text((width / 2, band * 0.55), head_lines[0], font=head_font, fill=(255, 255, 255), anchor="mm")
            draw.line((width * 0.42, band * 0.92, width * 0.58, band * 0.92), fill=accent, width=max(height // 200, 2))
        out.parent.mkdir(parents=True, exist_ok=True)
        image.convert("RGB").save(out, format="PNG", optimize=False)
        return out
