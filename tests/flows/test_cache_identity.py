"""A stage's cache key holds only what the stage uses: edit the narration and no picture is bought again;
edit the channel's topics and the gate is not run (nor paid) again."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from flows.produce_video import produce_video
from framecast.core.models import Script
from framecast.settings import reset_settings
from tests.conftest import ledger_entries, write_channel

pytestmark = pytest.mark.usefixtures("prefect_server")


def roles(out: Path) -> Counter:
    return Counter(e["role"] for e in ledger_entries(out))


def test_only_the_inputs_a_stage_uses_decide_whether_it_runs_again(tmp_path, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setenv("FRAMECAST_DATA_DIR", str(out))
    reset_settings()
    # Title cards: pictures that do not depend on what is said (illustrated local cards do, and are redrawn).
    channel = write_channel(tmp_path, topics=["How kites fly"], image={"illustrations": "none"})
    first = produce_video(channel=str(channel), topic="How kites fly", publish_date=date(2026, 12, 1))
    script = Script.model_validate(json.loads((Path(first.location) / "script.json").read_text()))
    before = roles(out)

    # Only scene 1's narration changes: its voice is made again, no still is.
    edited = script.model_copy(
        update={
            "scenes": [script.scenes[0].model_copy(update={"narration": script.scenes[0].narration + " Really."})]
            + list(script.scenes[1:])
        }
    )
    second = produce_video(channel=str(channel), script=edited, publish_date=date(2026, 12, 2))
    assert second.published
    after = roles(out)
    assert after["image"] == before["image"], "a narration edit bought new pictures"
    assert after["voice"] == before["voice"] + 1
    assert after["quality"] == before["quality"] + 1  # a new video is judged

    # The channel's topic list and publishing settings change, the video does not: nothing runs again.
    (tmp_path / "edited").mkdir()
    renamed = write_channel(
        tmp_path / "edited",
        topics=["How kites fly", "Why the sea is salty"],
        title="Kites & Seas",
        image={"illustrations": "none"},
    )
    third = produce_video(channel=str(renamed), script=edited, publish_date=date(2026, 12, 3))
    assert third.published
    assert roles(out) == after, "editing topics re-ran (and would re-pay) a stage"
    reset_settings()
