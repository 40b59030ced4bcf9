"""Per-process resources a stage needs, handed in as one `Services`: settings, the artifact store, scratch space."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager as ContextManager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from framecast.media import ffmpeg
from framecast.providers import connect
from framecast.settings import Settings, get_settings
from framecast.storage import ArtifactStore, default_store

# The folder new GCS artifacts of a run go to ("channel/day/run"); only a layout hint, never money or identity
# (those travel in the Meter the tasks are given). Unset = "unscoped/".
artifact_scope: ContextVar[str] = ContextVar("framecast_artifact_scope", default="")


@dataclass(frozen=True)
class Services:
    """What a stage is handed instead of fetching it: the machine settings, the artifact store, scratch space.

    Built once per process at the edge (tasks/, flows/cli.py, framecast/commands) and passed down. It holds only
    the settings (picklable); the store is looked up from them, one per store location and process. Tasks take it
    like the Meter and keep it out of their cache keys: it says where results go, not what they are.
    """

    settings: Settings

    @property
    def data_dir(self) -> Path:
        """The local data folder (FRAMECAST_DATA_DIR, --out): artifacts, scratch, the default ledger."""
        return self.settings.data_dir.resolve()

    @property
    def store(self) -> ArtifactStore:
        """The artifact store: FRAMECAST_STORE=gs://… or the local folder (FRAMECAST_DATA_DIR, --out)."""
        uri = self.settings.store
        return _gcs_store(uri, self.data_dir) if uri else _store_at(self.data_dir)

    def scratch(self) -> ContextManager[Path]:
        """A private temporary folder on the data volume, removed afterwards (see `scratch_in`)."""
        return scratch_in(self.data_dir)

    def store_id(self) -> str:
        """Identifies the store (part of cache keys: references are only valid in their store)."""
        return self.settings.store or self.data_dir.as_uri()

    def endpoints_id(self) -> str:
        """Identifies the provider endpoints in use (part of cache keys): a sandbox run never shares results
        with a real one, nor a run against one OpenAI-compatible server with a run against another."""
        urls = sorted((name, str(value)) for name, value in connect.endpoints(self.settings).items())
        return hashlib.sha256(repr(urls).encode()).hexdigest()[:16]


def services(settings: Settings | None = None) -> Services:
    """The edge's Services, from `settings` (default: the process's); also points the media tools at them."""
    settings = settings or get_settings()
    # media/ reads no environment: the ffmpeg binaries and how many run at once come from the settings.
    ffmpeg.configure(settings.ffmpeg, settings.ffprobe, settings.ffmpeg_jobs)
    return Services(settings)


def data_dir() -> Path:
    """The process's data folder (for the edge: stages use `Services.data_dir`)."""
    return Services(get_settings()).data_dir


def store_id() -> str:
    """Identifies the process's store (for the edge: see `Services.store_id`)."""
    return Services(get_settings()).store_id()


def endpoints_id() -> str:
    """Identifies the process's provider endpoints (for the edge: see `Services.endpoints_id`)."""
    return Services(get_settings()).endpoints_id()


def store() -> ArtifactStore:
    """The process's artifact store (for the edge and tests: stages use `Services.store`)."""
    return Services(get_settings()).store


@lru_cache(maxsize=8)
def _store_at(root: Path) -> ArtifactStore:
    return default_store(root)


@lru_cache(maxsize=4)
def _gcs_store(uri: str, local: Path) -> ArtifactStore:
    from google.auth.exceptions import DefaultCredentialsError
    from google.cloud import storage

    from framecast.core.errors import StorageError
    from framecast.storage.gcs import GcsArtifactStore

    bucket, _, prefix = uri.removeprefix("gs://").partition("/")
    # STORAGE_EMULATOR_HOST (tests, local dev) makes the client anonymous and local by itself.
    try:
        client = storage.Client()
    except DefaultCredentialsError as exc:
        raise StorageError(
            f"FRAMECAST_STORE={uri} needs Google credentials: set GOOGLE_APPLICATION_CREDENTIALS "
            "to a service-account key file, or run `gcloud auth application-default login`"
        ) from exc
    return GcsArtifactStore(client, bucket, prefix, cache_dir=local / "gcs-cache", scope=artifact_scope.get)


STALE_SCRATCH_SECONDS = 24 * 3600  # a scratch folder no live process claims is abandoned after this long
OWNER_LOCK = ".owner.lock"  # held with flock by the process using the folder, for as long as it exists


def _owner_prefix() -> str:
    return f"{socket.gethostname()}~{os.getpid()}~"


def _hold(folder: Path) -> int:
    """Lock `folder`'s owner lock for this process; return the descriptor that keeps it held."""
    fd = os.open(folder / OWNER_LOCK, os.O_CREAT | os.O_RDWR, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def scratch() -> ContextManager[Path]:
    """A private temporary folder in the process's data folder (for the edge: stages use `Services.scratch`)."""
    return scratch_in(data_dir())


@contextlib.contextmanager
def scratch_in(data: Path) -> Iterator[Path]:
    """A private temporary folder on the data volume `data`, removed afterwards.

    Named after host and process and locked (flock) while in use, so a crashed run's folder can be
    recognised and removed later, even by a container that shares the hostname and the data volume.
    It gets its name only once locked, so no cleaner ever sees it named and unlocked while it lives.
    """
    work = data / "work"
    work.mkdir(parents=True, exist_ok=True)
    setup = Path(tempfile.mkdtemp(dir=work, prefix=".new~"))
    fd = _hold(setup)
    folder = work / f"{_owner_prefix()}{setup.name.removeprefix('.new~')}"
    try:
        setup.rename(folder)
        yield folder
    finally:  # the lock is released only once the folder is gone
        shutil.rmtree(setup if setup.exists() else folder, ignore_errors=True)
        os.close(fd)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _claimed(folder: Path) -> bool:
    """True while a live process holds the folder's owner lock, else False (also when it has none)."""
    try:
        fd = os.open(folder / OWNER_LOCK, os.O_RDWR)
    except FileNotFoundError:
        return False
    except OSError:
        return True  # cannot tell: keep it
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def clean_stale_scratch(now: float | None = None, data: Path | None = None) -> list[str]:
    """Remove scratch folders left by crashed runs: unlocked ones of this host's dead processes, or after a day.

    A folder whose owner lock is held is never removed: containers sharing a hostname (and the data
    volume) have separate process ids, so hostname and pid alone would call a live neighbour dead.
    """
    work = (data or data_dir()) / "work"
    if not work.is_dir():
        return []
    host, removed, now = socket.gethostname(), [], now or time.time()
    for folder in work.iterdir():
        owner_host, _, rest = folder.name.partition("~")
        pid = rest.partition("~")[0]
        try:
            old = now - folder.stat().st_mtime > STALE_SCRATCH_SECONDS
        except FileNotFoundError:
            continue  # its owner removed it meanwhile
        claimed = _claimed(folder) if folder.is_dir() else True
        # Without a lock (from before owner locks) the name is all there is to go by.
        stale = not claimed and (old or (owner_host == host and pid.isdigit() and not _alive(int(pid))))
        if stale and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed
