"""Cards and thumbnails draw any text without raising and without a tofu box (issue 17 item 1)."""

from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from framecast.assets import FONT_BOLD
from framecast.media import glyphs, illustrations
from framecast.media.cards import fit_font
from framecast.providers.local.image import LocalImageGenerator
from framecast.publish import thumbnail

SCRIPTS = [
    "火山はどのように機能するか",
    "كيف تعمل البراكين",
    "איך עובדים הרי געש",
    "🌋🌋",
    "👩‍👩‍👧‍👦",
    "Café ℌ𝔢𝔩𝔩𝔬",
    "\u202eevil",
    "\x00\x1b[31m",
    "a" * 300,
    "꛸",
    ":",
    ";",
    "",
    " ",
]
texts = st.one_of(
    st.sampled_from(SCRIPTS),
    st.text(max_size=120),
    st.lists(st.sampled_from(SCRIPTS + [" ", ": ", "; ", "word"]), max_size=6).map("".join),
)
PICTURE = Image.new("RGB", (160, 90), (60, 80, 120))


def tofu(text: str, font: Path) -> list[str]:
    return glyphs.missing(text, font)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts)
@example("火山はどのように機能するか: 火山; bold")
@example("How the enormous and surprisingly complicated machinery of ocean currents quietly moves heat")
def test_a_card_draws_any_prompt_and_every_line_it_draws_has_its_glyphs(tmp_path, text):
    from PIL import ImageDraw

    draw = ImageDraw.Draw(Image.new("RGB", (320, 180)))
    for lines in (1, 2, 3):
        font, wrapped = fit_font(draw, text, FONT_BOLD, 250, 30, lines)
        assert len(wrapped) <= lines
        assert not [c for line in wrapped for c in tofu(line, Path(font.path))]
        assert all(draw.textlength(line, font=font) <= 250 for line in wrapped) or font.size == 8
    out = LocalImageGenerator().generate(text or "x", width=160, height=90, seed=1, out=tmp_path / "card.png")
    assert Image.open(out).size == (160, 90)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts)
def test_a_thumbnail_and_an_illustrated_card_draw_any_title(tmp_path, text):
    assert thumbnail.compose(text, PICTURE, (320, 180)).size == (320, 180)
    assert thumbnail.compose(text, PICTURE, (180, 320)).size == (180, 320)
    if illustrations.available("material"):
        out = LocalImageGenerator("material").generate(
            f"{text}: x", width=160, height=90, seed=2, out=tmp_path / "ill.png", narration=text
        )
        assert Image.open(out).size == (160, 90)


def test_a_japanese_title_is_drawn_as_letters_not_as_boxes():
    # Before: DejaVu has no kana or kanji, and Pillow drew one .notdef box per character.
    font, text = glyphs.for_picture("火山はどのように機能するか", bold=True)
    assert not tofu(text, font) and text
    if font == FONT_BOLD:  # no CJK font on this machine: transliterated, readable
        assert text == "HuoShanhadonoyouniJiNengsuruka"
    assert glyphs.for_picture("كيف تعمل البراكين", bold=True) == (FONT_BOLD, "كيف تعمل البراكين")  # DejaVu shapes it
    assert glyphs.for_picture("איך עובד", bold=True) == (FONT_BOLD, "איך עובד")
