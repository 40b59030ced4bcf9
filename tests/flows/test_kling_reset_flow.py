"""Issue 17 item 8, the fault drill: a connection reset after Kling accepted a job is recovered, not fatal.

The sandbox Kling creates (and bills) the task, then drops the connection before its answer is
complete; the run must find that task by its external_task_id instead of paying for another, and
resets on a poll and on a clip download are retried like any transient error.
"""

import json
from pathlib import Path

import pytest

from flows.produce_video import produce_video
from framecast.sandbox import Fault
from tests.conftest import ledger_entries

pytestmark = pytest.mark.usefixtures("prefect_server")


def test_a_reset_after_kling_accepted_the_job_still_publishes_and_pays_once(cloud, sandbox, tmp_path):
    sandbox.state.inject("kling", "image2video", Fault(kind="accepted_reset"))
    sandbox.state.inject("kling", "image2video.get", Fault(kind="reset"))
    sandbox.state.inject("kling", "media", Fault(kind="reset"))
    publication = produce_video(channel=cloud(motion={"providers": ["kling"]}), topic="How kites fly")

    assert publication.published and (Path(publication.location) / "video.mp4").is_file()
    scenes = json.loads(Path(publication.manifest.uri.removeprefix("file://")).read_text())["scenes"]
    kling_tasks = [t for t in sandbox.state.tasks.values() if "polls" in t]
    # One job per scene: the reset one was found by its external_task_id, not submitted again.
    assert sandbox.state.calls("kling", "paid") == len(scenes) == len(kling_tasks)
    assert sandbox.state.calls("kling", "image2video") == len(scenes)
    assert len({t["body"]["external_task_id"] for t in kling_tasks}) == len(scenes)
    billed = [e for e in ledger_entries(tmp_path / "out") if (e["provider"], e["role"]) == ("kling", "motion")]
    assert len(billed) == len(scenes)
