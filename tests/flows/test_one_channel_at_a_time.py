"""Two runs of one channel at once, as separate processes against one Prefect server: the per-channel
lock makes them take turns, and the create-only publication claim lets only one video have the slot."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from framecast.settings import REPO_ROOT
from tests.conftest import write_channel

pytestmark = pytest.mark.usefixtures("prefect_server")
RUN = (
    "import sys; from datetime import date; from flows.produce_video import produce_video; "
    "p = produce_video(channel=sys.argv[1], topic='How kites fly', publish_date=date(2026, 12, 2)); print(p.location)"
)


def start_run(channel: Path, out: Path) -> subprocess.Popen:
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "FRAMECAST_DATA_DIR": str(out)}
    return subprocess.Popen(
        [sys.executable, "-c", RUN, str(channel)],
        cwd=REPO_ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_a_run_waits_for_the_channel_lock_held_by_another_run(tmp_path):
    from tasks.limits import channel_lock

    channel = write_channel(tmp_path, name="tiny-locked")
    out = tmp_path / "out"
    with channel_lock("tiny-locked"):
        proc = start_run(channel, out)
        time.sleep(12)  # long enough for a tiny run to have finished, were it not waiting
        assert proc.poll() is None, proc.communicate()
        assert not (out / "published").exists()
    stdout, stderr = proc.communicate(timeout=240)
    assert proc.returncode == 0, stderr[-3000:]
    assert (Path(stdout.strip().splitlines()[-1]) / "video.mp4").is_file()


def test_two_videos_for_one_slot_publish_once(tmp_path):
    runs = []
    for seed in (1, 2):  # other seeds, other pictures: two different videos for the same channel, day and topic
        folder = tmp_path / f"variant-{seed}"
        folder.mkdir()
        runs.append(start_run(write_channel(folder, name="tiny-race", seed=seed), tmp_path / "out"))
    results = [(p.wait(timeout=300), *p.communicate()) for p in runs]
    codes = sorted(code for code, _, _ in results)
    assert codes[0] == 0 and codes[1] != 0, [r[2][-2000:] for r in results]
    loser = next(err for code, _, err in results if code != 0)
    assert "publish: tiny-race/2026-12-02-how-kites-fly is already claimed by flow run" in loser
    assert "nothing was copied or uploaded" in loser
    published = sorted(p.name for p in (tmp_path / "out" / "published" / "tiny-race").iterdir())
    assert published == ["2026-12-02-how-kites-fly"]  # never a "-2"
