"""The offline sound generator: a prompt chooses its recipe by its words, or gets no sound at all."""

import pytest

from framecast.media import illustrations
from framecast.providers.local.sound import LocalSoundGenerator, match


@pytest.mark.parametrize(
    "prompt, recipe",
    [
        ("lava bubbling, distant rumble", "rumble"),
        ("How volcanoes work; ambient background sound", "rumble"),
        ("gentle waves lapping a shore", "surf"),
        ("bees buzzing in a meadow", "forest"),
        ("how batteries store energy", "hum"),
    ],
)
def test_a_prompt_chooses_the_recipe_its_words_name(prompt, recipe):
    found = match(prompt, "ambience")
    assert found is not None and (found.recipe, found.how) == (recipe, "keyword") and found.matched


def test_transition_prompts_choose_only_transition_sounds():
    assert match("cinematic whoosh transition, airy swish", "transition").recipe == "whoosh"
    assert match("soft shimmering swell", "transition").recipe == "swell"
    assert match("cinematic whoosh transition", "ambience") is None  # no whoosh bed under a whole scene


@pytest.mark.skipif(not illustrations.available(), reason="needs the illustrate extra (WordLlama)")
def test_a_near_synonym_is_found_by_similarity_and_an_unrelated_prompt_by_nothing():
    rainbow = match("How rainbows form", "ambience")
    assert rainbow is not None and (rainbow.recipe, rainbow.how) == ("rain", "similarity") and rainbow.score >= 0.5
    assert match("tax law explained", "ambience") is None and match("ancient Rome", "ambience") is None


def test_no_matching_recipe_makes_no_file(tmp_path):
    gen = LocalSoundGenerator()
    assert gen.generate("tax law explained", seconds=3, out=tmp_path / "s") is None
    assert gen.describe("tax law explained", "ambience") is None and list(tmp_path.iterdir()) == []
    path = gen.generate("wind over a glacier", seconds=2.5, out=tmp_path / "s")
    assert path.suffix == ".flac" and path.stat().st_size > 1000
    assert gen.describe("wind over a glacier", "ambience")["recipe"] == "wind"
