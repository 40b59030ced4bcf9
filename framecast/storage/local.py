"""Artifact store in a local folder: content-addressed objects, atomic writes, run manifests.

A publication is committed in one step: its files and its marker (metadata.json, written last)
are staged in ROOT/staging/, outside published/, and the folder is renamed into
published/<slot>/ — a rename that fails rather than replace a folder that is there. A publish
interrupted at any point leaves nothing under published/ (a crash leaves a staging folder, which a
later publication of the slot removes once it is an hour old); readers treat a folder without
metadata.json as not published.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import mimetypes
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from framecast.core.errors import ArtifactMissing, StorageError
from framecast.core.models import ArtifactRef
from framecast.storage.records import RecordChanged

CHUNK = 1 << 20
MARKER = "metadata.json"  # a publication's commit marker, written last
STALE_STAGING_SECONDS = 3600  # a staging folder this old belongs to a publication that was interrupted
EXTENSIONS = {
    "video/mp4": ".mp4",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "audio/mpeg": ".mp3",
    "application/json": ".json",
    "text/vtt": ".vtt",
    "application/x-subrip": ".srt",
    "text/x-ssa": ".ass",
}


def sha256_file(path: Path) -> str:
    """Streamed sha256 of a file (never reads it whole into memory)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def atomic_write_bytes(dest: Path, data: bytes) -> None:
    """Write `data` to `dest` so that readers see the old file or the whole new one, never half."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _atomic_copy(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class LocalArtifactStore:
    """Objects under ROOT/objects/ab/<sha256>.ext; manifests under ROOT/runs; videos under ROOT/published."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        try:
            (self.root / "objects").mkdir(parents=True, exist_ok=True)
            # A unique probe name: several threads may open the same store at once.
            fd, probe = tempfile.mkstemp(dir=self.root / "objects", prefix=".write-test.")
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise StorageError(
                f"output folder {self.root} is not writable ({exc.strerror}); "
                "choose another with --out DIR or FRAMECAST_DATA_DIR"
            ) from exc

    def put(self, path: Path, media_type: str) -> ArtifactRef:
        """Store a file by content; storing the same bytes twice is a no-op."""
        path = Path(path)
        if not path.is_file():
            raise StorageError(f"cannot store {path}: no such file")
        digest = sha256_file(path)
        ext = EXTENSIONS.get(media_type) or mimetypes.guess_extension(media_type) or path.suffix
        dest = self.root / "objects" / digest[:2] / f"{digest}{ext}"
        size = path.stat().st_size
        if not (dest.is_file() and dest.stat().st_size == size):
            _atomic_copy(path, dest)
        return ArtifactRef(uri=dest.as_uri(), sha256=digest, size=size, media_type=media_type)

    def local_path(self, ref: ArtifactRef) -> Path:
        """The stored file for `ref`, after checking it is still there and whole."""
        from framecast.storage.refs import inside_root

        path = inside_root(self.root, ref.uri)  # a reference read back from a record may be forged
        if not path.is_file() or path.stat().st_size != ref.size:
            raise ArtifactMissing(
                f"artifact {path.name} is missing or truncated in the store; "
                "re-run with --refresh to regenerate cached steps"
            )
        return path

    def write_manifest(self, run_key: str, artifacts: dict[str, ArtifactRef], meta: dict) -> ArtifactRef:
        """Write ROOT/runs/<run_key>/manifest.json listing every artifact with size and sha256."""
        body = {
            "run": run_key,
            "written_at": datetime.now(UTC).isoformat(),
            **meta,
            "artifacts": {name: ref.model_dump() for name, ref in sorted(artifacts.items())},
        }
        dest = self.root / "runs" / run_key / "manifest.json"
        atomic_write_bytes(dest, json.dumps(body, indent=2).encode())
        return ArtifactRef(
            uri=dest.as_uri(), sha256=sha256_file(dest), size=dest.stat().st_size, media_type="application/json"
        )

    def publish(self, slot: str, files: dict[str, ArtifactRef], meta: dict) -> str:
        """Stage the files and metadata.json outside published/, then rename the folder into place.

        Publishing the same video to the same slot again is a no-op; a different video for a slot
        that is taken goes to <slot>-2, -3 …: nothing published is ever overwritten.
        """
        base = self.root / "published" / slot
        video_sha = files["video"].sha256 if "video" in files else ""
        candidates = [base] + [base.with_name(f"{base.name}-{n}") for n in range(2, 100)]
        for dest in candidates:
            holder = _marker(dest)
            if holder is not None and holder.get("video_sha256") == video_sha:
                return str(dest)  # published already: nothing to copy
            if not dest.exists():
                break
        staging_root = self.root / "staging" / "published"
        staging_root.mkdir(parents=True, exist_ok=True)
        _remove_stale(staging_root)
        staging = Path(tempfile.mkdtemp(dir=staging_root, prefix=slot.replace("/", "~") + "."))
        try:
            for name, ref in files.items():
                src = self.local_path(ref)
                _copy_synced(src, staging / f"{name}{EXTENSIONS.get(ref.media_type, src.suffix)}")
            record = {**meta, "video_sha256": video_sha, "files": {k: v.model_dump() for k, v in files.items()}}
            _write_synced(staging / MARKER, json.dumps(record, indent=2).encode())  # the marker goes last
            for dest in candidates:
                for _ in range(2):  # a rename that lost a race looks at the winner before moving on
                    holder = _marker(dest)
                    if holder is not None and holder.get("video_sha256") == video_sha:
                        return str(dest)  # a concurrent run of this same video committed first
                    if dest.exists():
                        break  # another video, or a folder that is not a publication: never touched
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    try:
                        os.rename(staging, dest)  # the commit: atomic, and it fails if dest appeared meanwhile
                    except OSError:
                        if not dest.exists():
                            raise
                        continue
                    return str(dest)
            raise StorageError(f"storage: too many publications under {base}")
        finally:
            shutil.rmtree(staging, ignore_errors=True)  # gone after a commit; a failure leaves nothing staged

    def publications(self, channel: str) -> list[dict]:
        """Every publication of `channel` (a committed one has its metadata.json), newest date first."""
        found = []
        for meta in (self.root / "published" / channel).glob(f"*/{MARKER}"):
            if meta.parent.name.startswith("."):
                continue  # a staging folder of an older framecast, never a publication
            record = json.loads(meta.read_text())
            found.append({k: record.get(k, "") for k in ("topic", "date", "title")} | {"location": str(meta.parent)})
        return sorted(found, key=lambda p: (p["date"], p["location"]), reverse=True)

    def claim(self, key: str, holder: dict) -> dict:
        """Create ROOT/claims/<key>.json with `holder` unless it exists: a hard link never replaces a file."""
        return _create_only(self.root / "claims" / f"{key}.json", holder)

    def get_record(self, key: str) -> dict | None:
        """A small JSON state record (e.g. a publication's upload session), or None."""
        path = self.root / "records" / f"{key}.json"
        return json.loads(path.read_text()) if path.is_file() else None

    def get_record_versioned(self, key: str) -> tuple[dict | None, str | int]:
        """A record and its version (0 when absent), for a later `put_record(..., if_generation_match=)`."""
        path = self.root / "records" / f"{key}.json"
        with _records_lock(self.root / "records"):
            return (json.loads(path.read_text()), _version(path)) if path.is_file() else (None, 0)

    def put_record(self, key: str, data: dict, *, if_generation_match: str | int | None = None) -> None:
        """Write a state record atomically (readers see the old or the new one, never half).

        With `if_generation_match` (a version from `get_record_versioned`, 0: must not exist) the write
        happens only if nobody replaced the record meanwhile, else RecordChanged.
        """
        path = self.root / "records" / f"{key}.json"
        with _records_lock(self.root / "records"):
            if if_generation_match is not None:
                current = _version(path) if path.is_file() else 0
                if current != if_generation_match:
                    raise RecordChanged(f"storage: record {key} changed since it was read; not overwriting")
            atomic_write_bytes(path, json.dumps(data, indent=2).encode())

    def create_record(self, key: str, data: dict) -> dict:
        """Create ROOT/records/<key>.json unless it exists (a hard link never replaces); return who holds it."""
        return _create_only(self.root / "records" / f"{key}.json", data)

    def list_records(self, prefix: str) -> dict[str, dict]:
        """Every record under ROOT/records/<prefix>/, by key."""
        root = self.root / "records"
        return {
            str(path.relative_to(root).with_suffix("")): json.loads(path.read_text())
            for path in sorted((root / prefix.strip("/")).rglob("*.json"))
            if not path.name.startswith(".")
        }

    def delete_record(self, key: str) -> None:
        (self.root / "records" / f"{key}.json").unlink(missing_ok=True)


