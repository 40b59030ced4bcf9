"""A real Prefect server, work pool and process workers, started the way the README says, on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from framecast.settings import REPO_ROOT

BIN = Path(sys.executable).parent
LEASES_ON_DISK = "prefect.server.concurrency.lease_storage.filesystem"


def pytest_collection_modifyitems(items):
    """Every operations test starts real servers and workers and waits minutes: `pytest -m "not slow"` skips them."""
    for item in items:
        if "tests/operations/" in item.nodeid.replace("\\", "/") or item.nodeid.startswith("operations/"):
            item.add_marker(pytest.mark.slow)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Ops:
    """One Prefect server (own PREFECT_HOME, own database) and the processes started against it."""

    def __init__(self, home: Path, out: Path, database_url: str | None = None):
        self.home, self.out, self.port = home, out, free_port()
        self.api = f"http://127.0.0.1:{self.port}/api"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "FRAMECAST_"))}
        self.env.update(
            PREFECT_HOME=str(home),
            PREFECT_API_URL=self.api,
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            PREFECT_LOGGING_LEVEL="INFO",
            FRAMECAST_DATA_DIR=str(out),
            # as the README starts the server: leases on disk survive a restart (tasks/leases.py)
            PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE=LEASES_ON_DISK,
        )
        if database_url:
            self.env["PREFECT_API_DATABASE_CONNECTION_URL"] = database_url
        self.logs = home / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.procs: list[subprocess.Popen] = []

    def start(self, name: str, *args: str, drop: tuple[str, ...] = (), **env: str) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("ab")
        full = {k: v for k, v in {**self.env, **env}.items() if k not in drop}
        proc = subprocess.Popen(
            list(args), cwd=REPO_ROOT, env=full, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs.append(proc)
        return proc

    def run(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
        return subprocess.run(list(args), cwd=REPO_ROOT, env=self.env, capture_output=True, text=True, timeout=timeout)

    def serve(self) -> None:
        self.server = self.start(
            "server", str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(self.port)
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.api}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"prefect server did not become healthy: {(self.logs / 'server.log').read_text()[-3000:]}")

    def restart(self) -> None:
        """Kill the server hard (its whole process group) and start it again on the same port and PREFECT_HOME."""
        self.kill_group(self.server)
        self.procs.remove(self.server)
        self.serve()

    def worker(self, name: str, *extra: str, **env: str) -> subprocess.Popen:
        """A process worker that knows only the server: the store comes from the pool's job variables."""
        return self.start(
            name,
            str(BIN / "prefect"),
            "worker",
            "start",
            "--pool",
            "framecast-local",
            "--name",
            name,
            *extra,
            drop=("FRAMECAST_DATA_DIR",),
            **env,
        )

    def post(self, path: str, body: dict | None = None) -> httpx.Response:
        return self._call("POST", path, json=body or {})

    def get(self, path: str) -> httpx.Response:
        return self._call("GET", path)

    def _call(self, method: str, path: str, **kwargs) -> httpx.Response:
        """One API call, retried on 503 as Prefect's own client does (a loaded SQLite server answers it)."""
        for attempt in range(5):
            response = httpx.request(method, f"{self.api}{path}", timeout=30, **kwargs)
            if response.status_code != 503:
                break
            time.sleep(1 + attempt)
        response.raise_for_status()
        return response

    def kill_group(self, proc: subprocess.Popen) -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


@contextmanager
def prefect_ops(tmp: Path, database_url: str | None = None):
    ops = Ops(tmp / "prefect-home", tmp / "out", database_url)
    try:
        ops.serve()
        yield ops
    finally:
        ops.stop()


def wait_for(what: str, probe, timeout: float, every: float = 1.0):
    """Poll `probe` until it returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture
def ops(tmp_path):
    with prefect_ops(tmp_path) as ops:
        yield ops


PAID_STEPS = {"render-scene-image-": "image", "synthesize-narration-": "voice", "animate-scene-": "motion"}


def in_flight(task_runs: list[dict]) -> dict[str, int]:
    """Paid steps a killed run had begun and not finished (read after the kill: nothing updates them since)."""
    counts = dict.fromkeys(PAID_STEPS.values(), 0)
    for run in task_runs:
        role = next((r for prefix, r in PAID_STEPS.items() if run["name"].startswith(prefix)), None)
        if role and run["state_type"] not in ("COMPLETED", "SCHEDULED"):
            counts[role] += 1
    return counts


def assert_paid_once(ledger, scenes: int, begun: dict[str, int]) -> None:
    """Every finished paid step billed once across a crash; only a call caught in flight may be billed again.

    A synchronous call (a voice, a local image) billed in the moment between its answer and Prefect storing
    the task's result is made again by the re-run: that is the window the README names, and no wider.
    """
    for role, extra in begun.items():
        assert scenes <= ledger[role] <= scenes + extra, (role, ledger, begun)
