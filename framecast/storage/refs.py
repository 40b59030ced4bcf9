"""Checking artifact references that come back from the store (records, cached results) before they are used.

Whoever can write the store can write a record: a reference read back must name an object of this
store (inside the local root, or in the bucket under the store's prefix) by a real sha256, so a
forged record cannot make a worker read, and upload to YouTube, any file it can see.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlparse

from pydantic import ValidationError

from framecast.core.errors import StorageError
from framecast.core.models import ArtifactRef

SHA256 = re.compile(r"[0-9a-f]{64}")


def check_sha(ref: ArtifactRef, where: str = "") -> None:
    """Refuse a reference whose sha256 is not 64 lowercase hex digits (it names a cached file)."""
    if not SHA256.fullmatch(ref.sha256 or ""):
        raise StorageError(
            f"{where or 'artifact'}: sha256 {ref.sha256[:80]!r} is not 64 hex digits; refusing the "
            "reference (the record was not written by framecast: remove it)"
        )


def _parsed(uri: str):
    try:
        return urlparse(uri)
    except ValueError:  # e.g. an unbalanced "[" where a host would be
        return urlparse("")


def inside_root(root: Path, uri: str, where: str = "") -> Path:
    """The local path of a file:// `uri` inside `root`, else a StorageError naming both."""
    parsed = _parsed(uri)
    if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
        raise StorageError(
            f"{where or 'artifact'}: {uri[:200]!r} is not a file in the local store {root}; refusing the reference"
        )
    path = Path(unquote(parsed.path))
    resolved = path.resolve()
    if not resolved.is_relative_to(Path(root).resolve()):
        raise StorageError(
            f"{where or 'artifact'}: {uri[:200]!r} is outside the store root {root}; refusing the "
            "reference (the record was not written by framecast: remove it)"
        )
    return path


def inside_bucket(bucket: str, prefix: str, uri: str, where: str = "") -> str:
    """The object key of a gs:// `uri` in `bucket` under `prefix`, else a StorageError naming both."""
    parsed = _parsed(uri)
    key = unquote(parsed.path).lstrip("/")
    parts = PurePosixPath(key).parts
    head = prefix.strip("/") + "/" if prefix.strip("/") else ""
    if (
        parsed.scheme != "gs"
        or parsed.netloc != bucket
        or ".." in parts
        or not key.startswith(head)
        or not key.removeprefix(head).strip("/")
    ):
        root = "/".join(p for p in (f"gs://{bucket}", prefix.strip("/")) if p)
        raise StorageError(
            f"{where or 'artifact'}: {uri[:200]!r} is outside the store {root}; refusing the "
            "reference (the record was not written by framecast: remove it)"
        )
    return key


def stored_ref(store, data, where: str) -> ArtifactRef:
    """An ArtifactRef read from a record, checked to be an object of `store` with a real sha256."""
    try:
        ref = data if isinstance(data, ArtifactRef) else ArtifactRef.model_validate(data)
    except ValidationError as exc:
        raise StorageError(
            f"{where}: not an artifact reference ({exc.error_count()} field error(s)); refusing the record"
        ) from None
    check_sha(ref, where)
    if hasattr(store, "root"):
        inside_root(store.root, ref.uri, where)
    elif hasattr(store, "bucket"):
        inside_bucket(store.bucket.name, getattr(store, "prefix", ""), ref.uri, where)
    else:
        raise StorageError(f"{where}: cannot check references for a {type(store).__name__}")
    return ref