@contextmanager
def _records_lock(folder: Path):
    """One writer of the records folder at a time (flock): a conditional write is a read, a compare and a write."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _version(path: Path) -> str:
    # Every write is a rename of a new file: a new inode, so (inode, mtime) names one version.
    st = path.stat()
    return f"{st.st_ino}-{st.st_mtime_ns}"


def _remove_stale(staging_root: Path) -> None:
    """Remove staging folders of publications interrupted (a crash) more than an hour ago."""
    cutoff = time.time() - STALE_STAGING_SECONDS
    for leftover in staging_root.iterdir():
        try:
            if leftover.stat().st_mtime < cutoff:
                shutil.rmtree(leftover, ignore_errors=True)
        except FileNotFoundError:
            pass


def _marker(folder: Path) -> dict | None:
    path = folder / MARKER
    return json.loads(path.read_text()) if path.is_file() else None


def _write_synced(dest: Path, data: bytes) -> None:
    with dest.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _copy_synced(src: Path, dest: Path) -> None:
    shutil.copyfile(src, dest)
    with dest.open("rb+") as fh:
        os.fsync(fh.fileno())


def _create_only(dest: Path, data: dict) -> dict:
    """Create `dest` holding `data` unless it exists: a hard link never replaces a file. Returns who holds it."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(json.dumps(data, indent=2).encode())
            fh.flush()
            os.fsync(fh.fileno())
        os.link(tmp, dest)  # atomic and create-only: whoever links first holds the key
        return data
    except FileExistsError:
        return json.loads(dest.read_text())
    finally:
        Path(tmp).unlink(missing_ok=True)
