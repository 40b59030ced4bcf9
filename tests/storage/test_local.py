import json
import os
import stat

import pytest

from framecast.core.errors import ArtifactMissing, StorageError
from framecast.storage.local import LocalArtifactStore, sha256_file


@pytest.fixture
def store(tmp_path):
    return LocalArtifactStore(tmp_path / "store")


def make(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_put_is_content_addressed_and_idempotent(store, tmp_path):
    a = store.put(make(tmp_path, "a.png", b"same bytes"), "image/png")
    b = store.put(make(tmp_path, "b.png", b"same bytes"), "image/png")
    c = store.put(make(tmp_path, "c.png", b"other bytes"), "image/png")
    assert a == b and a != c
    assert a.uri.endswith(f"/objects/{a.sha256[:2]}/{a.sha256}.png")
    path = store.local_path(a)
    assert path.read_bytes() == b"same bytes" and sha256_file(path) == a.sha256
    leftovers = [p for p in (store.root / "objects").rglob("*") if p.name.startswith(".")]
    assert leftovers == []  # temp files were renamed into place or removed


def test_missing_or_truncated_artifact_is_reported(store, tmp_path):
    ref = store.put(make(tmp_path, "v.mp4", b"0123456789"), "video/mp4")
    path = store.local_path(ref)
    path.write_bytes(b"01234")
    with pytest.raises(ArtifactMissing, match="--refresh"):
        store.local_path(ref)
    path.unlink()
    with pytest.raises(ArtifactMissing):
        store.local_path(ref)


def test_manifest_lists_every_artifact_with_size_and_checksum(store, tmp_path):
    refs = {
        "video": store.put(make(tmp_path, "v.mp4", b"video"), "video/mp4"),
        "thumb": store.put(make(tmp_path, "t.jpg", b"jpeg"), "image/jpeg"),
    }
    manifest = store.write_manifest("demo/2026-11-24/run-1", refs, {"topic": "x"})
    body = json.loads(store.local_path(manifest).read_text())
    assert body["topic"] == "x"
    assert body["artifacts"]["video"]["size"] == 5
    assert body["artifacts"]["thumb"]["sha256"] == refs["thumb"].sha256


def test_publish_never_overwrites_and_republishing_the_same_video_is_a_no_op(store, tmp_path):
    first = {"video": store.put(make(tmp_path, "v1.mp4", b"v1"), "video/mp4")}
    second = {"video": store.put(make(tmp_path, "v2.mp4", b"v2"), "video/mp4")}
    loc1 = store.publish("demo/2026-11-24-topic", first, {"title": "one"})
    assert store.publish("demo/2026-11-24-topic", first, {"title": "one"}) == loc1
    loc2 = store.publish("demo/2026-11-24-topic", second, {"title": "two"})
    assert loc2 != loc1 and loc2.endswith("-topic-2")
    assert (tmp_path / "store/published/demo/2026-11-24-topic/video.mp4").read_bytes() == b"v1"
    assert (
        json.loads((tmp_path / "store/published/demo/2026-11-24-topic-2/metadata.json").read_text())["title"] == "two"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_folder_is_a_clear_error(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    with pytest.raises(StorageError, match="not writable.*--out"):
        LocalArtifactStore(locked / "out")


def test_a_file_in_the_way_is_a_clear_error(tmp_path):
    blocker = tmp_path / "out"
    blocker.write_text("I am a file")
    with pytest.raises(StorageError, match="not writable.*--out"):
        LocalArtifactStore(blocker)


def test_concurrent_claims_have_exactly_one_winner(store):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        holders = list(pool.map(lambda i: store.claim("publish/demo/2026-11-24-kites", {"run": str(i)}), range(16)))
    assert len({h["run"] for h in holders}) == 1
    assert not list((store.root / "claims").rglob(".*.tmp"))  # no half-written claim is left behind


def test_publications_are_listed_newest_date_first(store, tmp_path):
    video = {"video": store.put(make(tmp_path, "v.mp4", b"v"), "video/mp4")}
    store.publish("demo/2026-11-24-a", video, {"topic": "A", "date": "2026-11-24"})
    store.publish("demo/2026-11-26-b", video, {"topic": "B", "date": "2026-11-26"})
    assert [(p["topic"], p["date"]) for p in store.publications("demo")] == [("B", "2026-11-26"), ("A", "2026-11-24")]
    assert store.publications("other") == []
