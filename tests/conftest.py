"""Test set-up: a private Prefect home, tiny channels, and a per-test output folder."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

# Before anything imports Prefect: a throw-away home, offline-friendly settings, fast flows.
_HOME = tempfile.mkdtemp(prefix="framecast-tests-prefect-")
os.environ["PREFECT_HOME"] = _HOME
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "120"
os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
os.environ.pop("FRAMECAST_DATA_DIR", None)

import pytest  # noqa: E402
import yaml  # noqa: E402

from framecast.settings import reset_settings  # noqa: E402

TINY = {
    "name": "tiny",
    "seed": 3,
    "format": {"width": 320, "height": 180, "fps": 12, "preset": "veryfast"},
    "script": {"min_scenes": 2, "max_scenes": 4, "target_seconds": 20},
    "voice": {"speed": 1.2},
    "captions": {"max_chars_per_line": 30, "max_lines": 2, "font_scale": 0.08},
}


@pytest.fixture(autouse=True)
def media_tools():
    """Each test starts with the media tools its environment names, as a new process's edge sets them up
    (framecast.context.services): a test that pointed FRAMECAST_FFMPEG elsewhere leaves nothing behind."""
    from framecast.media import ffmpeg
    from framecast.settings import Settings

    def configure():
        settings = Settings()
        ffmpeg.configure(settings.ffmpeg, settings.ffprobe, settings.ffmpeg_jobs)

    configure()
    yield
    configure()


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """A fresh output folder (artifact store) for this test."""
    out = tmp_path / "out"
    monkeypatch.setenv("FRAMECAST_DATA_DIR", str(out))
    reset_settings()
    yield out
    reset_settings()


def ledger_entries(data_dir: Path, **filters) -> list[dict]:
    """The billed calls in the default cost ledger of an output folder (the SQLite file a run writes)."""
    from framecast.cost.ledger import default_url, open_ledger

    return open_ledger(default_url(data_dir)).entries(**filters)


def write_channel(folder: Path, **overrides) -> Path:
    """A tiny channel file (320x180, 2–4 scenes) with nested overrides, e.g. quality={...}."""
    config = {k: (dict(v) if isinstance(v, dict) else v) for k, v in TINY.items()}
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(config.get(key), dict):
            config[key].update(value)
        else:
            config[key] = value
    path = folder / f"{config['name']}.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture
def tiny_channel(tmp_path) -> Path:
    return write_channel(tmp_path)


@pytest.fixture(scope="session")
def prefect_server():
    """One Prefect test server for the whole session (~20 s to start)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
            yield


@pytest.fixture(scope="session")
def sandbox_server():
    """The provider sandbox on 127.0.0.1, producing small media (a fifth of the requested size)."""
    from framecast import providers
    from framecast.sandbox import Sandbox

    with Sandbox(providers.sandbox_routes(), media_scale=0.2) as sb:
        yield sb


@pytest.fixture
def sandbox(sandbox_server):
    sandbox_server.state.reset()
    yield sandbox_server
    sandbox_server.state.reset()


@pytest.fixture(scope="session")
def gcs_emulator():
    """gcp-storage-emulator in process on a random 127.0.0.1 port, reached through the real client."""
    from gcp_storage_emulator.server import create_server

    server = create_server("127.0.0.1", 0, in_memory=True)
    server.start()
    port = server._api._httpd.server_address[1]
    previous = os.environ.get("STORAGE_EMULATOR_HOST")
    os.environ["STORAGE_EMULATOR_HOST"] = f"http://127.0.0.1:{port}"
    yield f"http://127.0.0.1:{port}"
    server.stop()
    if previous is None:
        os.environ.pop("STORAGE_EMULATOR_HOST", None)
    else:
        os.environ["STORAGE_EMULATOR_HOST"] = previous


@pytest.fixture
def gcs_bucket(gcs_emulator, request):
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    client = storage.Client(project="framecast-test", credentials=AnonymousCredentials())
    name = "fc-" + request.node.name.lower().replace("_", "-")[:40].strip("-")
    bucket = client.create_bucket(name)
    yield client, bucket.name


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    if not found[-1]:
        pytest.fail(f"PostgreSQL's {name} is missing: `make test` installs it (scripts/ensure-postgres.sh)")
    return found[-1]


@pytest.fixture
def postgres():
    """A throw-away PostgreSQL cluster on 127.0.0.1 (as the postgres user when the tests run as root)."""
    # Its own folder outside pytest's (which is private to root): the server runs as postgres under root.
    base, port = Path(tempfile.mkdtemp(prefix="framecast-pg-")), _free_port()
    data = base / "data"
    data.mkdir()
    as_user = []
    if os.geteuid() == 0:
        for path in (base, data):
            shutil.chown(path, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*as_user, pg_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *as_user,
            pg_bin("pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(data / "server.log"),
            "-w",
            "-o",
            f"-h 127.0.0.1 -p {port} -k {data}",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        subprocess.run(
            [*as_user, pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "prefect"],
            check=True,
            capture_output=True,
        )
        yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}/prefect"
    finally:
        subprocess.run([*as_user, pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Under xdist, each worker starts with one of the slow operations tests (they mostly wait on servers and
    heartbeats), so they overlap the CPU-bound tests instead of running alone at the end. Only the order changes.

    pytest-xdist's worksteal scheduler hands worker i the next `remaining // (workers - i)` tests of the collection;
    a slow test placed at the start of each such segment is the first that worker runs."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0") or 0)
    slow = [item for item in items if item.get_closest_marker("slow")]
    if workers < 2 or not slow:
        return
    rest = [item for item in items if not item.get_closest_marker("slow")]
    sizes, remaining = [], len(items)
    for i in range(workers):
        sizes.append(remaining // (workers - i))
        remaining -= sizes[-1]
    firsts = [slow[i::workers] for i in range(workers)]
    ordered = []
    for size, first in zip(sizes, firsts):
        take = max(size - len(first), 0)
        ordered += first + rest[:take]
        rest = rest[take:]
    items[:] = ordered + rest
