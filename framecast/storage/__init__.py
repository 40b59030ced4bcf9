"""Artifact stores: where every file a run makes is kept (local folder or GCS), never overwritten."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from framecast.core.models import ArtifactRef


class ArtifactStore(Protocol):
    """Keeps artifacts by content and publishes finished videos."""

    def put(self, path: Path, media_type: str) -> ArtifactRef:
        """Store the file at `path` (content-addressed; idempotent) and return its reference."""

    def local_path(self, ref: ArtifactRef) -> Path:
        """A readable local file with the artifact's bytes (raises ArtifactMissing)."""

    def write_manifest(self, run_key: str, artifacts: dict[str, ArtifactRef], meta: dict) -> ArtifactRef:
        """Record a run's artifacts (name → ref, with size and sha256)."""

    def publish(self, slot: str, files: dict[str, ArtifactRef], meta: dict) -> str:
        """Make a finished video and its companions visible under `slot` in one commit; return the location.

        The files are staged first and made visible by the marker (metadata.json, naming the video)
        created last: a folder without it is not a publication, so an interrupted publish is never
        seen and never mixes one video's files with another's metadata.
        """

    def publications(self, channel: str) -> list[dict]:
        """What was committed for `channel` ({"topic", "date", "title", "location"}), newest date first."""

    def claim(self, key: str, holder: dict) -> dict:
        """Create the record `key` with `holder` unless it exists (atomically); return the record that holds it."""

    def get_record(self, key: str) -> dict | None:
        """A small JSON state record, or None."""

    def get_record_versioned(self, key: str) -> tuple[dict | None, str | int]:
        """A small JSON state record and its version (0 when absent), for a conditional `put_record`."""

    def put_record(self, key: str, data: dict, *, if_generation_match: str | int | None = None) -> None:
        """Replace a small JSON state record atomically; with `if_generation_match`, only if it is still that
        version (0: only if absent), else RecordChanged (framecast.storage.records)."""

    def create_record(self, key: str, data: dict) -> dict:
        """Create the record `key` with `data` unless it exists (atomically); return the record that holds it."""

    def list_records(self, prefix: str) -> dict[str, dict]:
        """Every record whose key starts with `prefix`/, by key."""

    def delete_record(self, key: str) -> None:
        """Remove a record (no error when it is not there)."""


def default_store(root: Path) -> ArtifactStore:
    from framecast.storage.local import LocalArtifactStore

    return LocalArtifactStore(root)
