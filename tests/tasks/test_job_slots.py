"""Paid job slots shared by every run and worker: a Prefect global limit per provider, leased, sized by the
account's parallel-task limit; a missing limit is reported once per process, not once per request."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from framecast.settings import reset_settings

pytestmark = pytest.mark.usefixtures("prefect_server")

HOLDER = textwrap.dedent("""
    import json, pathlib, sys, time
    from tasks import limits
    limits.install()  # the Prefect-backed limiters and job slots, as a flow run's prologue installs them
    from framecast import providers
    from tasks.limits import limit_exists

    ready, go = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    limit_exists("framecast-runway-jobs")  # warmed up: client imported, server asked once
    ready.write_text("ready")
    while not go.exists():  # both processes start asking for the slot together
        time.sleep(0.01)
    with providers.job_slot("runway"):
        start = time.time()
        time.sleep(1.5)  # a job in flight: submitted, not yet downloaded
        end = time.time()
    print(json.dumps([start, end]))
""")


def _hold_in_two_processes(env: dict, folder: Path) -> list[tuple[float, float]]:
    folder.mkdir()
    go, ready = folder / "go", [folder / f"ready-{i}" for i in range(2)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(marker), str(go)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for marker in ready
    ]
    deadline = time.time() + 120
    while not all(m.exists() for m in ready) and time.time() < deadline and all(p.poll() is None for p in procs):
        time.sleep(0.05)
    go.write_text("go")
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err[-1500:] for _, err in outputs]
    return sorted(tuple(json.loads(out)) for out, _ in outputs)


def test_two_processes_share_the_providers_job_slots_through_prefect(monkeypatch, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    from tasks.operations import ensure_job_slots

    limits = {"runway": {"requests_per_minute": 60, "concurrency": 2, "jobs": 1}}
    monkeypatch.setenv("FRAMECAST_RATE_LIMITS", json.dumps(limits))
    reset_settings()
    with get_client(sync_client=True) as client:
        assert ensure_job_slots(client)["framecast-runway-jobs"] == 1
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}
    (a_start, a_end), (b_start, b_end) = _hold_in_two_processes(env, tmp_path / "one")
    assert a_end <= b_start + 0.05, "two jobs were in flight on an account limited to one"

    limits["runway"]["jobs"] = 2  # the account was upgraded: prefect-setup resizes the shared limit
    monkeypatch.setenv("FRAMECAST_RATE_LIMITS", json.dumps(limits))
    reset_settings()
    with get_client(sync_client=True) as client:
        ensure_job_slots(client)
        gcl = client.read_global_concurrency_limit_by_name("framecast-runway-jobs")
    # Both slots free again: none leaked by the processes above (a leaked lease would hold one for minutes).
    assert (gcl.limit, gcl.active_slots) == (2, 0)
    reset_settings()


def test_a_missing_limit_is_reported_once_per_process_not_per_request(caplog):
    from tasks import limits

    name = f"framecast-nobody-{time.time_ns()}"
    with caplog.at_level(logging.INFO, logger="framecast.limits"):
        assert [limits.limit_exists(name) for _ in range(5)] == [False] * 5
    assert sum(name in r.getMessage() for r in caplog.records) == 1
