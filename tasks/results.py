"""Where Prefect persists task results, and the rule that they are loaded only as framecast's own JSON.

Cached results are small models holding artifact references, so keeping them in a bucket (the
store's, or their own with FRAMECAST_RESULTS_STORE) lets any machine or worker resume a run, or
reuse another's work, without re-paying for it.

A stored result record names the serializer Prefect loads it with, and pickle is one of them: a
record written by whoever can write the result storage would run code on the worker that reads it.
So the storage blocks here check every record before Prefect sees it: the serializer must be
Prefect's plain JSON serializer (its default settings: a JSON "serializer" may also name the library
and the object hook it imports), and the classes it revives must be framecast's own models or plain
values. Anything else is refused with a warning and never deserialized; Prefect then treats the
cache entry as missing and runs the task again, overwriting the record.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from pathlib import Path

from prefect._internal.compatibility.async_dispatch import async_dispatch
from prefect.filesystems import LocalFileSystem
from prefect.serializers import JSONSerializer
from prefect_gcp import GcsBucket
from pydantic import BaseModel
from pydantic_settings import BaseSettings

from framecast.core.errors import StorageError
from framecast.settings import get_settings

log = logging.getLogger("framecast.results")

JSON = JSONSerializer().model_dump(mode="json")  # the only serializer a record may name
OWN_MODULES = ("framecast.", "tasks.", "flows.")  # where the models a result may revive are defined
LEGACY_KEYS = {"serializer", "data", "prefect_version", "expiration"}  # Prefect's older record layout
PLAIN_CLASSES = frozenset(
    {
        "datetime.date",
        "datetime.datetime",
        "datetime.time",
        "datetime.timedelta",
        "pathlib.Path",
        "pathlib.PosixPath",
        "pathlib.PurePosixPath",
        "uuid.UUID",
        "decimal.Decimal",
    }
)


class ResultRefused(StorageError):
    """A stored Prefect result that framecast will not deserialize."""


def _serializer(record: dict) -> object:
    if isinstance(record.get("metadata"), dict):
        return record["metadata"].get("serializer")
    return record.get("serializer")  # Prefect's older layout: {"serializer", "data", ...}


def _revived(value, found: list[tuple[str, object]]) -> None:
    """Collect every class name the JSON decoder would import (its object hook acts on each dict)."""
    if isinstance(value, dict):
        for key in ("__class__", "__exc_type__"):
            if key in value:
                found.append((key, value[key]))
        for item in value.values():
            _revived(item, found)
    elif isinstance(value, list):
        for item in value:
            _revived(item, found)


def _allowed(key: str, name) -> bool:
    """Whether the decoder may revive `name`: looked up among modules already loaded, so nothing is imported."""
    if not isinstance(name, str):
        return False
    if name in PLAIN_CLASSES:
        return True
    module, _, attr = name.rpartition(".")
    target = getattr(sys.modules.get(module), attr, None)
    if not isinstance(target, type):
        return False
    if key == "__exc_type__":
        return issubclass(target, BaseException)
    # framecast's own models only: validating one runs no code but framecast's validators
    return module.startswith(OWN_MODULES) and issubclass(target, BaseModel) and not issubclass(target, BaseSettings)


def _is_record(value) -> bool:
    """Whether Prefect would read `value` as a result record (which names its own serializer)."""
    if not isinstance(value, dict):
        return False
    return "metadata" in value or ({"serializer", "data"} <= value.keys() <= LEGACY_KEYS)


def json_only(content: bytes, path: str) -> bytes:
    """`content` unchanged if it is a result framecast wrote (plain JSON), else ResultRefused.

    A record names its serializer, which must be the plain JSON one. A bare value (what Prefect writes
    for a flow's own result, whose serializer the Prefect API's state names) must be JSON too.
    """
    try:
        value = json.loads(content)
    except (ValueError, TypeError, RecursionError):
        return _refuse(path, "is not JSON (or is nested too deeply)")
    body = value
    if _is_record(value):
        serializer = _serializer(value)
        if serializer != JSON:
            named = serializer.get("type") if isinstance(serializer, dict) else None
            return _refuse(
                path,
                f"names serializer {str(named)[:40]!r} with settings other than Prefect's plain JSON"
                if named
                else "names no serializer",
            )
        body = value.get("result") if "metadata" in value else value.get("data")
        if isinstance(body, str):
            try:
                body = json.loads(body)
            except (ValueError, RecursionError):
                return _refuse(path, "holds a result that is not JSON (or is nested too deeply)")
    found: list[tuple[str, object]] = []
    try:
        # The whole record too: one Prefect cannot validate as a record is decoded whole by its JSON decoder.
        _revived(body, found)
        if body is not value:
            _revived(value, found)
    except RecursionError:
        return _refuse(path, "is nested too deeply")
    bad = [name for key, name in found if not _allowed(key, name)]
    if bad:
        return _refuse(path, f"would revive {str(bad[0])[:80]!r}, which is not a framecast model or a plain value")
    return content


def _refuse(path: str, why: str):
    message = (
        f"results: the stored Prefect result {path} {why}; refusing to load it (framecast loads only its own "
        "JSON results). Whoever can write the result storage wrote it: check who can, then delete it"
    )
    log.warning(message)
    raise ResultRefused(message)


class JsonOnlyReads:
    """Mixed into a Prefect storage block: every read_path is checked by json_only before Prefect parses it."""

    async def aread_path(self, path: str) -> bytes:
        return json_only(await super().aread_path(path), path)

    @async_dispatch(aread_path)
    def read_path(self, path: str) -> bytes:
        return json_only(super().read_path(path, _sync=True), path)


class JsonOnlyLocalFileSystem(JsonOnlyReads, LocalFileSystem):
    """Prefect's local result folder, loading framecast's JSON results only."""

    _block_type_name = "framecast JSON results (local)"


class JsonOnlyGcsBucket(JsonOnlyReads, GcsBucket):
    """A GCS result folder, loading framecast's JSON results only."""

    _block_type_name = "framecast JSON results (GCS)"


