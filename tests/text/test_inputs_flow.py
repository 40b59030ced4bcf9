"""Ordinary-but-nasty and generated topics through the real flow on the tiny channel: a published video or a
refusal naming the field before anything is locked or spent (issue 17, review M6, L12)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from flows.produce_video import produce_video
from framecast.core.errors import QualityGateFailed, ScriptError
from tests.conftest import ledger_entries, write_channel
from tests.text.test_inputs import NASTY

pytestmark = pytest.mark.usefixtures("prefect_server")


def generated_topic(seed: int) -> str:
    """A topic drawn from the property tests' nasty pieces, the same one every run."""
    pick = random.Random(seed)
    return " ".join(pick.choice(NASTY) for _ in range(4)) + " " + pick.choice(["works", "über", "火山", "بركان"])


# Signs the voice reads aloud ("slash", "dollar") are words the offline voice's timing does not count, so the
# captions of a narration full of them drift (1.7 s here); the gate's ear refuses such a video, naming the
# caption timing, rather than publish captions out of time (docs/not-built.md, issue 20).
DRIFTS = 'How [/] works: $PATH, 100 % & "quotes" / back\\slashes'


@pytest.mark.parametrize(
    "topic, notes",
    [
        ("Why 1 < 2 in C++ templates <T>", ['Tom & Jerry say "hi" 100 % of the $HOME/tmp time [/] {\\an8}']),
        (DRIFTS, []),
        ("火山はどのように機能するか", []),
        ("كيف تعمل البراكين", ["الحمم البركانية صخور منصهرة " * 12]),
        (generated_topic(17), []),
    ],
)
def test_a_nasty_topic_publishes_a_video_or_is_refused_before_anything_runs(data_dir, tmp_path, topic, notes):
    channel = write_channel(tmp_path)
    try:
        publication = produce_video(channel=str(channel), topic=topic, notes=notes)
    except ScriptError as exc:  # a refusal names the field, and nothing was spent or locked
        assert str(exc).startswith(("topic: ", "notes[")), exc
        assert not (data_dir / "published").exists() and not ledger_entries(data_dir)
        return
    except QualityGateFailed as exc:  # only the drifting captions, named, and the video kept unpublished
        assert topic == DRIFTS and "caption-timing" in str(exc) and "speech-heard" not in str(exc), exc
        assert not (data_dir / "published").exists()
        return
    assert publication.published, publication.reason
    assert (Path(publication.location) / "video.mp4").is_file()
    meta = json.loads((Path(publication.location) / "metadata.json").read_text())
    assert "<" not in meta["title"] and ">" not in meta["title"]


@pytest.mark.parametrize(
    "topic, named",
    [
        ("???", "topic: '???' has no letter or digit"),
        ("Volcanoes\x00work", "topic: 'Volcanoes\\x00work' contains a control"),
    ],
)
def test_a_topic_that_cannot_make_a_video_is_refused_before_the_lock_and_the_ledger(
    data_dir, tiny_channel, topic, named
):
    with pytest.raises(ScriptError, match="^" + named.replace("\\", "\\\\").replace("?", "\\?")):
        produce_video(channel=str(tiny_channel), topic=topic)
    assert not (data_dir / "published").exists() and not ledger_entries(data_dir)
