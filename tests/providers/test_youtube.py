"""YouTube resumable publishing against the sandbox: resume, no double posts, clear auth/quota errors."""

import os

import httpx
import pytest
from PIL import Image

from framecast.core.errors import AuthError, QuotaExhausted
from framecast.providers.youtube.client import CHUNK, YouTubePublisher, video_resource
from framecast.sandbox import Fault
from framecast.storage.local import LocalArtifactStore
from framecast.transport.http import ProviderHTTP
from framecast.transport.retry import RetryPolicy

META = video_resource("How tides work", "Why the sea rises.", ["tides"], "private", "27", "2030-01-01T14:00:00Z")


@pytest.fixture
def files(tmp_path):
    video = tmp_path / "v.mp4"
    video.write_bytes(os.urandom(2 * CHUNK + 12345))
    thumb = tmp_path / "t.jpg"
    Image.new("RGB", (128, 72), (200, 80, 40)).save(thumb, "JPEG")
    captions = tmp_path / "c.srt"
    captions.write_text("1\n00:00:00,000 --> 00:00:01,000\nHello\n\n")
    return video, thumb, captions


@pytest.fixture
def store(tmp_path):
    return LocalArtifactStore(tmp_path / "store")


def publisher(sandbox, store, refresh="sandbox-refresh-token"):
    client = httpx.Client(base_url=sandbox.base_url("youtube"), timeout=30, follow_redirects=False)
    http = ProviderHTTP("youtube", client, secrets=[refresh], retry=RetryPolicy(base_delay=0.01))
    return YouTubePublisher(
        http,
        sandbox.base_url("youtube") + "/token",
        "client-id",
        "client-secret",
        refresh,
        (store.get_record, store.put_record),
        sleep=lambda s: None,
    )


def uploaded(sandbox):
    return {k: v for k, v in sandbox.state.tasks.items() if k.startswith("youtube:")}


def test_uploads_with_explicit_privacy_synthetic_media_thumbnail_and_captions(sandbox, store, files):
    video, thumb, captions = files
    record = publisher(sandbox, store).publish("demo/2026-11-24/tides", video, thumb, captions, META)
    [(key, stored)] = uploaded(sandbox).items()
    assert key == f"youtube:{record['video_id']}"
    assert stored["bytes"] == video.read_bytes()
    assert stored["meta"]["status"] == {
        "privacyStatus": "private",
        "containsSyntheticMedia": True,
        "selfDeclaredMadeForKids": False,
        "publishAt": "2030-01-01T14:00:00Z",
    }
    assert stored["thumbnail"] > 0 and stored["captions"] is True
    assert record["thumbnail_set"] and record["captions_set"]


def test_an_interrupted_upload_resumes_from_the_servers_range(sandbox, store, files):
    video, _, _ = files
    sandbox.state.inject("youtube", "upload", Fault(kind="interrupt"))
    record = publisher(sandbox, store).publish("k1", video, None, None, META)
    [stored] = uploaded(sandbox).values()
    assert stored["bytes"] == video.read_bytes() and record["video_id"]
    assert sandbox.state.calls("youtube", "upload.status") == 1  # asked once where to resume


def test_a_lost_response_is_not_a_second_video(sandbox, store, files):
    video, _, _ = files
    sandbox.state.inject("youtube", "upload", Fault(kind="lose_response"), times=3)
    first = publisher(sandbox, store).publish("k2", video, None, None, META)
    again = publisher(sandbox, store).publish("k2", video, None, None, META)  # a re-run of the flow
    assert first["video_id"] == again["video_id"]
    assert len(uploaded(sandbox)) == 1 and sandbox.state.calls("youtube", "videos.insert") == 1


def test_a_crash_between_upload_and_record_is_recovered_from_the_session(sandbox, store, files):
    video, _, _ = files
    yt = publisher(sandbox, store)
    session = yt._start(META, video.stat().st_size)
    store.put_record("k3", {"session": session})
    yt._send(session, video, 0)  # finished, but "the process died" before recording the id
    record = publisher(sandbox, store).publish("k3", video, None, None, META)
    assert record["video_id"] and len(uploaded(sandbox)) == 1


def test_revoked_refresh_token_says_how_to_fix_it(sandbox, store, files):
    with pytest.raises(AuthError, match="invalid_grant.*YOUTUBE_REFRESH_TOKEN.*7 days"):
        publisher(sandbox, store, refresh="expired-token").publish("k4", files[0], None, None, META)
    assert uploaded(sandbox) == {}


def test_quota_exhaustion_is_permanent_and_clear(sandbox, store, files):
    sandbox.state.inject("youtube", "videos.insert", Fault(kind="quota"))
    with pytest.raises(QuotaExhausted, match="daily quota"):
        publisher(sandbox, store).publish("k5", files[0], None, None, META)
    assert store.get_record("k5") is None
