"""YouTube after the upload: best-effort thumbnail and captions, quota refusals, pending uploads resumed once.

Everything runs against the sandbox's YouTube protocol; videos are counted on the sandbox side.
"""

import logging
import os
from datetime import UTC, date, datetime

import httpx
import pytest
from PIL import Image

from framecast import context as runtime
from framecast.core.errors import ProviderTimeout, ProviderUnavailable, QuotaExhausted
from framecast.core.models import CaptionFiles, QualityReport, Scene, Script, VideoAsset
from framecast.plan.load import load_channel
from framecast.providers.youtube.client import CHUNK, YouTubePublisher, video_resource
from framecast.publish import publish as publishing
from framecast.sandbox import Fault
from framecast.settings import reset_settings
from framecast.storage.local import LocalArtifactStore
from framecast.transport.http import ProviderHTTP
from framecast.transport.retry import RetryPolicy
from tests.conftest import write_channel

META = video_resource("How tides work", "Why the sea rises.", ["tides"], "private", "27", None)
FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)
DAY = date(2026, 11, 24)


@pytest.fixture
def files(tmp_path):
    video = tmp_path / "v.mp4"
    video.write_bytes(os.urandom(CHUNK + 12345))
    thumb = tmp_path / "t.jpg"
    Image.new("RGB", (128, 72), (200, 80, 40)).save(thumb, "JPEG")
    captions = tmp_path / "c.srt"
    captions.write_text("1\n00:00:00,000 --> 00:00:01,000\nHello\n\n")
    return video, thumb, captions


@pytest.fixture
def store(tmp_path):
    return LocalArtifactStore(tmp_path / "store")


def publisher(sandbox, store, timeout=30.0, retry=FAST):
    client = httpx.Client(base_url=sandbox.base_url("youtube"), timeout=timeout, follow_redirects=False)
    http = ProviderHTTP("youtube", client, secrets=["sandbox-refresh-token"], retry=retry, sleep=lambda s: None)
    return YouTubePublisher(
        http,
        sandbox.base_url("youtube") + "/token",
        "client-id",
        "client-secret",
        "sandbox-refresh-token",
        (store.get_record, store.put_record),
        sleep=lambda s: None,
    )


def uploaded(sandbox) -> dict:
    return {k: v for k, v in sandbox.state.tasks.items() if k.startswith("youtube:")}


def test_a_refused_thumbnail_is_a_warning_and_a_rerun_uploads_nothing_again(sandbox, store, files, caplog):
    video, thumb, captions = files
    sandbox.state.inject("youtube", "thumbnails.set", Fault(status=403))
    with caplog.at_level(logging.WARNING, logger="framecast"):
        record = publisher(sandbox, store).publish("k1", video, thumb, captions, META)
    assert record["video_id"] and record["captions_set"] and not record.get("thumbnail_set")
    assert record["skipped"]["thumbnail"]["permanent"] is True
    assert "publish: youtube thumbnails.set: 403" in record["skipped"]["thumbnail"]["error"]
    assert any("without its thumbnail" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)

    again = publisher(sandbox, store).publish("k1", video, thumb, captions, META)  # a re-run of the flow
    assert again["video_id"] == record["video_id"]
    assert len(uploaded(sandbox)) == 1 and sandbox.state.calls("youtube", "videos.insert") == 1
    assert sandbox.state.calls("youtube", "thumbnails.set") == 1  # refused for good: not asked again
    assert sandbox.state.calls("youtube", "captions.insert") == 1


def test_a_thumbnail_that_failed_for_now_is_set_by_the_next_publish(sandbox, store, files):
    video, thumb, captions = files
    sandbox.state.inject("youtube", "thumbnails.set", Fault(status=503), times=4)  # every attempt of this run
    first = publisher(sandbox, store).publish("k2", video, thumb, captions, META)
    skipped = first["skipped"]["thumbnail"]
    assert skipped["permanent"] is False and "(4 attempts)" in skipped["error"]
    second = publisher(sandbox, store).publish("k2", video, thumb, captions, META)
    assert second["thumbnail_set"] and "skipped" not in second
    assert len(uploaded(sandbox)) == 1 and uploaded(sandbox)[f"youtube:{first['video_id']}"]["thumbnail"] > 0


