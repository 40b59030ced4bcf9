"""GcsArtifactStore through the real google-cloud-storage client against gcp-storage-emulator."""

import json
import os

import pytest

from framecast.core.errors import ArtifactMissing, StorageError
from framecast.storage.gcs import RESUMABLE_CHUNK, GcsArtifactStore


@pytest.fixture
def store(gcs_bucket, tmp_path):
    client, bucket = gcs_bucket
    return GcsArtifactStore(
        client, bucket, prefix="videos", cache_dir=tmp_path / "cache", scope=lambda: "demo/2026-11-24/run-1"
    )


def make(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_put_lays_out_by_channel_date_run_and_reads_back_verified(store, tmp_path):
    ref = store.put(make(tmp_path, "a.png", b"png bytes"), "image/png")
    assert ref.uri == f"gs://{store.bucket.name}/videos/demo/2026-11-24/run-1/{ref.sha256}.png"
    assert store.local_path(ref).read_bytes() == b"png bytes"
    assert store.put(make(tmp_path, "b.png", b"png bytes"), "image/png") == ref  # same bytes: idempotent


def test_large_media_go_up_resumably_and_intact(store, tmp_path):
    data = os.urandom(RESUMABLE_CHUNK + 1024 * 1024)
    ref = store.put(make(tmp_path, "big.mp4", data), "video/mp4")
    assert store.local_path(ref).read_bytes() == data


def test_an_existing_object_is_never_overwritten(store, tmp_path):
    """The emulator ignores if_generation_match; the store must still refuse to overwrite."""
    key = "videos/demo/2026-11-24/run-1/manifest.json"
    store.bucket.blob(key).upload_from_string(b'{"someone": "else"}')
    with pytest.raises(StorageError, match="already exists with other content"):
        store.write_manifest("demo/2026-11-24/run-1", {}, {"topic": "x"})
    assert store.bucket.blob(key).download_as_bytes() == b'{"someone": "else"}'


def test_missing_or_corrupted_artifacts_are_reported(store, tmp_path):
    ref = store.put(make(tmp_path, "v.mp4", b"video"), "video/mp4")
    key = ref.uri.removeprefix(f"gs://{store.bucket.name}/")
    store.bucket.blob(key).delete()
    with pytest.raises(ArtifactMissing, match="--refresh"):
        store.local_path(ref)


def test_publish_copies_server_side_and_is_idempotent(store, tmp_path):
    files = {
        "video": store.put(make(tmp_path, "v.mp4", b"video-1"), "video/mp4"),
        "captions": store.put(make(tmp_path, "c.srt", b"1\n"), "application/x-subrip"),
    }
    first = store.publish("demo/2026-11-24-tides", files, {"title": "Tides", "topic": "Tides"})
    assert store.publish("demo/2026-11-24-tides", files, {"title": "Tides", "topic": "Tides"}) == first
    other = {"video": store.put(make(tmp_path, "v2.mp4", b"video-2"), "video/mp4")}
    second = store.publish("demo/2026-11-24-tides", other, {"title": "Tides 2", "topic": "Tides"})
    assert second == first + "-2"
    prefix = first.removeprefix(f"gs://{store.bucket.name}/")
    assert store.bucket.blob(f"{prefix}/video.mp4").download_as_bytes() == b"video-1"
    meta = json.loads(store.bucket.blob(f"{prefix}/metadata.json").download_as_bytes())
    assert meta["video_sha256"] == files["video"].sha256
    assert [p["topic"] for p in store.publications("demo")] == ["Tides", "Tides"]


def test_a_claim_is_held_by_whoever_created_it_first(store):
    first = store.claim("publish/demo/2026-11-24-tides", {"run": "a", "video_sha256": "1"})
    second = store.claim("publish/demo/2026-11-24-tides", {"run": "b", "video_sha256": "2"})
    assert first == second == {"run": "a", "video_sha256": "1"}
    assert store.claim("publish/demo/2026-11-25-tides", {"run": "b"}) == {"run": "b"}


def test_a_bucket_store_without_credentials_says_how_to_get_them(monkeypatch, tmp_path):
    from framecast import context as runtime
    from framecast.settings import reset_settings

    for name in ("STORAGE_EMULATOR_HOST", "GOOGLE_APPLICATION_CREDENTIALS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_GCE_CHECK", "True")  # google-auth: do not probe a metadata server
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "no-gcloud"))
    monkeypatch.setenv("FRAMECAST_STORE", "gs://framecast-no-credentials")
    monkeypatch.setenv("FRAMECAST_DATA_DIR", str(tmp_path))
    reset_settings()
    try:
        with pytest.raises(StorageError, match="GOOGLE_APPLICATION_CREDENTIALS"):
            runtime.store()
    finally:
        reset_settings()
