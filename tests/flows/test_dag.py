"""The DAG never waits for nothing: scene 1's motion starts as soon as its own image and narration exist,
not when the last scene's narration is done (read back from Prefect's task runs)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from flows.produce_video import produce_video
from framecast.plan.cloud import with_cloud_providers
from framecast.plan.load import load_channel
from framecast.settings import reset_settings

pytestmark = pytest.mark.usefixtures("prefect_server")


def task_runs(flow_run_id: str) -> dict[str, dict]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
    return {
        r.name: {"submitted": r.expected_start_time, "start": r.start_time, "end": r.end_time}
        for r in runs
        if r.start_time
    }


def test_motion_for_a_scene_does_not_wait_for_the_other_scenes_narration(sandbox, tiny_channel, tmp_path, monkeypatch):
    for key, value in sandbox.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("FRAMECAST_DATA_DIR", str(tmp_path / "out"))
    # One narration at a time, a second each: the last scene's voice is ready seconds after the first's.
    monkeypatch.setenv(
        "FRAMECAST_RATE_LIMITS", json.dumps({"elevenlabs": {"requests_per_minute": 600, "concurrency": 1}})
    )
    sandbox.state.latency["elevenlabs"] = 1.0
    reset_settings()
    data = with_cloud_providers(load_channel(str(tiny_channel))).model_dump(mode="json")
    data["script"].update(min_scenes=4, max_scenes=4, target_seconds=24)
    channel = tmp_path / "dag.yaml"
    channel.write_text(yaml.safe_dump(data))
    try:
        publication = produce_video(channel=str(channel), topic="How rivers shape valleys")
    finally:
        reset_settings()
    manifest = json.loads(Path(publication.manifest.uri.removeprefix("file://")).read_text())
    runs = task_runs(manifest["run"].rsplit("/", 1)[-1])
    last_voice = max(
        (r for name, r in runs.items() if name.startswith("synthesize-narration-")), key=lambda r: r["end"]
    )
    first_motion = runs["animate-scene-0"]
    # Submitted (its Pending state) while narrations were still being made: it waits for its own inputs
    # only. The old flow submitted motion after gathering every narration.
    assert isinstance(first_motion["submitted"], datetime)
    assert first_motion["submitted"] < last_voice["end"], "scene 1's motion waited for every narration"
