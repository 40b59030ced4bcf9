"""Conditional record writes: read a record with its version, write it back only if nobody replaced it.

The callback receiver and the worker both rewrite a job record (`jobs/kling/<sha256>`): a callback
written just after the worker cleared the record must not bring the cleared job back. Both stores
take `put_record(key, data, if_generation_match=version)`; GCS checks the generation server-side
(412), the local store under a folder lock.
"""

from __future__ import annotations

import json

from google.api_core import exceptions as gexc

from framecast.core.errors import StorageError


class RecordChanged(StorageError):
    """A conditional record write found the record replaced since it was read (nothing was written)."""


class GcsConditionalRecords:
    """GcsArtifactStore's claims and job records (mixed in; uses its `_key`, `_call`, `bucket` and JSON helpers)."""

    def get_record_versioned(self, key: str) -> tuple[dict | None, int]:
        """A record and the generation it was read at (0 when absent)."""
        name = self._key("records", f"{key}.json")

        def read():
            blob = self.bucket.get_blob(name, retry=None)
            if blob is None:
                return None, 0
            generation = int(blob.generation)  # the download overwrites it from its headers
            try:  # the bytes of exactly that generation (a replace in between is a 412)
                data = blob.download_as_bytes(if_generation_match=generation, retry=None)
            except gexc.NotFound:
                return None, 0
            except gexc.PreconditionFailed:
                raise RecordChanged(f"storage: gcs record {key} changed while it was read") from None
            return json.loads(data), generation

        return self._call("objects.get", name, read)

    def put_record(self, key: str, data: dict, *, if_generation_match: int | None = None) -> None:
        """Replace a record (atomic on GCS); with `if_generation_match`, only if it is still that generation."""
        name = self._key("records", f"{key}.json")
        body = json.dumps(data, indent=2)

        def upload():
            try:
                self.bucket.blob(name).upload_from_string(
                    body, content_type="application/json", if_generation_match=if_generation_match, retry=None
                )
            except gexc.PreconditionFailed:
                raise RecordChanged(f"storage: gcs record {key} changed since it was read; not overwriting") from None

        self._call("objects.insert", name, upload)

    # -- claims and the rest of the records (through the store's _key/_create_json/_read_json/_list/_delete) --
    def claim(self, key: str, holder: dict) -> dict:
        """Create claims/<key>.json unless it exists (if_generation_match=0), then read back who holds it."""
        return self._create_json(self._key("claims", f"{key}.json"), holder)

    def get_record(self, key: str) -> dict | None:
        return self._read_json(self._key("records", f"{key}.json"))

    def create_record(self, key: str, data: dict) -> dict:
        """Create records/<key>.json unless it exists; return the record that holds the key."""
        return self._create_json(self._key("records", f"{key}.json"), data)

    def list_records(self, prefix: str) -> dict[str, dict]:
        """Every record under records/<prefix>/, by key."""
        root = self._key("records") + "/"
        found = {}
        for blob in self._list(root + prefix.strip("/") + "/"):
            if blob.name.endswith(".json"):
                record = self._read_json(blob.name)
                if record is not None:
                    found[blob.name.removeprefix(root).removesuffix(".json")] = record
        return found

    def delete_record(self, key: str) -> None:
        self._delete(self._key("records", f"{key}.json"))
