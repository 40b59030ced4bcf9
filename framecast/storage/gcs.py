"""Artifact store on Google Cloud Storage: create-only, checksummed, resumable for large media.

At 300 lines, on purpose: one class (the records half already lives in storage/records.py).

Layout (deterministic): gs://BUCKET/PREFIX/CHANNEL/DATE/RUN/<sha256>.<ext> for a run's artifacts,
…/CHANNEL/DATE/RUN/manifest.json for its manifest, …/published/<slot>/ for what was published and
…/records/<key>.json for small state records (upload sessions, pending uploads).
Every write is create-only (`if_generation_match=0`: real GCS answers 412 rather than overwrite)
and is checked again by reading the object's checksum back, which also catches a store that
ignores preconditions (as the local emulator does).

Every client call goes through framecast.transport.google (the client's own retry is off, so attempts
never multiply): a 429/5xx/timeout/dropped connection is retried here and, when it persists, is a
retryable StorageUnavailable/…, never a permanent error that would throw away a paid clip.

A publication is committed by its marker: the files are copied into published/<slot>/ and
verified against their sources first (replacing whatever an interrupted publication of another
video left there, removing its extra files), then metadata.json — naming the video — is created
last, create-only. Readers (`publications`, `publish`) treat a folder without the marker as not
published, so an interrupted publication is invisible and the next one leaves a consistent folder.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from google.api_core import exceptions as gexc
from google.cloud import storage

from framecast.core.errors import ArtifactMissing, StorageError
from framecast.core.models import ArtifactRef
from framecast.storage.local import EXTENSIONS, sha256_file
from framecast.storage.records import GcsConditionalRecords
from framecast.transport import google as google_errors
from framecast.transport.retry import RetryPolicy

RESUMABLE_CHUNK = 8 * 1024 * 1024  # files above this go up as resumable uploads in 8 MiB chunks
MARKER = "metadata.json"  # a publication's commit marker, created last
T = TypeVar("T")


class _Taken(StorageError):
    """A create-only write found the key holding other content."""


def _md5_b64(path: Path) -> str:
    import hashlib

    digest = hashlib.md5()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return base64.b64encode(digest.digest()).decode()


class GcsArtifactStore(GcsConditionalRecords):  # put_record, get_record_versioned: storage/records.py
    def __init__(
        self,
        client: storage.Client,
        bucket: str,
        prefix: str = "",
        cache_dir: Path | None = None,
        scope: callable = lambda: "",
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.client, self.bucket = client, client.bucket(bucket)
        self.prefix = prefix.strip("/")
        self.cache = Path(cache_dir or tempfile.mkdtemp(prefix="framecast-gcs-cache-"))
        self.cache.mkdir(parents=True, exist_ok=True)
        self.scope = scope  # the current run's "channel/date/run", where new artifacts go
        self.retry, self.sleep = retry, sleep

    def _key(self, *parts: str) -> str:
        return "/".join(p.strip("/") for p in (self.prefix, *parts) if p)

    def _uri(self, key: str) -> str:
        return f"gs://{self.bucket.name}/{key}"

    # -- every client call: translated, retried by framecast only (retry=None to the client) ---------
    def _call(self, operation: str, key: str, fn: Callable[[], T]) -> T:
        return google_errors.call(
            fn,
            provider="gcs",
            endpoint=f"{operation} {self._uri(key)}",
            stage="storage",
            storage=True,
            retry=self.retry,
            sleep=self.sleep,
        )

    def _get(self, key: str) -> storage.Blob | None:
        return self._call("objects.get", key, lambda: self.bucket.get_blob(key, retry=None))

    def _read_json(self, key: str) -> dict | None:
        def read():
            try:
                return json.loads(self.bucket.blob(key).download_as_bytes(retry=None))
            except gexc.NotFound:
                return None

        return self._call("objects.get", key, read)

    def _list(self, prefix: str) -> list[storage.Blob]:
        return self._call(
            "objects.list", prefix + "*", lambda: list(self.client.list_blobs(self.bucket, prefix=prefix, retry=None))
        )

    def _delete(self, key: str, generation: int | None = None) -> None:
        def delete():
            try:
                self.bucket.blob(key).delete(if_generation_match=generation, retry=None)
            except (gexc.NotFound, gexc.PreconditionFailed):
                pass  # gone already, or replaced meanwhile (then it is not ours to delete)

        self._call("objects.delete", key, delete)

    def _create(self, key: str, path: Path, media_type: str) -> storage.Blob:
        """Upload `path` to `key` unless the key exists; identical bytes there already are fine."""
        md5 = _md5_b64(path)
        existing = self._get(key)
        if existing is not None:
            if existing.md5_hash == md5:
                return existing
            raise _Taken(f"storage: gcs {self._uri(key)} already exists with other content; not overwriting")
        blob = self.bucket.blob(key, chunk_size=RESUMABLE_CHUNK if path.stat().st_size > RESUMABLE_CHUNK else None)

        def upload():
            try:
                blob.upload_from_filename(
                    str(path), content_type=media_type, if_generation_match=0, checksum="crc32c", retry=None
                )
            except gexc.PreconditionFailed:
                pass  # it exists now: an earlier attempt whose answer was lost, or someone else; the read-back decides

        self._call("objects.insert", key, upload)
        stored = self._get(key)
        if stored is None or stored.md5_hash != md5:
            raise _Taken(
                f"storage: gcs {self._uri(key)} does not hold what was uploaded (overwritten, or created "
                "by someone else meanwhile)"
            )
        return stored

    def _create_json(self, key: str, data: dict) -> dict:
        """Create the JSON object `key` unless it exists, then read back who holds it.

        The read-back decides, not the upload: the emulator ignores preconditions, real GCS answers 412.
        """
        existing = self._read_json(key)  # narrows the race where preconditions are not enforced
        if existing is not None:
            return existing
        body = json.dumps(data, indent=2)

        def upload():
            try:
                self.bucket.blob(key).upload_from_string(
                    body, content_type="application/json", if_generation_match=0, retry=None
                )
            except gexc.PreconditionFailed:
                pass

        self._call("objects.insert", key, upload)
        stored = self._read_json(key)
        return stored if stored is not None else data

    # -- artifacts ---------------------------------------------------------------------------------
    def put(self, path: Path, media_type: str) -> ArtifactRef:
        """Store a file under the current run's folder, named by its sha256."""
        path = Path(path)
        digest = sha256_file(path)
        ext = EXTENSIONS.get(media_type) or path.suffix
        key = self._key(self.scope() or "unscoped", f"{digest}{ext}")
        self._create(key, path, media_type)
        return ArtifactRef(uri=self._uri(key), sha256=digest, size=path.stat().st_size, media_type=media_type)

    def local_path(self, ref: ArtifactRef) -> Path:
        """A verified local copy (downloaded once into the cache)."""
        from framecast.storage.refs import check_sha, inside_bucket

        check_sha(ref)  # it names the cached file: a forged one could point anywhere
        inside_bucket(self.bucket.name, self.prefix, ref.uri)
        local = self.cache / f"{ref.sha256}{Path(ref.uri).suffix}"
        if local.is_file() and local.stat().st_size == ref.size:
            return local
        key = ref.uri.removeprefix(f"gs://{self.bucket.name}/")
        # A unique temp name: scene tasks in other threads may fetch the same artifact at once.
        fd, name = tempfile.mkstemp(dir=self.cache, prefix=f".{local.name}.", suffix=".part")
        os.close(fd)
        tmp = Path(name)

        def download():
            try:
                self.bucket.blob(key).download_to_filename(str(tmp), checksum="crc32c", retry=None)
            except gexc.NotFound as exc:
                raise ArtifactMissing(
                    f"{ref.uri} is missing; re-run with --refresh to regenerate cached steps"
                ) from exc

        try:
            self._call("objects.get", key, download)
            if sha256_file(tmp) != ref.sha256:
                raise ArtifactMissing(f"{ref.uri} does not match its sha256; re-run with --refresh")
            tmp.replace(local)
        finally:
            tmp.unlink(missing_ok=True)
        return local

    def write_manifest(self, run_key: str, artifacts: dict[str, ArtifactRef], meta: dict) -> ArtifactRef:
        body = {
            "run": run_key,
            "written_at": datetime.now(UTC).isoformat(),
            **meta,
            "artifacts": {name: ref.model_dump() for name, ref in sorted(artifacts.items())},
        }
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "manifest.json"
            path.write_text(json.dumps(body, indent=2))
            key = self._key(run_key, "manifest.json")
            self._create(key, path, "application/json")
            return ArtifactRef(
                uri=self._uri(key), sha256=sha256_file(path), size=path.stat().st_size, media_type="application/json"
            )

    # -- publications ------------------------------------------------------------------------------
    def publish(self, slot: str, files: dict[str, ArtifactRef], meta: dict) -> str:
        """Stage the files in published/<slot>/ (server-side copies, verified), then create the marker.

        Publishing the same video again is a no-op (or finishes an interrupted publication); a
        different video for a committed slot goes to <slot>-2, -3 …: nothing published is overwritten.
        """
        video_sha = files["video"].sha256 if "video" in files else ""
        for n in range(1, 100):
            base = self._key("published", slot if n == 1 else f"{slot}-{n}")
            marker = self._read_json(f"{base}/{MARKER}")
            if marker is None:
                break
            if marker.get("video_sha256") == video_sha:
                return self._uri(base)
        else:
            raise StorageError(f"storage: gcs: too many publications under {slot}")
        self._stage(base, files)
        record = {**meta, "video_sha256": video_sha, "files": {k: v.model_dump() for k, v in files.items()}}
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / MARKER
            path.write_text(json.dumps(record, indent=2))
            try:
                self._create(f"{base}/{MARKER}", path, "application/json")  # the commit: create-only, last
            except _Taken:
                holder = self._read_json(f"{base}/{MARKER}") or {}
                if holder.get("video_sha256") != video_sha:  # another video committed this folder meanwhile
                    return self.publish(slot, files, meta)
        return self._uri(base)

    def _stage(self, base: str, files: dict[str, ArtifactRef]) -> None:
        """Make published folder `base` hold exactly `files`, each verified by checksum against its source."""
        present = {blob.name: blob for blob in self._list(base + "/")}
        for name, ref in files.items():
            target = f"{base}/{name}{EXTENSIONS.get(ref.media_type, Path(ref.uri).suffix)}"
            source_key = ref.uri.removeprefix(f"gs://{self.bucket.name}/")
            source = self._get(source_key)
            if source is None:
                raise ArtifactMissing(f"storage: gcs {ref.uri} is missing, cannot publish it; re-run with --refresh")
            have = present.pop(target, None)
            if have is not None and have.md5_hash == source.md5_hash:
                continue  # staged already (an interrupted publication of this same video)
            generation = have.generation if have is not None else 0  # replace only what we looked at

            def copy(source=source, target=target, generation=generation):
                try:
                    self.bucket.copy_blob(source, self.bucket, target, if_generation_match=generation, retry=None)
                except gexc.PreconditionFailed:
                    pass  # changed meanwhile: the read-back below decides

            self._call("objects.copy", target, copy)
            copied = self._get(target)
            if copied is None or copied.md5_hash != source.md5_hash:
                raise StorageError(
                    f"storage: gcs {self._uri(target)} does not hold {ref.uri} after copying it "
                    "(another publication is writing this folder?)"
                )
        for name, blob in present.items():  # an interrupted publication of another video left these
            self._delete(name, blob.generation)

    def publications(self, channel: str) -> list[dict]:
        """Every committed publication of `channel` (its marker is written last), newest date first."""
        found = []
        for blob in self._list(self._key("published", channel) + "/"):
            if blob.name.endswith(f"/{MARKER}"):
                record = self._read_json(blob.name)
                if record is None:
                    continue
                location = self._uri(blob.name.removesuffix(f"/{MARKER}"))
                found.append({k: record.get(k, "") for k in ("topic", "date", "title")} | {"location": location})
        return sorted(found, key=lambda p: (p["date"], p["location"]), reverse=True)