def result_storage(credentials=None):
    """The result storage for a run, a saved JSON-only block: FRAMECAST_RESULTS_STORE=gs://… if set, else the
    store bucket's `prefect-results/` folder for FRAMECAST_STORE=gs://…, else the local Prefect result folder
    (PREFECT_RESULTS_LOCAL_STORAGE_PATH).

    Prefect wants shared result storage persisted server-side (workers load it by reference), so the
    bucket block is saved as `framecast-results-<bucket>`; `framecast prefect-setup` makes it the server's
    default result storage, which is how deployments on every worker use it.
    """
    settings = get_settings()
    uri = settings.results_store or settings.store
    if not uri:  # saved too (a flow's result storage must be), by a name that is this folder's
        from prefect.settings import PREFECT_RESULTS_LOCAL_STORAGE_PATH

        folder = str(Path(PREFECT_RESULTS_LOCAL_STORAGE_PATH.value()).expanduser().resolve())
        local = JsonOnlyLocalFileSystem(basepath=folder)
        local.save(f"framecast-results-local-{hashlib.sha256(folder.encode()).hexdigest()[:12]}", overwrite=True)
        return local
    from prefect_gcp import GcpCredentials

    bucket, _, prefix = uri.removeprefix("gs://").partition("/")
    own = "" if settings.results_store else "prefect-results"  # beside the artifacts: in their own folder
    folder = "/".join(p for p in (prefix.strip("/"), own) if p)
    block = JsonOnlyGcsBucket(bucket=bucket, bucket_folder=folder, gcp_credentials=credentials or GcpCredentials())
    block.save(f"framecast-results-{bucket}".lower().replace("_", "-")[:60], overwrite=True)
    return block
