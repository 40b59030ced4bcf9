"""Offline illustrations: an icon chosen by the scene's words, drawn large, with the caption area left free."""

import pytest
from PIL import Image, ImageStat

from framecast.core.errors import ConfigError
from framecast.media import illustrations
from framecast.visuals.config import ImageConfig

pytestmark = pytest.mark.skipif(not illustrations.available(), reason="the illustrate extra is not installed")


@pytest.mark.parametrize(
    "prompt, narration, icon",
    [
        ("The big picture: how volcanoes work", "They form where molten rock rises.", "volcano"),  # plural folded
        ("A closer look: how bees make honey", "", "bee"),
        ("In a nutshell: how kites fly", "Wind pushes on it.", "kite"),
        ("Step by step: the heart", "Blood flows through the pump.", "heart"),  # what to show outweighs what is said
    ],
)
def test_an_icon_named_by_what_the_scene_shows_is_chosen_first(prompt, narration, icon):
    choice = illustrations.choose(prompt, narration)
    assert (choice.slug, choice.how) == (icon, "keyword") and icon in choice.matched
    assert choice.record()["licence"] == "Apache-2.0"
    assert illustrations.choose(prompt, narration) == choice  # deterministic


def test_a_heading_alone_never_picks_the_picture_and_a_regeneration_gets_the_next_best():
    # "Key ideas" is a section title: the key icon would say nothing about the topic.
    choice = illustrations.choose("Key ideas: how volcanoes erupt", "")
    assert choice.slug == "volcano"
    assert illustrations.choose("Key ideas: how volcanoes erupt", "", avoid=1).slug != "volcano"


def test_when_no_word_names_an_icon_the_nearest_name_by_similarity_is_chosen_and_scored():
    choice = illustrations.choose("Seasides: the sea against the sand", "")
    assert choice.how == "similarity" and not choice.matched and 0 < choice.score <= 1
    assert choice.slug in {"beach", "umbrella-beach", "waves", "water", "island", "shore"}, choice.slug


def test_an_unknown_or_missing_icon_set_is_a_config_error_naming_the_field_and_the_extra(monkeypatch):
    with pytest.raises(ConfigError, match=r"image.illustrations: unknown icon set 'openmoji'"):
        illustrations.require("openmoji")
    monkeypatch.setattr(illustrations, "available", lambda name="material": False)
    with pytest.raises(ConfigError, match=r"image.illustrations: material needs .*framecast\[illustrate\]"):
        ImageConfig(illustrations="material").icon_set()
    assert ImageConfig(illustrations="auto").icon_set() is None  # auto: title cards without the extra


def test_the_card_shows_the_illustration_large_and_leaves_the_caption_area_free(tmp_path):
    from framecast.providers.local.image import LocalImageGenerator

    prompt, narration = "The big picture: how volcanoes work", "Molten rock rises."
    card = Image.open(
        LocalImageGenerator("material").generate(
            prompt, width=640, height=360, seed=3, out=tmp_path / "a.png", narration=narration
        )
    ).convert("L")
    plain = Image.open(
        LocalImageGenerator(None).generate(prompt, width=640, height=360, seed=3, out=tmp_path / "b.png")
    ).convert("L")
    middle = card.crop((220, 90, 420, 250))
    white = sum(1 for p in middle.getdata() if p > 240) / (200 * 160)
    assert white > 0.2  # the white icon fills much of the centre
    bottom = card.crop((0, 270, 640, 360))
    assert max(bottom.getdata()) < 200  # nothing bright (icon, text) where burned-in captions go
    assert ImageStat.Stat(middle).mean != ImageStat.Stat(plain.crop((220, 90, 420, 250))).mean


def test_relevance_is_judged_by_similarity_not_by_a_shared_word():
    from framecast.quality import gate

    sim = gate.similarity_function()
    prompt, narration = "The big picture: how volcanoes work", "Molten rock erupts from the crater."
    seen_lava = [("lava", 0.0, 5.0)]
    assert not gate.label_checks(seen_lava, (prompt,), (0.0,), True)[0].passed  # no shared word
    assert gate.label_checks(seen_lava, (prompt,), (0.0,), True, (narration,), 0.3, sim)[0].passed
    seen_tray = [("tray", 0.0, 5.0)]
    failed = gate.label_checks(seen_tray, (prompt,), (0.0,), True, (narration,), 0.3, sim)[0]
    assert not failed.passed and failed.scene_index == 0 and "under 0.30" in failed.detail
