"""References read back from the store: a forged pending upload cannot send any file the worker sees to YouTube."""

import hashlib
import os

import pytest

from framecast import context as runtime
from framecast.core.errors import QuotaExhausted, StorageError
from framecast.core.models import ArtifactRef
from framecast.publish import publish as publishing
from framecast.sandbox import Fault
from framecast.storage.local import LocalArtifactStore
from framecast.storage.refs import inside_bucket, stored_ref
from tests.providers.test_youtube_best_effort import finished_video, publish, uploaded, youtube_channel  # noqa: F401


def _secret(tmp_path):
    secret = tmp_path / "worker-secret.mp4"  # a file the worker can read, outside the store
    secret.write_bytes(os.urandom(4096))
    return secret, hashlib.sha256(secret.read_bytes()).hexdigest()


@pytest.mark.parametrize("forge", ["outside", "traversal", "bad_sha"])
def test_a_forged_pending_upload_is_refused_and_nothing_reaches_youtube(sandbox, youtube_channel, tmp_path, forge):
    from framecast import providers

    inputs = finished_video(tmp_path)
    store = runtime.store()
    sandbox.state.inject("youtube", "videos.insert", Fault(kind="upload_limit"))
    with pytest.raises(QuotaExhausted):
        publish(youtube_channel, inputs)
    [(key, job)] = store.list_records("pending/youtube/tiny-yt").items()
    secret, digest = _secret(tmp_path)
    video = dict(job["video"])
    if forge == "outside":
        video.update(uri=secret.as_uri(), sha256=digest, size=secret.stat().st_size)
    elif forge == "traversal":
        video.update(
            uri=f"{store.root.as_uri()}/objects/../../worker-secret.mp4", sha256=digest, size=secret.stat().st_size
        )
    else:
        video.update(sha256="../../" + "0" * 58)
    store.put_record(key, {**job, "video": video})  # whoever can write the store wrote this

    assert publishing.resume_pending(store, "tiny-yt", lambda: providers.publisher("youtube", store=store)) == []
    assert uploaded(sandbox) == {} and sandbox.state.calls("youtube", "videos.insert") == 1  # only the refused one
    stays = store.get_record(key)
    assert "refusing the reference" in stays["last_error"] and "publish: youtube upload of" in stays["last_error"]


def test_a_local_store_reads_only_its_own_files(tmp_path):
    store = LocalArtifactStore(tmp_path / "store")
    secret, digest = _secret(tmp_path)
    ref = ArtifactRef(uri=secret.as_uri(), sha256=digest, size=secret.stat().st_size, media_type="video/mp4")
    with pytest.raises(StorageError, match="outside the store root"):
        store.local_path(ref)
    good = store.put(secret, "video/mp4")
    assert (
        stored_ref(store, good.model_dump(), "t") == good and store.local_path(good).read_bytes() == secret.read_bytes()
    )
    with pytest.raises(StorageError, match="not an artifact reference"):
        stored_ref(store, {"uri": good.uri}, "t")


@pytest.mark.parametrize(
    "uri",
    [
        "gs://other-bucket/media/a.mp4",
        "gs://b/elsewhere/a.mp4",
        "gs://b/media/../x/a.mp4",
        "file:///etc/passwd",
        "https://b.storage.googleapis.com/media/a.mp4",
        "gs://b/media/",
    ],
)
def test_a_bucket_reference_must_lie_under_the_stores_prefix(uri):
    with pytest.raises(StorageError, match="outside the store gs://b/media"):
        inside_bucket("b", "media", uri)
    assert inside_bucket("b", "media", "gs://b/media/tiny/ab.mp4") == "media/tiny/ab.mp4"