def test_a_503_on_the_metadata_post_is_retried_inside_the_call(sandbox, store, files):
    video, thumb, captions = files
    sandbox.state.inject("youtube", "videos.insert", Fault(status=503))
    record = publisher(sandbox, store).publish("k3", video, thumb, captions, META)
    assert record["video_id"] and record["thumbnail_set"] and record["captions_set"]
    assert sandbox.state.calls("youtube", "videos.insert") == 2 and len(uploaded(sandbox)) == 1


def test_a_503_that_persists_names_stage_endpoint_and_attempts(sandbox, store, files):
    sandbox.state.inject("youtube", "videos.insert", Fault(status=503), times=4)
    with pytest.raises(ProviderUnavailable, match=r"^publish: youtube videos.insert: 503: .*\(4 attempts\)$"):
        publisher(sandbox, store).publish("k4", files[0], None, None, META)


def test_the_upload_limit_is_quota_exhausted_without_promising_anything(sandbox, store, files):
    sandbox.state.inject("youtube", "videos.insert", Fault(kind="upload_limit"))
    with pytest.raises(QuotaExhausted, match="uploadLimitExceeded.*24-hour upload limit") as info:
        publisher(sandbox, store).publish("k5", files[0], None, None, META)
    assert info.value.status == 400 and "next run" not in str(info.value)
    assert uploaded(sandbox) == {} and store.get_record("k5") is None


@pytest.mark.parametrize(
    "fault, error",
    [(Fault(kind="malformed"), ProviderUnavailable), (Fault(kind="timeout", delay=0.6), ProviderTimeout)],
)
def test_no_raw_httpx_error_leaks_from_the_token_endpoint(sandbox, store, files, fault, error):
    sandbox.state.inject("youtube", "token", fault, times=2)
    with pytest.raises(error, match="publish: youtube oauth2 token"):
        publisher(sandbox, store, timeout=0.3, retry=RetryPolicy(attempts=2, base_delay=0.01)).publish(
            "k6", files[0], None, None, META
        )
    assert uploaded(sandbox) == {}


# -- pending uploads: publishing.publish → QuotaExhausted + record; resume_pending uploads it once --------
@pytest.fixture
def youtube_channel(sandbox, tmp_path, monkeypatch):
    for key, value in sandbox.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("FRAMECAST_DATA_DIR", str(tmp_path / "out"))
    reset_settings()
    path = write_channel(
        tmp_path, name="tiny-yt", publish={"targets": ["store", "youtube"], "youtube": {"privacy": "private"}}
    )
    yield load_channel(str(path))
    reset_settings()


def finished_video(tmp_path):
    """What the flow hands publish(): a passing video with its thumbnail, captions and manifest, in the store."""
    store = runtime.store()

    def put(name, data, kind):
        (tmp_path / name).write_bytes(data)
        return store.put(tmp_path / name, kind)

    image = tmp_path / "thumb.jpg"
    Image.new("RGB", (128, 72), (20, 80, 200)).save(image, "JPEG")
    srt = put("c.srt", b"1\n00:00:00,000 --> 00:00:01,000\nTides\n\n", "application/x-subrip")
    captions = CaptionFiles(
        srt=srt, vtt=put("c.vtt", b"WEBVTT\n", "text/vtt"), ass=put("c.ass", b"[Script]\n", "text/x-ssa"), cue_count=1
    )
    video = VideoAsset(
        ref=put("v.mp4", os.urandom(CHUNK + 4321), "video/mp4"), duration=2.0, width=320, height=180, fps=12
    )
    script = Script(
        title="How tides work",
        description="Why the sea rises.",
        tags=["tides"],
        scenes=[Scene(narration="The moon pulls the sea.", visual_prompt="Moon over the sea")],
    )
    report = QualityReport(analyzer="local", passed=True, checks=[])
    return dict(
        script=script,
        video=video,
        thumbnail=store.put(image, "image/jpeg"),
        captions=captions,
        report=report,
        manifest=put("m.json", b"{}", "application/json"),
    )


