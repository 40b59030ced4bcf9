"""The only store access the callback receiver gets: read and conditionally rewrite job records.

The receiver faces the internet; if it is compromised, it must not be able to write Prefect
results, publications, pending uploads or any record but a provider job's (`jobs/kling/<sha256>`).
`JobRecordsOnly` wraps the artifact store and offers exactly those two calls, for exactly those
keys. On GCS, give the receiver's service account the same limit in IAM as well (docs/providers.md, "Kling
webhooks"): roles/storage.objectUser on the bucket with the condition
`resource.name.startsWith("projects/_/buckets/BUCKET/objects/PREFIX/records/jobs/kling/")`.
"""

from __future__ import annotations

from framecast.core.errors import StorageError
from framecast.transport.callbacks import PROVIDERS, job_id_from_key


class OutsideCallbackScope(StorageError):
    """The receiver tried to touch a store key that is not a provider job record."""


class JobRecordsOnly:
    """A store view that reads and conditionally replaces `jobs/<provider>/<sha256>` records, and nothing else."""

    def __init__(self, store):
        self._store = store

    @staticmethod
    def _checked(key: str) -> str:
        if not any(job_id_from_key(key, provider) for provider in PROVIDERS):
            raise OutsideCallbackScope(f"callbacks: the receiver may only touch job records, not {key!r}")
        return key

    def get_record_versioned(self, key: str) -> tuple[dict | None, str | int]:
        """The job record and its version (0 when absent)."""
        return self._store.get_record_versioned(self._checked(key))

    def put_record(self, key: str, data: dict, *, if_generation_match: str | int) -> None:
        """Replace the job record only if it is still at `if_generation_match` (RecordChanged otherwise)."""
        self._store.put_record(self._checked(key), data, if_generation_match=if_generation_match)
