"""The record contract both stores keep (job records, pending uploads): create-only, listed by prefix, deleted."""

import pytest

from framecast.storage.gcs import GcsArtifactStore
from framecast.storage.local import LocalArtifactStore


@pytest.fixture(params=["local", "gcs"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalArtifactStore(tmp_path / "store")
    client, bucket = request.getfixturevalue("gcs_bucket")
    return GcsArtifactStore(client, bucket, prefix="videos", cache_dir=tmp_path / "cache")


def test_records_can_be_created_once_listed_and_deleted(store):
    assert store.create_record("pending/youtube/demo/2026-11-24-a", {"n": 1}) == {"n": 1}
    assert store.create_record("pending/youtube/demo/2026-11-24-a", {"n": 2}) == {"n": 1}  # create-only
    store.create_record("pending/youtube/demo/2026-11-25-b", {"n": 3})
    store.put_record("youtube/demo/2026-11-24-a", {"video_id": "x"})  # another kind of record: not listed
    assert store.list_records("pending/youtube/demo") == {"pending/youtube/demo/2026-11-24-a": {"n": 1},
                                                          "pending/youtube/demo/2026-11-25-b": {"n": 3}}
    assert store.list_records("pending/youtube/other") == {}
    store.delete_record("pending/youtube/demo/2026-11-24-a")
    store.delete_record("pending/youtube/demo/2026-11-24-a")  # gone already: fine
    assert list(store.list_records("pending/youtube/demo")) == ["pending/youtube/demo/2026-11-25-b"]
    assert store.get_record("youtube/demo/2026-11-24-a") == {"video_id": "x"}
