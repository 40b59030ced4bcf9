"""Restarts and crashes free what they held: the server killed and restarted while a run holds its channel past
a lease renewal, and again while a deployment run holds it; a local `framecast make` killed with -9 mid-run. In
every case the channel's next run publishes and no slot stays held (tasks/leases.py). One server session; the
local runs use their own PREFECT_HOME and Prefect's ephemeral server, as a user's `make` does."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest

from framecast.settings import REPO_ROOT
from tests.operations.conftest import BIN, LEASES_ON_DISK, Ops, wait_for
from tests.operations.test_unattended import deployments, finished, started_at, task_runs

CHANNEL_LIMIT = "framecast-channel-smoke"


def active_slots(ops: Ops, name: str) -> int:
    return ops.get(f"/v2/concurrency_limits/{name}").json()["active_slots"]


def local_make(home: Path, out: Path, log: Path) -> subprocess.Popen:
    """`framecast make --channel smoke` as a user runs it: no PREFECT_API_URL, so Prefect's ephemeral server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "FRAMECAST_"))}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180")
    return subprocess.Popen(
        [str(BIN / "framecast"), "make", "--channel", "smoke", "--out", str(out)],
        cwd=REPO_ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def local_slots(home: Path) -> int | None:
    """The channel limit's active slots in the local (ephemeral) server's SQLite database, read directly."""
    try:
        with closing(sqlite3.connect(f"file:{home / 'prefect.db'}?mode=ro", uri=True, timeout=10)) as db:
            row = db.execute(
                "select active_slots from concurrency_limit_v2 where name = ?", (CHANNEL_LIMIT,)
            ).fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def lease_files(home: Path) -> set[str]:
    folder = home / "concurrency_leases"
    return {p.name for p in folder.glob("*.json") if p.name != "expirations.json"} if folder.is_dir() else set()


# A run of the channel from framecast's own lock code (a custom run, or a `make` against this server) that holds
# the channel past its first lease renewal (at 45 s of a 60 s lease): the renewal comes after the restart.
HOLDER = (
    "import time; from datetime import datetime, timezone; from tasks.limits import channel_lock\n"
    "with channel_lock('smoke'):\n    print('HELD', flush=True); time.sleep(52)\n"
    "print('released', datetime.now(timezone.utc).isoformat(), flush=True)"
)


def restart_while_runs_hold_the_channel(ops: Ops) -> list[str]:
    """The server is killed and started again twice: while a run holds the channel past a lease renewal and a
    deployment run waits for it, then while the deployment run holds it. Both go on; nothing stays held."""
    setup = ops.run(str(BIN / "framecast"), "prefect-setup")
    assert setup.returncode == 0, setup.stderr
    deploy = ops.run(str(BIN / "prefect"), "--no-prompt", "deploy", "--name", "smoke")
    assert deploy.returncode == 0, deploy.stdout[-3000:] + deploy.stderr[-3000:]
    smoke = deployments(ops)["smoke"]
    worker = ops.worker("worker-a")
    holder_log = ops.logs / "holder.log"
    holder = ops.start("holder", sys.executable, "-c", HOLDER)
    wait_for("the first run to hold the channel", lambda: "HELD" in holder_log.read_text(), timeout=180, every=0.5)
    run = ops.post(f"/deployments/{smoke['id']}/create_flow_run", {"parameters": {"topic": "How kites fly"}}).json()
    times = []

    def restart(when: str) -> float:
        nonlocal worker
        at = time.monotonic()
        ops.restart()
        times.append(f"restart {when}: healthy again after {time.monotonic() - at:.1f} s")
        if worker.poll() is not None:  # a worker that gave up while the server was down, restarted as systemd would
            worker = ops.worker(f"worker-{len(times)}")
        return at

    restart("while a run held the channel and a deployment run was queued behind it")
    wait_for(
        "the deployment run to start (and wait for the channel)",
        lambda: started_at(ops, run["id"]),
        timeout=180,
        every=0.5,
    )
    assert holder.wait(timeout=180) == 0, holder_log.read_text()[-3000:]
    text = holder_log.read_text()
    assert "lease renewal failed" not in text, text[-3000:]  # renewed after the restart: the lease survived it
    released = datetime.fromisoformat(text.split("released ")[1].split()[0])

    def holds_channel():
        done = [t for t in task_runs(ops, run["id"]) if t["state_type"] == "COMPLETED" and t["name"] == "write-script"]
        return done if done and active_slots(ops, CHANNEL_LIMIT) == 1 else None

    script = wait_for(
        "the deployment run to take the channel and write its script", holds_channel, timeout=180, every=0.3
    )[0]
    assert datetime.fromisoformat(script["start_time"]) > released  # it waited for the channel across the restart
    restarted = restart("while the deployment run held the channel")
    done = wait_for("the run to end after the restart", lambda: finished(ops, run["id"]), timeout=400)
    ended = time.monotonic() - restarted
    if done["state_type"] == "COMPLETED":
        times.append(f"the run went on and completed {ended:.1f} s after the restart")
    else:  # Prefect ended it (its own deployment lease): the channel's next run must start and publish
        following = ops.post(
            f"/deployments/{smoke['id']}/create_flow_run", {"parameters": {"topic": "How kites fly"}}
        ).json()
        wait_for("the channel's next run to start", lambda: started_at(ops, following["id"]), timeout=300)
        next_start = time.monotonic() - restarted
        done = wait_for("the channel's next run to finish", lambda: finished(ops, following["id"]), timeout=300)
        times.append(
            f"the run ended {done['state_name']} {ended:.1f} s after the restart; the next run started "
            f"{next_start:.1f} s after it"
        )
    assert done["state_type"] == "COMPLETED", (done["state"], (ops.logs / "worker-a.log").read_text()[-4000:])
    assert (ops.out / "published" / "smoke").is_dir()
    # Nothing stays held: the channel's lock and the deployment's own concurrency slot are both free.
    assert wait_for("the channel lock to be free", lambda: active_slots(ops, CHANNEL_LIMIT) == 0, timeout=30)
    assert active_slots(ops, f"deployment:{smoke['id']}") == 0
    assert f"concurrency leases: {LEASES_ON_DISK}" in setup.stdout and "warning" not in setup.stderr
    return times


@pytest.mark.timeout(1200)
def test_a_server_restart_and_a_killed_local_run_free_their_channel(ops: Ops, tmp_path):
    # --- A local `framecast make` killed with -9 after it took the channel lock (its ephemeral server dies too).
    home, out, log = tmp_path / "local-home", tmp_path / "local-out", tmp_path / "local-make.log"
    first = local_make(home, out, log)
    wait_for(
        "the local run to take its channel lock",
        lambda: local_slots(home) == 1 or first.poll() is not None,
        timeout=300,
        every=0.5,
    )
    assert first.poll() is None, log.read_text()[-3000:]
    time.sleep(3)  # mid-run: some steps under way
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    killed_at = time.monotonic()
    assert local_slots(home) == 1  # the dead run's slot is still taken
    dead_leases = lease_files(home)
    # The same command again: it waits for the dead run's lease to expire, frees its slot, and publishes.
    # It runs while the server restart below is tested (it needs no server of ours).
    again = tmp_path / "local-make-again.log"
    second = local_make(home, out, again)
    reclaimed: list[float] = []

    def watch_reclaim():  # when the dead run's lease file goes: its slot was freed (tasks/leases.py)
        while second.poll() is None and dead_leases & lease_files(home):
            time.sleep(0.5)
        reclaimed.append(time.monotonic() - killed_at)

    threading.Thread(target=watch_reclaim, daemon=True).start()
    try:
        times = restart_while_runs_hold_the_channel(ops)
    except BaseException:
        os.killpg(second.pid, signal.SIGKILL)
        raise

    # --- The local run started again after the kill publishes, and frees its channel.
    assert second.wait(timeout=400) == 0, again.read_text()[-4000:]
    second_took = time.monotonic() - killed_at
    videos = [Path(line) for line in again.read_text().splitlines() if line.endswith("/video.mp4")]
    assert videos and videos[-1].is_file() and out in videos[-1].parents, again.read_text()[-3000:]
    assert local_slots(home) == 0 and not lease_files(home)
    assert dead_leases and reclaimed
    print(
        "\n" + "; ".join(times) + "\n"
        f"killed local make: its lease reclaimed {reclaimed[0]:.1f} s after the kill (at most ~60 s + "
        f"start-up), the same command published {second_took:.1f} s after the kill"
    )
