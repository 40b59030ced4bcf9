"""Runway image-to-video against the sandbox: statuses, failures, download."""

import httpx
import pytest

from framecast.core.errors import ContentRejected, InvalidRequest, ProviderTimeout, ProviderUnavailable
from framecast.media import ffmpeg
from framecast.providers.base import JobRecord
from framecast.providers.local.image import LocalImageGenerator
from framecast.providers.runway.client import RunwayVideoGenerator, ratio_for
from framecast.sandbox import Fault
from framecast.transport.http import ProviderHTTP
from framecast.transport.retry import RetryPolicy


@pytest.fixture
def still(tmp_path):
    return LocalImageGenerator().generate("A volcano: erupting", width=640, height=360, seed=1, out=tmp_path / "s.png")


@pytest.fixture
def runway(sandbox):
    client = httpx.Client(
        base_url=sandbox.base_url("runway"), headers={"Authorization": "Bearer key-123456"}, timeout=30
    )
    http = ProviderHTTP("runway", client, secrets=["key-123456"], retry=RetryPolicy(base_delay=0.01))
    return RunwayVideoGenerator(http, "gen4_turbo", poll_seconds=0.01, deadline_seconds=20)


def animate(runway, still, tmp_path, duration=4.2, job=None):
    return runway.animate(
        still,
        prompt="slow push in",
        duration=duration,
        width=640,
        height=360,
        fps=24,
        seed=7,
        out=tmp_path / "clip.mp4",
        job=job,
    )


def test_ratios_are_pixel_pairs():
    assert ratio_for(1920, 1080) == "1280:720" and ratio_for(1080, 1920) == "720:1280"


def test_polls_through_pending_and_running_then_downloads_the_clip(runway, still, sandbox, tmp_path):
    clip = animate(runway, still, tmp_path)
    info = ffmpeg.probe(clip)
    assert ffmpeg.stream(info, "video")["codec_name"] == "h264"
    assert abs(float(info["format"]["duration"]) - 5) < 0.2  # ceil(4.2) s requested
    assert runway.seconds_billed == 5
    assert sandbox.state.calls("runway", "tasks") == 3  # PENDING, RUNNING, SUCCEEDED


def test_throttled_is_not_terminal(runway, still, sandbox, tmp_path):
    sandbox.state.inject("runway", "image_to_video", Fault(kind="throttled"))
    assert animate(runway, still, tmp_path).is_file()
    assert sandbox.state.calls("runway", "tasks") == 3


@pytest.mark.parametrize(
    "kind, error",
    [
        ("failed_safety", ContentRejected),
        ("failed_internal", ProviderUnavailable),
        ("cancelled", InvalidRequest),
    ],
)
def test_failures_map_to_the_error_tree(runway, still, sandbox, tmp_path, kind, error):
    sandbox.state.inject("runway", "image_to_video", Fault(kind=kind))
    with pytest.raises(error):
        animate(runway, still, tmp_path)
    assert not (tmp_path / "clip.mp4").exists()


def test_deadline(runway, still, sandbox, tmp_path):
    sandbox.state.inject("runway", "image_to_video", Fault(kind="stuck"))  # RUNNING until cancelled
    runway.deadline = 0.05  # counted from RUNNING (tests/providers/test_runway_jobs.py has the rest)
    with pytest.raises(ProviderTimeout, match="past the 0 s deadline"):
        animate(runway, still, tmp_path)
    assert sandbox.state.calls("runway", "cancelled") == 1


def test_request_is_validated_like_the_real_api(sandbox):
    bad = httpx.post(
        sandbox.base_url("runway") + "/v1/image_to_video",
        headers={"Authorization": "Bearer k", "X-Runway-Version": "2024-11-06"},
        json={"model": "gen4_turbo", "promptImage": "data:image/png;base64,AAAAAAAAAAAA", "ratio": "16:9"},
    )
    assert bad.status_code == 400
    assert ["ratio"] in [issue["path"] for issue in bad.json()["issues"]]  # the field is named
    no_version = httpx.post(
        sandbox.base_url("runway") + "/v1/image_to_video", headers={"Authorization": "Bearer k"}, json={}
    )
    assert no_version.status_code == 400 and "X-Runway-Version" in no_version.json()["error"]


@pytest.mark.parametrize("fault", [Fault(kind="http", status=503, retry_after="0"), Fault(kind="truncated")])
def test_a_failed_media_download_is_retried_without_buying_the_job_again(runway, still, sandbox, tmp_path, fault):
    sandbox.state.inject("runway", "media", fault)
    clip = animate(runway, still, tmp_path)
    assert ffmpeg.stream(ffmpeg.probe(clip), "video")["codec_name"] == "h264"  # whole, not the cut-off half
    assert sandbox.state.calls("runway", "image_to_video") == 1  # one paid job, counted by the provider
    assert sandbox.state.calls("runway", "media") == 2


