"""Artifact store in a local folder: content-addressed objects, atomic writes, run manifests."""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urlparse

from framecast.errors import ArtifactMissing, StorageError
from framecast.models import ArtifactRef

CHUNK = 1 << 20
EXTENSIONS = {
    "video/mp4": ".mp4", "image/png": ".png", "image/jpeg": ".jpg", "audio/wav": ".wav",
    "audio/x-wav": ".wav", "audio/mpeg": ".mp3", "application/json": ".json",
    "text/vtt": ".vtt", "application/x-subrip": ".srt", "text/x-ssa": ".ass",
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
        parsed = urlparse(ref.uri)
        if parsed.scheme != "file":
            raise StorageError(f"LocalArtifactStore cannot read {ref.uri!r} (scheme {parsed.scheme!r})")
        path = Path(unquote(parsed.path))
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
            "written_at": datetime.now(timezone.utc).isoformat(),
            **meta,
            "artifacts": {name: ref.model_dump() for name, ref in sorted(artifacts.items())},
        }
        dest = self.root / "runs" / run_key / "manifest.json"
        atomic_write_bytes(dest, json.dumps(body, indent=2).encode())
        return ArtifactRef(
            uri=dest.as_uri(), sha256=sha256_file(dest), size=dest.stat().st_size, media_type="application/json"
        )

    def publish(self, slot: str, files: dict[str, ArtifactRef], meta: dict) -> str:
        """Copy the files into ROOT/published/<slot>/ as one atomic directory rename.

        Publishing the same video to the same slot again is a no-op; a different video for a slot
        that is taken goes to <slot>-2, -3 …: nothing published is ever overwritten.
        """
        base = self.root / "published" / slot
        video_sha = files["video"].sha256 if "video" in files else ""
        for n in range(1, 100):
            dest = base if n == 1 else base.with_name(f"{base.name}-{n}")
            if not dest.exists():
                break
            existing = dest / "metadata.json"
            if existing.is_file() and json.loads(existing.read_text()).get("video_sha256") == video_sha:
                return str(dest)
        else:
            raise StorageError(f"too many publications under {base}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}."))
        try:
            for name, ref in files.items():
                src = self.local_path(ref)
                shutil.copyfile(src, staging / f"{name}{EXTENSIONS.get(ref.media_type, src.suffix)}")
            record = {**meta, "video_sha256": video_sha, "files": {k: v.model_dump() for k, v in files.items()}}
            (staging / "metadata.json").write_text(json.dumps(record, indent=2))
            os.rename(staging, dest)  # fails if dest appeared meanwhile: never overwrite
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return str(dest)

    def publications(self, channel: str) -> list[dict]:
        """Every publication of `channel` (a complete one has its metadata.json), newest date first."""
        found = []
        for meta in (self.root / "published" / channel).glob("*/metadata.json"):
            record = json.loads(meta.read_text())
            found.append({k: record.get(k, "") for k in ("topic", "date", "title")} | {"location": str(meta.parent)})
        return sorted(found, key=lambda p: (p["date"], p["location"]), reverse=True)

    def claim(self, key: str, holder: dict) -> dict:
        """Create ROOT/claims/<key>.json with `holder` unless it exists: a hard link never replaces a file."""
        dest = self.root / "claims" / f"{key}.json"
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(json.dumps(holder, indent=2).encode())
                fh.flush()
                os.fsync(fh.fileno())
            os.link(tmp, dest)  # atomic and create-only: whoever links first holds the claim
            return holder
        except FileExistsError:
            return json.loads(dest.read_text())
        finally:
            Path(tmp).unlink(missing_ok=True)

    def get_record(self, key: str) -> dict | None:
        """A small JSON state record (e.g. a publication's upload session), or None."""
        path = self.root / "records" / f"{key}.json"
        return json.loads(path.read_text()) if path.is_file() else None

    def put_record(self, key: str, data: dict) -> None:
        """Write a state record atomically (readers see the old or the new one, never half)."""
        atomic_write_bytes(self.root / "records" / f"{key}.json", json.dumps(data, indent=2).encode())
