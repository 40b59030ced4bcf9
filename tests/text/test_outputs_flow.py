"""A Japanese topic on the smoke channel, through the real flow: published, with a readable slug, the script kept
in the sidecar captions and no tofu burned in (issue 17: it used to fail its own gate with frozen-video)."""

import re
from pathlib import Path

import pytest

from flows.produce_video import produce_video
from framecast.assets import FONT_BOLD
from framecast.media import glyphs
from framecast.settings import reset_settings

pytestmark = pytest.mark.usefixtures("prefect_server")
TOPIC = "火山はどのように機能するか"


def test_a_japanese_topic_on_the_smoke_channel_is_published(tmp_path, monkeypatch):
    monkeypatch.setenv("FRAMECAST_DATA_DIR", str(tmp_path / "out"))
    reset_settings()
    try:
        publication = produce_video(channel="smoke", topic=TOPIC)
    finally:
        reset_settings()
    assert publication.published and publication.quality.passed
    folder = Path(publication.location.removeprefix("file://"))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d-huoshanhadonoyounijinengsuruka-[0-9a-f]{8}", folder.name)
    assert TOPIC in (folder / "captions.srt").read_text(encoding="utf-8")  # players have the fonts: kept as written
    assert TOPIC in (folder / "captions_vtt.vtt").read_text(encoding="utf-8")
    burned = [Path(p) for p in (tmp_path / "out").rglob("*.ass")]
    assert burned
    for ass in burned:  # what libass draws: nothing that no font on this machine has
        events = [
            line.split(",", 9)[9]
            for line in ass.read_text(encoding="utf-8").splitlines()
            if line.startswith("Dialogue:")
        ]
        assert not [c for text in events for c in glyphs.missing(text, FONT_BOLD) if not glyphs._system_fonts(c, True)]
