"""The thumbnail: the platform's size, under 2 MB, the strongest scene's picture and the title in large type."""

from pathlib import Path

import pytest
from PIL import Image

from framecast.publish import thumbnail


def still(path: Path, colours: bool) -> Image.Image:
    """A flat grey card, or a busy colourful one."""
    im = Image.new("RGB", (640, 360), (90, 90, 90))
    if colours:
        for i in range(0, 640, 40):
            im.paste((255, 40 * (i // 40) % 255, 0) if i % 80 else (0, 60, 255), (i, 0, i + 20, 360))
    im.save(path)
    return im


def test_the_strongest_picture_is_chosen_not_the_first(tmp_path):
    flat, busy = still(tmp_path / "a.png", False), still(tmp_path / "b.png", True)
    assert thumbnail.strongest([(flat, None), (busy, None)]) == 1  # no illustrations: contrast and colour
    guessed = {"how": "similarity", "score": 0.9, "set": "material", "icon": "tray"}
    named = {"how": "keyword", "score": 2.0, "set": "material", "icon": "volcano"}
    assert thumbnail.strongest([(busy, guessed), (flat, named)]) == 1  # a named illustration beats a guessed one
    assert thumbnail.strongest([(flat, named), (flat, dict(named, score=4.0))]) == 1


@pytest.mark.parametrize("video, size", [((1920, 1080), (1280, 720)), ((1080, 1920), (1080, 1920))])
def test_the_thumbnail_has_the_platforms_size_stays_under_2_mb_and_carries_the_title(tmp_path, video, size):
    busy = still(tmp_path / "b.png", True)
    out = thumbnail.save(thumbnail.compose("How volcanoes work", busy, thumbnail.size_for(*video)), tmp_path / "t.jpg")
    with Image.open(out) as im:
        assert im.size == size and im.format == "JPEG"
    assert out.stat().st_size < thumbnail.MAX_BYTES
    # The title is drawn in white with a black outline: many pure-white pixels that the picture never had.
    with Image.open(out) as im:
        whites = sum(1 for p in im.convert("L").getdata() if p > 245)
    assert whites > 0.01 * size[0] * size[1]
