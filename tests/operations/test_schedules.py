"""Switching a channel off in its channel file, as operated: `framecast deployments`, `prefect deploy --all`
against a real server whose scheduler had already created the channel's runs."""

from __future__ import annotations

import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import write_channel
from tests.operations.conftest import BIN, Ops, prefect_ops, wait_for

# Every minute, so a run falls due during the test; `kept` stays on and shows when the scheduler has been by.
EVERY_MINUTE = {"cron": "* * * * *"}
CHANNELS = ("kept", "off-inactive", "off-removed", "off-cleared")


def generate(channels: Path, prefect_yaml: Path) -> None:
    done = subprocess.run(
        [str(BIN / "framecast"), "deployments", "--channels", str(channels), "--file", str(prefect_yaml)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def deploy(ops: Ops, prefect_yaml: Path) -> subprocess.CompletedProcess:
    done = ops.run(str(BIN / "prefect"), "--no-prompt", "deploy", "--all", "--prefect-file", str(prefect_yaml))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def scheduled_runs(ops: Ops, deployment_id: str) -> list[dict]:
    return ops.post(
        "/flow_runs/filter",
        {"deployments": {"id": {"any_": [deployment_id]}}, "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}}},
    ).json()


def due(run: dict) -> bool:
    return datetime.fromisoformat(run["next_scheduled_start_time"]) <= datetime.now(UTC)


# One server, four tiny deployments, no worker (~1.5 min, a third of it waiting for the next minute).
@pytest.mark.timeout(300)
def test_a_channel_switched_off_in_its_file_gets_no_more_scheduled_runs(tmp_path):
    started = time.monotonic()
    channels, prefect_yaml = tmp_path / "channels", tmp_path / "prefect.yaml"
    channels.mkdir()
    for name in CHANNELS:
        write_channel(channels, name=name, topics=["How kites fly"], schedule=EVERY_MINUTE)
    generate(channels, prefect_yaml)
    # cwd is the checkout, as for an operator: Prefect reads its prefect.toml there.
    with prefect_ops(tmp_path) as ops:
        ops.env["FRAMECAST_CHANNELS_DIR"] = str(channels)
        assert ops.run(str(BIN / "framecast"), "prefect-setup").returncode == 0
        deploy(ops, prefect_yaml)
        deployed_at = time.monotonic()
        deployed = {d["name"]: d for d in ops.post("/deployments/filter").json()}
        ids = {name: deployed[name]["id"] for name in CHANNELS}

        # The server's scheduler creates the runs; wait until one of each is due (no worker takes it: Late).
        wait_for("scheduled runs of every channel", lambda: all(scheduled_runs(ops, i) for i in ids.values()), 60)
        wait_for(
            "a scheduled run to fall due",
            lambda: all(any(due(r) for r in scheduled_runs(ops, i)) for i in ids.values()),
            90,
        )
        ready = time.monotonic()

        # Switch three channels off in their files: inactive, removed, and removed after Prefect's own
        # `schedule clear` (which also deletes the runs already due).
        write_channel(
            channels, name="off-inactive", topics=["How kites fly"], schedule={**EVERY_MINUTE, "active": False}
        )
        for name in ("off-removed", "off-cleared"):
            write_channel(channels, name=name, topics=["How kites fly"])
        generate(channels, prefect_yaml)
        cleared = ops.run(str(BIN / "prefect"), "deployment", "schedule", "clear", "produce-video/off-cleared", "-y")
        assert cleared.returncode == 0, cleared.stdout + cleared.stderr
        ops.post(f"/deployments/{ids['kept']}/pause_deployment")  # the UI's pause toggle
        redeploy = deploy(ops, prefect_yaml)

        # `kept`'s future runs were deleted by the redeploy too; once the scheduler has made them again it
        # has visited every deployment changed by the deploy.
        wait_for(
            "the scheduler to re-create kept's runs",
            lambda: [r for r in scheduled_runs(ops, ids["kept"]) if not due(r)],
            60,
        )
        after = {name: ops.get(f"/deployments/{i}").json() for name, i in ids.items()}
        assert after["kept"]["paused"] is False, "a redeploy resumes a deployment paused in the UI"
        assert [(s["schedule"]["cron"], s["active"]) for s in after["off-inactive"]["schedules"]] == [
            ("* * * * *", False)
        ]
        # `schedules: []` clears only with PREFECT_DEPLOYMENTS_CLEAR_SCHEDULES_ON_EMPTY (the checkout's prefect.toml).
        assert after["off-removed"]["schedules"] == [] and after["off-cleared"]["schedules"] == []
        assert "FutureWarning" not in redeploy.stdout + redeploy.stderr
        runs = {name: scheduled_runs(ops, ids[name]) for name in CHANNELS[1:]}
        for name, left in runs.items():
            assert not [r for r in left if not due(r)], f"{name}: future runs are left: {left}"
        # Prefect deletes only runs still in the future: one already due (Late, no worker took it) stays
        # unless `prefect deployment schedule clear` went first.
        assert runs["off-inactive"] and runs["off-removed"] and all(r["auto_scheduled"] for r in runs["off-removed"])
        assert runs["off-cleared"] == []
    print(
        f"\nswitch-off test: {time.monotonic() - started:.0f} s in all: server, set-up and deploy "
        f"{deployed_at - started:.0f} s, waiting for a run to fall due {ready - deployed_at:.0f} s, switching off, "
        f"redeploying and checking {time.monotonic() - ready:.0f} s"
    )
