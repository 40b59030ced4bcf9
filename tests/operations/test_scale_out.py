"""Scale-out on Prefect's own engine: the server on PostgreSQL, two process workers on one pool, and the
pool's concurrency limit deciding how many videos render at once."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from tests.conftest import write_channel
from tests.operations.conftest import BIN, prefect_ops, wait_for

TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def interval(run: dict) -> tuple[datetime, datetime]:
    return datetime.fromisoformat(run["start_time"]), datetime.fromisoformat(run["end_time"])


def run_pair(ops, deployed, **parameters) -> list[dict]:
    ids = [
        ops.post(f"/deployments/{deployed[name]['id']}/create_flow_run", {"parameters": parameters}).json()["id"]
        for name in ("small-a", "small-b")
    ]

    def both_done():
        runs = [ops.get(f"/flow_runs/{i}").json() for i in ids]
        return runs if all(r["state_type"] in TERMINAL for r in runs) else None

    runs = wait_for("both runs to finish", both_done, timeout=300)
    assert [r["state_type"] for r in runs] == ["COMPLETED", "COMPLETED"], [r["state"] for r in runs]
    return runs


def worker_of(ops, run_id: str) -> str:
    """The worker that ran the flow run, from that worker's own `executed-flow-run` event.

    Not the run's first "Worker 'x' submitting" log line: every worker that polled the run logs that before
    racing to propose Pending, and the loser's line can come first."""

    def executed():
        page = ops.post(
            "/events/filter",
            {
                "filter": {
                    "event": {"name": ["prefect.worker.executed-flow-run"]},
                    "related": {"id": [f"prefect.flow-run.{run_id}"]},
                },
                "limit": 10,
            },
        ).json()
        return {e["resource"]["prefect.resource.name"] for e in page["events"]} or None

    names = wait_for(f"the executed-flow-run event of {run_id}", executed, timeout=60)
    assert len(names) == 1, f"run {run_id} executed by several workers: {names}"
    return names.pop()


# A real PostgreSQL, server and two workers rendering four videos.
@pytest.mark.timeout(900)
def test_two_workers_on_postgresql_share_a_pool_whose_limit_decides_parallel_renders(postgres, tmp_path):
    channels = tmp_path / "channels"
    channels.mkdir()
    for name in ("small-a", "small-b"):
        # Long enough (~20 s) that two runs due together overlap when the pool allows it.
        write_channel(
            channels,
            name=name,
            topics=[f"How kites fly ({name})"],
            format={"width": 640, "height": 360, "fps": 15},
            script={"min_scenes": 3, "target_seconds": 30},
        )
    project = {
        "name": "framecast-scale-test",
        "deployments": [
            {
                "name": name,
                "entrypoint": "flows/produce_video.py:produce_video",
                "parameters": {"channel": name},
                "tags": ["framecast", f"channel:{name}"],
                "work_pool": {"name": "framecast-local"},
            }
            for name in ("small-a", "small-b")
        ],
    }
    (tmp_path / "prefect.yaml").write_text(yaml.safe_dump(project))

    with prefect_ops(tmp_path, database_url=postgres) as ops:
        ops.env["FRAMECAST_CHANNELS_DIR"] = str(channels)
        assert ops.get("/admin/version").status_code == 200
        setup = ops.run(str(BIN / "framecast"), "prefect-setup", "--concurrency", "1")
        assert setup.returncode == 0, setup.stderr
        deploy = ops.run(
            str(BIN / "prefect"), "--no-prompt", "deploy", "--all", "--prefect-file", str(tmp_path / "prefect.yaml")
        )
        assert deploy.returncode == 0, deploy.stdout[-3000:] + deploy.stderr[-3000:]
        deployed = {d["name"]: d for d in ops.post("/deployments/filter").json()}
        # The README's one worker on a 2-core machine (no --limit): the pool's limit of 1 makes two channels
        # due at once render one after the other.
        first_worker = ops.worker("worker-a", PREFECT_WORKER_QUERY_SECONDS="2")
        first, second = sorted(run_pair(ops, deployed), key=lambda r: r["start_time"])
        assert interval(first)[1] <= interval(second)[0], "two renders overlapped on a pool limited to 1"

        # Two machines: the pool raised to 2 and a worker each (--limit 1, a machine's hard cap: the pool's
        # limit is checked when a worker asks for work, so two asking at once could each take one).
        first_worker.terminate()
        try:
            first_worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            # Prefect's process worker did not finish its graceful stop within 90 s in 2 of 5 runs on a loaded
            # 2-core machine (cause not found; README, Not built yet). What follows tests the pool's limit with
            # new workers, so the old one goes the way of a machine switched off.
            ops.kill_group(first_worker)
        assert ops.run(str(BIN / "framecast"), "prefect-setup", "--concurrency", "2").returncode == 0
        for name in ("worker-b", "worker-c"):
            ops.worker(name, "--limit", "1", PREFECT_WORKER_QUERY_SECONDS="2")
        runs = run_pair(ops, deployed, topic="Why the sea is salty")
        (a_start, a_end), (b_start, b_end) = interval(runs[0]), interval(runs[1])
        assert a_start < b_end and b_start < a_end, "with a pool limit of 2 the runs did not overlap"
        assert {worker_of(ops, r["id"]) for r in runs} == {"worker-b", "worker-c"}
        published = sorted(
            str(p.parent.relative_to(ops.out)) for p in Path(ops.out, "published").rglob("metadata.json")
        )
        assert len(published) == 4, published  # two channels, two topics each
        # And it was PostgreSQL that held them, not a SQLite file somewhere.
        port = postgres.rsplit(":", 1)[1].split("/")[0]
        rows = subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                port,
                "-U",
                "postgres",
                "-tA",
                "prefect",
                "-c",
                "select count(*) from flow_run where state_type = 'COMPLETED'",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert int(rows) == 4
        assert not list(Path(ops.home).glob("*.db"))
