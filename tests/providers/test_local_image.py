from PIL import Image, ImageChops

from framecast.providers.local.image import LocalImageGenerator


def render(tmp_path, prompt, seed, name, size=(320, 180)):
    return Image.open(
        LocalImageGenerator().generate(prompt, width=size[0], height=size[1], seed=seed, out=tmp_path / name)
    )


def test_same_prompt_and_seed_render_identically_at_the_requested_size(tmp_path):
    a = render(tmp_path, "The big picture: volcanoes", 1, "a.png")
    b = render(tmp_path, "The big picture: volcanoes", 1, "b.png")
    assert a.size == (320, 180)
    assert ImageChops.difference(a.convert("RGB"), b.convert("RGB")).getbbox() is None


def test_different_prompts_render_differently(tmp_path):
    a = render(tmp_path, "The big picture: volcanoes", 1, "a.png")
    b = render(tmp_path, "Step by step: volcanoes", 1, "b.png")
    assert ImageChops.difference(a.convert("RGB"), b.convert("RGB")).getbbox() is not None


def test_heading_is_drawn_in_the_upper_part_and_keeps_the_caption_area_clear_of_text(tmp_path):
    img = render(tmp_path, "A very legible heading: detail", 5, "a.png", size=(640, 360)).convert("L")
    upper = img.crop((0, 60, 640, 200))
    # White heading text: many near-white pixels where the heading is drawn.
    assert sum(upper.histogram()[241:]) > 300


def test_portrait_size(tmp_path):
    assert render(tmp_path, "Tall: card", 2, "p.png", size=(180, 320)).size == (180, 320)
