"""Artifact store on Google Cloud Storage: create-only, checksummed, resumable for large media.

Layout (deterministic): gs://BUCKET/PREFIX/CHANNEL/DATE/RUN/<sha256>.<ext> for a run's artifacts,
…/CHANNEL/DATE/RUN/manifest.json for its manifest, and …/published/<slot>/ for what was published.
Every write is create-only (`if_generation_match=0`: real GCS answers 412 rather than overwrite)
and is checked again by reading the object's checksum back, which also catches a store that
ignores preconditions (as the local emulator does).
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from google.api_core import exceptions as gexc
from google.cloud import storage

from framecast.errors import ArtifactMissing, StorageError
from framecast.models import ArtifactRef
from framecast.storage.local import EXTENSIONS, sha256_file

RESUMABLE_CHUNK = 8 * 1024 * 1024  # files above this go up as resumable uploads in 8 MiB chunks


def _md5_b64(path: Path) -> str:
    import hashlib

    digest = hashlib.md5()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return base64.b64encode(digest.digest()).decode()


class GcsArtifactStore:
    def __init__(self, client: storage.Client, bucket: str, prefix: str = "", cache_dir: Path | None = None,
                 scope: callable = lambda: ""):
        self.client, self.bucket = client, client.bucket(bucket)
        self.prefix = prefix.strip("/")
        self.cache = Path(cache_dir or tempfile.mkdtemp(prefix="framecast-gcs-cache-"))
        self.cache.mkdir(parents=True, exist_ok=True)
        self.scope = scope  # the current run's "channel/date/run", where new artifacts go

    def _key(self, *parts: str) -> str:
        return "/".join(p.strip("/") for p in (self.prefix, *parts) if p)

    def _create(self, key: str, path: Path, media_type: str) -> storage.Blob:
        """Upload `path` to `key` unless the key exists; identical bytes there already are fine."""
        blob = self.bucket.blob(key, chunk_size=RESUMABLE_CHUNK if path.stat().st_size > RESUMABLE_CHUNK else None)
        md5 = _md5_b64(path)
        existing = self.bucket.get_blob(key)
        if existing is not None:
            if existing.md5_hash == md5:
                return existing
            raise StorageError(f"gs://{self.bucket.name}/{key} already exists with other content; not overwriting")
        try:
            blob.upload_from_filename(str(path), content_type=media_type, if_generation_match=0, checksum="crc32c")
        except gexc.PreconditionFailed as exc:
            raise StorageError(f"gs://{self.bucket.name}/{key} was created by someone else meanwhile") from exc
        except gexc.GoogleAPIError as exc:
            raise StorageError(f"uploading gs://{self.bucket.name}/{key} failed: {exc}") from exc
        stored = self.bucket.get_blob(key)
        if stored is None or stored.md5_hash != md5:
            raise StorageError(f"gs://{self.bucket.name}/{key} does not hold what was uploaded (overwritten?)")
        return stored

    def put(self, path: Path, media_type: str) -> ArtifactRef:
        """Store a file under the current run's folder, named by its sha256."""
        path = Path(path)
        digest = sha256_file(path)
        ext = EXTENSIONS.get(media_type) or path.suffix
        key = self._key(self.scope() or "unscoped", f"{digest}{ext}")
        self._create(key, path, media_type)
        return ArtifactRef(uri=f"gs://{self.bucket.name}/{key}", sha256=digest, size=path.stat().st_size,
                           media_type=media_type)

    def local_path(self, ref: ArtifactRef) -> Path:
        """A verified local copy (downloaded once into the cache)."""
        local = self.cache / f"{ref.sha256}{Path(ref.uri).suffix}"
        if local.is_file() and local.stat().st_size == ref.size:
            return local
        key = ref.uri.removeprefix(f"gs://{self.bucket.name}/")
        # A unique temp name: scene tasks in other threads may fetch the same artifact at once.
        fd, name = tempfile.mkstemp(dir=self.cache, prefix=f".{local.name}.", suffix=".part")
        os.close(fd)
        tmp = Path(name)
        try:
            self.bucket.blob(key).download_to_filename(str(tmp), checksum="crc32c")
        except gexc.NotFound as exc:
            tmp.unlink(missing_ok=True)
            raise ArtifactMissing(f"{ref.uri} is missing; re-run with --refresh to regenerate cached steps") from exc
        if sha256_file(tmp) != ref.sha256:
            tmp.unlink(missing_ok=True)
            raise ArtifactMissing(f"{ref.uri} does not match its sha256; re-run with --refresh")
        tmp.replace(local)
        return local

    def write_manifest(self, run_key: str, artifacts: dict[str, ArtifactRef], meta: dict) -> ArtifactRef:
        body = {"run": run_key, "written_at": datetime.now(timezone.utc).isoformat(), **meta,
                "artifacts": {name: ref.model_dump() for name, ref in sorted(artifacts.items())}}
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "manifest.json"
            path.write_text(json.dumps(body, indent=2))
            key = self._key(run_key, "manifest.json")
            self._create(key, path, "application/json")
            return ArtifactRef(uri=f"gs://{self.bucket.name}/{key}", sha256=sha256_file(path),
                               size=path.stat().st_size, media_type="application/json")

    def publish(self, slot: str, files: dict[str, ArtifactRef], meta: dict) -> str:
        """Copy the files to published/<slot>/ server-side; metadata.json goes last, as the commit mark."""
        video_sha = files["video"].sha256 if "video" in files else ""
        for n in range(1, 100):
            base = self._key("published", slot if n == 1 else f"{slot}-{n}")
            marker = self.bucket.get_blob(f"{base}/metadata.json")
            if marker is None:
                break
            if json.loads(marker.download_as_bytes()).get("video_sha256") == video_sha:
                return f"gs://{self.bucket.name}/{base}"
        else:
            raise StorageError(f"too many publications under {slot}")
        for name, ref in files.items():
            source = self.bucket.blob(ref.uri.removeprefix(f"gs://{self.bucket.name}/"))
            target = f"{base}/{name}{EXTENSIONS.get(ref.media_type, Path(ref.uri).suffix)}"
            if self.bucket.get_blob(target) is None:
                self.bucket.copy_blob(source, self.bucket, target, if_generation_match=0)
        record = {**meta, "video_sha256": video_sha, "files": {k: v.model_dump() for k, v in files.items()}}
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "metadata.json"
            path.write_text(json.dumps(record, indent=2))
            self._create(f"{base}/metadata.json", path, "application/json")
        return f"gs://{self.bucket.name}/{base}"

    def publications(self, channel: str) -> list[dict]:
        """Every complete publication of `channel` (metadata.json is written last), newest date first."""
        found = []
        for blob in self.client.list_blobs(self.bucket, prefix=self._key("published", channel) + "/"):
            if blob.name.endswith("/metadata.json"):
                record = json.loads(blob.download_as_bytes())
                location = f"gs://{self.bucket.name}/{blob.name.removesuffix('/metadata.json')}"
                found.append({k: record.get(k, "") for k in ("topic", "date", "title")} | {"location": location})
        return sorted(found, key=lambda p: (p["date"], p["location"]), reverse=True)

    def claim(self, key: str, holder: dict) -> dict:
        """Create claims/<key>.json unless it exists (if_generation_match=0), then read back who holds it.

        The read-back decides, not the upload: the emulator ignores preconditions, real GCS answers 412.
        """
        blob = self.bucket.blob(self._key("claims", f"{key}.json"))
        existing = self.bucket.get_blob(blob.name)  # narrows the race where preconditions are not enforced
        if existing is not None:
            return json.loads(existing.download_as_bytes())
        body = json.dumps(holder, indent=2)
        try:
            blob.upload_from_string(body, content_type="application/json", if_generation_match=0)
        except gexc.PreconditionFailed:
            pass
        except gexc.GoogleAPIError as exc:
            raise StorageError(f"claiming gs://{self.bucket.name}/{blob.name} failed: {exc}") from exc
        stored = self.bucket.get_blob(blob.name)
        return json.loads(stored.download_as_bytes()) if stored is not None else holder

    def get_record(self, key: str) -> dict | None:
        blob = self.bucket.get_blob(self._key("records", f"{key}.json"))
        return json.loads(blob.download_as_bytes()) if blob is not None else None

    def put_record(self, key: str, data: dict) -> None:
        # Records evolve (session, then video id): a whole-object replace is atomic on GCS.
        self.bucket.blob(self._key("records", f"{key}.json")).upload_from_string(
            json.dumps(data, indent=2), content_type="application/json")
