"""One translation point for Google client errors, and GcsArtifactStore under faults in the real client's transport."""

import os

import httpx
import pytest
import requests
from google.api_core import exceptions as gexc
from google.auth import exceptions as auth_exc

from framecast.core.errors import (
    AuthError,
    InvalidRequest,
    PermanentError,
    ProviderTimeout,
    ProviderUnavailable,
    QuotaExhausted,
    RateLimited,
    RetryableError,
    StorageDenied,
    StorageError,
    StorageRefused,
    StorageUnavailable,
    is_retryable,
)
from framecast.providers.base import JobRecord
from framecast.providers.local.image import LocalImageGenerator
from framecast.providers.runway.client import RunwayVideoGenerator
from framecast.storage.gcs import GcsArtifactStore
from framecast.transport import google as google_errors
from framecast.transport.http import ProviderHTTP
from framecast.transport.retry import RetryPolicy
from tests.storage.gcs_faults import copies, downloads, faulty_client, uploads

FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)


@pytest.mark.parametrize(
    "exc, expected",
    [
        (gexc.TooManyRequests("slow down"), RateLimited),
        (gexc.ResourceExhausted("Quota exceeded for quota metric 'Requests' per minute"), RateLimited),
        (gexc.ResourceExhausted("Quota exceeded for quota metric 'Requests' per day"), QuotaExhausted),
        (gexc.ServiceUnavailable("backend"), ProviderUnavailable),
        (gexc.InternalServerError("oops"), ProviderUnavailable),
        (gexc.BadGateway("proxy"), ProviderUnavailable),
        (gexc.GatewayTimeout("slow"), ProviderTimeout),
        (gexc.DeadlineExceeded("deadline"), ProviderTimeout),
        (gexc.RetryError("gave up", cause=gexc.ServiceUnavailable("x")), ProviderUnavailable),
        (requests.ConnectionError("reset"), ProviderUnavailable),
        (requests.Timeout("read timed out"), ProviderTimeout),
        (auth_exc.TransportError("token endpoint unreachable"), ProviderUnavailable),
        (ConnectionResetError(104, "Connection reset by peer"), ProviderUnavailable),
        (gexc.Forbidden("no", errors=[{"reason": "rateLimitExceeded"}]), RateLimited),
        (gexc.Forbidden("no", errors=[{"reason": "dailyLimitExceeded"}]), QuotaExhausted),
        (gexc.Forbidden("caller does not have storage.objects.create"), AuthError),
        (gexc.Unauthorized("bad token"), AuthError),
        (auth_exc.RefreshError("invalid_grant"), AuthError),
        (gexc.NotFound("no such object"), InvalidRequest),
        (gexc.BadRequest("bad"), InvalidRequest),
        (gexc.PreconditionFailed("generation mismatch"), InvalidRequest),
    ],
)
def test_each_google_error_lands_in_the_retryable_or_the_permanent_half(exc, expected):
    error = google_errors.translate(exc, provider="gcs", endpoint="objects.insert gs://b/k", stage="storage")
    assert type(error) is expected
    assert is_retryable(error) == issubclass(expected, RetryableError)
    assert str(error).startswith("storage: gcs objects.insert gs://b/k: ")
    assert error.provider == "gcs"


@pytest.mark.parametrize(
    "exc, expected",
    [
        (gexc.ServiceUnavailable("backend"), StorageUnavailable),
        (gexc.Forbidden("denied"), StorageDenied),
        (gexc.NotFound("gone"), StorageRefused),
        (requests.ConnectionError("reset"), StorageUnavailable),
    ],
)
def test_storage_errors_are_storage_errors_in_the_same_half(exc, expected):
    error = google_errors.translate(exc, provider="gcs", endpoint="objects.get gs://b/k", stage="storage", storage=True)
    assert type(error) is expected and isinstance(error, StorageError)
    assert isinstance(error, RetryableError) != isinstance(error, PermanentError)


def test_a_caller_may_give_a_plain_403_its_own_meaning():
    error = google_errors.translate(
        gexc.PermissionDenied("billing disabled"),
        provider="google",
        endpoint="videointelligence annotate_video",
        stage="quality",
        forbidden=QuotaExhausted,
    )
    assert isinstance(error, QuotaExhausted)


def test_call_retries_the_transient_ones_and_says_how_many_attempts_it_spent():
    outcomes = [gexc.ServiceUnavailable("busy"), requests.ConnectionError("reset"), "done"]
    waits = []

    def flaky():
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert (
        google_errors.call(
            flaky, provider="gcs", endpoint="objects.get gs://b/k", stage="storage", retry=FAST, sleep=waits.append
        )
        == "done"
    )
    assert len(waits) == 2

    with pytest.raises(StorageUnavailable, match=r"storage: gcs objects.get gs://b/k: 503 .*\(4 attempts\)") as info:
        google_errors.call(
            lambda: (_ for _ in ()).throw(gexc.ServiceUnavailable("busy")),
            provider="gcs",
            endpoint="objects.get gs://b/k",
            stage="storage",
            storage=True,
            retry=FAST,
            sleep=lambda s: None,
        )
    assert info.value.attempts == 4 and info.value.attempts_exhausted

    with pytest.raises(StorageDenied, match=r"\(1 attempt\)"):
        google_errors.call(
            lambda: (_ for _ in ()).throw(gexc.Forbidden("denied")),
            provider="gcs",
            endpoint="objects.get gs://b/k",
            stage="storage",
            storage=True,
            retry=FAST,
        )


