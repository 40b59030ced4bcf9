"""Where Prefect persists task results: beside the artifacts on GCS when the store is a bucket.

Cached results are small models holding artifact references, so keeping them in the same bucket
lets any machine or worker resume a run, or reuse another's work, without re-paying for it.
"""

from __future__ import annotations

from framecast.config import get_settings


def result_storage(credentials=None):
    """A saved GcsBucket block for FRAMECAST_STORE=gs://…, else None (Prefect's default local storage).

    Prefect wants result storage persisted server-side (workers load it by reference), so the
    block is saved as `framecast-results-<bucket>`; `framecast prefect-setup` makes it the server's
    default result storage, which is how deployments on every worker use it.
    """
    uri = get_settings().store
    if not uri:
        return None
    from prefect_gcp import GcpCredentials, GcsBucket

    bucket, _, prefix = uri.removeprefix("gs://").partition("/")
    folder = "/".join(p for p in (prefix, "prefect-results") if p)
    block = GcsBucket(bucket=bucket, bucket_folder=folder, gcp_credentials=credentials or GcpCredentials())
    block.save(f"framecast-results-{bucket}".lower().replace("_", "-")[:60], overwrite=True)
    return block
