"""The record contract both stores keep (job records, pending uploads): create-only, listed by prefix, deleted,
and conditionally replaced (a write that names the version it read fails if the record changed since)."""

import json
import re
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from requests.adapters import HTTPAdapter

from framecast.storage.gcs import GcsArtifactStore
from framecast.storage.local import LocalArtifactStore
from framecast.storage.records import RecordChanged


class GenerationPreconditions(HTTPAdapter):
    """Plays real GCS's `ifGenerationMatch` on uploads, which gcp-storage-emulator ignores: 412 on a mismatch.

    Mounted in the client's session like tests/storage/gcs_faults.py; framecast's code runs unchanged.
    """

    def __init__(self, bucket):
        super().__init__()
        self.bucket = bucket  # read through another client: the current generation of the object

    def send(self, request, **kwargs):
        query = parse_qs(urlparse(request.url).query)
        if request.method in ("POST", "PUT") and "/upload/storage/" in request.url and "ifGenerationMatch" in query:
            body = request.body if isinstance(request.body, bytes) else str(request.body or "").encode()
            found = query.get("name") or re.findall(rb'"name": ?"([^"]+)"', body)[:1]
            name = found[0].decode() if isinstance(found[0], bytes) else found[0]
            blob = self.bucket.get_blob(name)
            if int(query["ifGenerationMatch"][0]) != (blob.generation if blob is not None else 0):
                response = requests.Response()
                response.status_code, response.reason = 412, "injected"
                response.url, response.request = request.url, request
                response.headers["content-type"] = "application/json"
                response._content = json.dumps(
                    {
                        "error": {
                            "code": 412,
                            "message": "Precondition Failed",
                            "errors": [{"reason": "conditionNotMet"}],
                        }
                    }
                ).encode()
                return response
        return super().send(request, **kwargs)


@pytest.fixture(params=["local", "gcs"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalArtifactStore(tmp_path / "store")
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    client, bucket = request.getfixturevalue("gcs_bucket")
    emulator = request.getfixturevalue("gcs_emulator")
    observer = storage.Client(project="framecast-test", credentials=AnonymousCredentials()).bucket(bucket)
    client._http.mount(emulator.rstrip("/") + "/", GenerationPreconditions(observer))
    return GcsArtifactStore(client, bucket, prefix="videos", cache_dir=tmp_path / "cache")


def test_records_can_be_created_once_listed_and_deleted(store):
    assert store.create_record("pending/youtube/demo/2026-11-24-a", {"n": 1}) == {"n": 1}
    assert store.create_record("pending/youtube/demo/2026-11-24-a", {"n": 2}) == {"n": 1}  # create-only
    store.create_record("pending/youtube/demo/2026-11-25-b", {"n": 3})
    store.put_record("youtube/demo/2026-11-24-a", {"video_id": "x"})  # another kind of record: not listed
    assert store.list_records("pending/youtube/demo") == {
        "pending/youtube/demo/2026-11-24-a": {"n": 1},
        "pending/youtube/demo/2026-11-25-b": {"n": 3},
    }
    assert store.list_records("pending/youtube/other") == {}
    store.delete_record("pending/youtube/demo/2026-11-24-a")
    store.delete_record("pending/youtube/demo/2026-11-24-a")  # gone already: fine
    assert list(store.list_records("pending/youtube/demo")) == ["pending/youtube/demo/2026-11-25-b"]
    assert store.get_record("youtube/demo/2026-11-24-a") == {"video_id": "x"}


def test_a_conditional_write_refuses_a_record_replaced_since_it_was_read(store):
    key = "jobs/kling/" + "a" * 64
    assert store.get_record_versioned(key) == (None, 0)
    store.put_record(key, {"task_id": "t1"}, if_generation_match=0)  # 0: only if it does not exist
    with pytest.raises(RecordChanged):
        store.put_record(key, {"task_id": "t9"}, if_generation_match=0)
    record, version = store.get_record_versioned(key)
    assert record == {"task_id": "t1"}
    store.put_record(key, {})  # the worker clears the job meanwhile (Kling confirmed it failed)
    with pytest.raises(RecordChanged):  # the receiver's write of what it read: refused, not resurrected
        store.put_record(key, {**record, "callback": {"status": "succeed"}}, if_generation_match=version)
    assert store.get_record(key) == {}
    cleared, now = store.get_record_versioned(key)
    assert cleared == {} and now != version
    store.put_record(key, {"task_id": "t2"}, if_generation_match=now)
    assert store.get_record(key) == {"task_id": "t2"}
