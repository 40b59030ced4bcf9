"""Files shipped with framecast (fonts)."""

from pathlib import Path

FONTS_DIR = Path(__file__).parent / "fonts"
FONT_REGULAR = FONTS_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONTS_DIR / "DejaVuSans-Bold.ttf"
FONT_FAMILY = "DejaVu Sans"