# -- GcsArtifactStore through the real client, faults in its transport ---------------------------------------
@pytest.fixture
def faulty(gcs_emulator, gcs_bucket, tmp_path):
    _, bucket = gcs_bucket
    client, transport = faulty_client(gcs_emulator)
    store = GcsArtifactStore(
        client,
        bucket,
        prefix="media",
        cache_dir=tmp_path / "cache",
        scope=lambda: "demo/2026-11-24/run-1",
        retry=FAST,
        sleep=lambda s: None,
    )
    return store, transport


def test_a_transient_503_after_a_paid_clip_is_retried_and_the_clip_kept(faulty, sandbox, tmp_path):
    store, transport = faulty
    client = httpx.Client(
        base_url=sandbox.base_url("runway"), headers={"Authorization": "Bearer key-123456"}, timeout=30
    )
    runway = RunwayVideoGenerator(
        ProviderHTTP("runway", client, secrets=["key-123456"], retry=FAST),
        "gen4_turbo",
        poll_seconds=0.01,
        deadline_seconds=20,
    )
    still = LocalImageGenerator().generate("A volcano: erupting", width=640, height=360, seed=1, out=tmp_path / "s.png")
    records: dict = {}
    job = JobRecord(load=lambda: records.get("job"), save=lambda data: records.__setitem__("job", data))
    clip = runway.animate(
        still,
        prompt="slow push in",
        duration=2,
        width=640,
        height=360,
        fps=24,
        seed=7,
        out=tmp_path / "clip.mp4",
        job=job,
    )  # paid for: one Runway job

    transport.fail(uploads(), status=503, times=2)  # the bucket blips twice as the clip goes up
    ref = store.put(clip, "video/mp4")

    assert [status for _, _, status in transport.played] == [503, 503]
    assert transport.hits(uploads()) == 3  # retried by framecast, not multiplied by the client's own retry
    key = ref.uri.removeprefix(f"gs://{store.bucket.name}/")
    assert store.bucket.blob(key).download_as_bytes() == clip.read_bytes()  # the clip is kept
    assert sandbox.state.calls("runway", "image_to_video") == 1  # and paid for once


def test_a_503_that_persists_is_retryable_names_the_object_and_the_attempts(faulty, tmp_path):
    store, transport = faulty
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(os.urandom(4096))
    transport.fail(uploads(), status=503, times=10)
    with pytest.raises(StorageUnavailable) as info:
        store.put(clip, "video/mp4")
    error = info.value
    assert is_retryable(error) and isinstance(error, StorageError)
    assert str(error).startswith("storage: gcs objects.insert gs://") and "(4 attempts)" in str(error)
    assert error.attempts_exhausted  # the task layer does not start four more
    assert transport.hits(uploads()) == 4  # and the client's own retry did not multiply them


def test_a_dropped_connection_on_download_is_retried_and_the_copy_verified(faulty, tmp_path):
    store, transport = faulty
    data = os.urandom(10_000)
    (tmp_path / "v.mp4").write_bytes(data)
    ref = store.put(tmp_path / "v.mp4", "video/mp4")
    transport.fail(downloads(), status=0)
    store.cache = tmp_path / "fresh-cache"
    store.cache.mkdir()
    assert store.local_path(ref).read_bytes() == data
    assert transport.hits(downloads()) == 2


def test_forbidden_is_permanent_and_tried_once(faulty, tmp_path):
    store, transport = faulty
    (tmp_path / "a.png").write_bytes(b"png")
    transport.fail(uploads(), status=403, reason="forbidden", times=5)
    with pytest.raises(StorageDenied, match=r"storage: gcs objects.insert .*403.*\(1 attempt\)"):
        store.put(tmp_path / "a.png", "image/png")
    assert transport.hits(uploads()) == 1


def test_publication_copies_survive_a_blip(faulty, tmp_path):
    store, transport = faulty
    (tmp_path / "v.mp4").write_bytes(b"video-1")
    files = {"video": store.put(tmp_path / "v.mp4", "video/mp4")}
    transport.fail(copies(), status=503)
    location = store.publish("demo/2026-11-24-tides", files, {"topic": "Tides", "date": "2026-11-24"})
    prefix = location.removeprefix(f"gs://{store.bucket.name}/")
    assert store.bucket.blob(f"{prefix}/video.mp4").download_as_bytes() == b"video-1"
    assert [p["topic"] for p in store.publications("demo")] == ["Tides"]