def publish(channel, inputs):
    return publishing.publish(
        inputs["script"],
        inputs["video"],
        inputs["thumbnail"],
        inputs["captions"],
        inputs["report"],
        inputs["manifest"],
        channel.publish,
        channel.name,
        "How tides work",
        DAY,
        run_id="run-1",
        services=runtime.services(),
    )


def test_an_upload_refused_for_quota_is_pending_and_the_next_run_uploads_it_once(sandbox, youtube_channel, tmp_path):
    from framecast import providers

    inputs = finished_video(tmp_path)
    store = runtime.store()
    slot = publishing.slot_of("tiny-yt", DAY, "How tides work")
    sandbox.state.inject("youtube", "videos.insert", Fault(kind="upload_limit"))
    with pytest.raises(QuotaExhausted, match="pending YouTube upload.*next run of channel tiny-yt uploads it first"):
        publish(youtube_channel, inputs)
    assert [p["topic"] for p in store.publications("tiny-yt")] == ["How tides work"]  # the store publication is done
    assert list(store.list_records("pending/youtube/tiny-yt")) == [f"pending/youtube/{slot}"]
    assert uploaded(sandbox) == {}

    made = []

    def make_publisher():
        made.append(1)
        return providers.publisher("youtube", store=store)

    [done] = publishing.resume_pending(store, "tiny-yt", make_publisher)  # what the next run does first
    assert done["slot"] == slot and done["video_id"] and done["thumbnail_set"] and done["captions_set"]
    [(key, video)] = uploaded(sandbox).items()
    assert key == f"youtube:{done['video_id']}"
    assert video["bytes"] == store.local_path(inputs["video"].ref).read_bytes()
    assert video["meta"]["status"]["containsSyntheticMedia"] is True
    assert store.list_records("pending/youtube/tiny-yt") == {}

    assert publishing.resume_pending(store, "tiny-yt", make_publisher) == [] and len(made) == 1  # nothing pending
    again = publish(youtube_channel, inputs)  # a re-run of the day: recognised, not uploaded again
    assert again.youtube["video_id"] == done["video_id"]
    assert len(uploaded(sandbox)) == 1 and sandbox.state.calls("youtube", "videos.insert") == 2  # 1 refused + 1


def test_a_pending_upload_still_refused_stays_pending_without_failing_the_run(
    sandbox, youtube_channel, tmp_path, caplog
):
    from framecast import providers

    inputs = finished_video(tmp_path)
    store = runtime.store()
    sandbox.state.inject("youtube", "videos.insert", Fault(kind="quota"), times=2)
    with pytest.raises(QuotaExhausted):
        publish(youtube_channel, inputs)
    with caplog.at_level(logging.WARNING, logger="framecast"):
        assert publishing.resume_pending(store, "tiny-yt", lambda: providers.publisher("youtube", store=store)) == []
    assert any("wait for the next run" in r.getMessage() for r in caplog.records)
    assert len(store.list_records("pending/youtube/tiny-yt")) == 1 and uploaded(sandbox) == {}
    [done] = publishing.resume_pending(
        store, "tiny-yt", lambda: providers.publisher("youtube", store=store)
    )  # quota is back
    assert done["video_id"] and len(uploaded(sandbox)) == 1


def test_a_pending_upload_whose_publish_time_passed_is_rescheduled():
    job = {"slot": "c/2026-11-24-x", "meta": video_resource("T", "", [], "private", "27", "2026-11-24T14:00:00Z")}
    now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    moved = publishing._rescheduled(job, now)
    assert moved["meta"]["status"]["publishAt"] == "2026-11-25T09:15:00Z"
    assert moved["meta"]["status"]["privacyStatus"] == "private"
    later = {"slot": "c/x", "meta": video_resource("T", "", [], "private", "27", "2026-11-26T14:00:00Z")}
    assert publishing._rescheduled(later, now) == later