def test_a_retry_after_a_broken_poll_resumes_the_paid_job_instead_of_buying_another(runway, still, sandbox, tmp_path):
    job = JobRecord()
    sandbox.state.inject("runway", "tasks", Fault(kind="malformed"))
    with pytest.raises(ProviderUnavailable, match="malformed JSON polling task"):
        animate(runway, still, tmp_path, job=job)
    recorded = job.get()["task_id"]
    assert sandbox.state.calls("runway", "image_to_video") == 1
    clip = animate(runway, still, tmp_path, job=job)  # what the task's retry does: same inputs, same record
    assert clip.is_file() and job.get()["task_id"] == recorded
    assert sandbox.state.calls("runway", "image_to_video") == 1  # no second paid job


def test_a_failed_job_is_forgotten_so_the_next_attempt_submits_a_new_one(runway, still, sandbox, tmp_path):
    job = JobRecord()
    sandbox.state.inject("runway", "image_to_video", Fault(kind="failed_internal"))
    with pytest.raises(ProviderUnavailable, match="failed"):
        animate(runway, still, tmp_path, job=job)
    assert job.get() == {}
    assert animate(runway, still, tmp_path, job=job).is_file()
    assert sandbox.state.calls("runway", "image_to_video") == 2


def test_each_model_is_asked_for_what_it_accepts(sandbox, still, tmp_path):
    client = httpx.Client(
        base_url=sandbox.base_url("runway"), headers={"Authorization": "Bearer key-123456"}, timeout=30
    )
    http = ProviderHTTP("runway", client, secrets=["key-123456"], retry=RetryPolicy(base_delay=0.01))
    veo = RunwayVideoGenerator(http, "veo3.1", poll_seconds=0.01, deadline_seconds=20)
    square = LocalImageGenerator().generate("A kite", width=360, height=360, seed=1, out=tmp_path / "q.png")
    veo.animate(square, prompt="", duration=4.6, width=360, height=360, fps=24, seed=7, out=tmp_path / "v.mp4")
    sent = sandbox.state.last_body[("runway", "image_to_video")]
    assert sent["duration"] == 6 and veo.seconds_billed == 6  # veo3.1 makes 4, 6 or 8 s
    assert sent["ratio"] == "1280:720"  # veo3.1 has no 960:960
    # Veo makes (and bills) audio unless told not to; framecast discards a clip's audio, so it sends audio: false.
    assert sent["audio"] is False
    (paid,) = [t for t in sandbox.state.tasks.values() if t.get("provider") == "runway" and t["body"] == sent]
    assert paid["credits"] == 20 * 6  # veo3.1's silent rate, not 40 a second
    gen45 = RunwayVideoGenerator(http, "gen4.5", poll_seconds=0.01, deadline_seconds=20)
    gen45.animate(still, prompt="", duration=3, width=640, height=360, fps=24, seed=7, out=tmp_path / "g.mp4")
    assert sandbox.state.last_body[("runway", "image_to_video")]["promptText"]  # gen4.5 requires one
    assert "audio" not in sandbox.state.last_body[("runway", "image_to_video")]  # not in gen4.5's schema


def test_veo_fast_is_asked_for_no_audio_and_the_sandbox_checks_the_field(sandbox, still, tmp_path):
    client = httpx.Client(
        base_url=sandbox.base_url("runway"), headers={"Authorization": "Bearer key-123456"}, timeout=30
    )
    http = ProviderHTTP("runway", client, secrets=["key-123456"], retry=RetryPolicy(base_delay=0.01))
    fast = RunwayVideoGenerator(http, "veo3.1_fast", poll_seconds=0.01, deadline_seconds=20)
    fast.animate(still, prompt="a kite", duration=4, width=640, height=360, fps=24, seed=7, out=tmp_path / "f.mp4")
    assert sandbox.state.last_body[("runway", "image_to_video")]["audio"] is False
    bad = httpx.post(
        sandbox.base_url("runway") + "/v1/image_to_video",
        headers={"Authorization": "Bearer k", "X-Runway-Version": "2024-11-06"},
        json={
            "model": "veo3.1_fast",
            "promptImage": "data:image/png;base64,AAAAAAAAAAAA",
            "ratio": "1280:720",
            "duration": 4,
            "audio": "off",
        },
    )
    assert bad.status_code == 400 and [i["path"] for i in bad.json()["issues"]] == [["audio"]]


def test_the_sandbox_refuses_what_a_model_does_not_accept_naming_the_field(sandbox):
    bad = httpx.post(
        sandbox.base_url("runway") + "/v1/image_to_video",
        headers={"Authorization": "Bearer k", "X-Runway-Version": "2024-11-06"},
        json={
            "model": "veo3.1",
            "promptImage": "data:image/png;base64,AAAAAAAAAAAA",
            "ratio": "960:960",
            "duration": 5,
        },
    )
    assert bad.status_code == 400
    assert {tuple(i["path"]) for i in bad.json()["issues"]} == {("duration",), ("ratio",)}
