"""Kling image-to-video (JWT, polling, callback, 1303) against the sandbox."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx
import jwt
import pytest

from framecast.core.errors import ContentRejected, RateLimited
from framecast.media import ffmpeg
from framecast.providers.kling.client import KlingVideoGenerator, kling_error, token
from framecast.providers.kling.submit import takes_sound
from framecast.providers.local.image import LocalImageGenerator
from framecast.sandbox import Fault
from framecast.transport.http import ProviderHTTP
from framecast.transport.retry import RetryPolicy

SECRET = "kling-secret-key-0123456789abcdefghijklmnop"


@pytest.fixture
def still(tmp_path):
    return LocalImageGenerator().generate("Waves: at night", width=640, height=360, seed=2, out=tmp_path / "s.png")


def kling(sandbox, callback=None, model="kling-v2-1", **kw):
    client = httpx.Client(base_url=sandbox.base_url("kling"), timeout=30)
    http = ProviderHTTP(
        "kling", client, reader=kling_error, retry=RetryPolicy(attempts=2, base_delay=0.01, max_wait=0.5)
    )
    return KlingVideoGenerator(
        http,
        model,
        "ak-sandbox",
        "sk-sandbox-secret-0123456789abcdefghij",
        poll_seconds=0.01,
        callback_url=callback,
        **kw,
    )


def test_token_is_hs256_with_issuer_and_validity_window():
    claims = jwt.decode(
        token("ak", SECRET, now=1_000_000),
        SECRET,
        algorithms=["HS256"],
        options={"verify_exp": False, "verify_nbf": False},
    )
    assert claims == {"iss": "ak", "exp": 1_001_800, "nbf": 999_995}


def test_animates_and_posts_the_callback(sandbox, still, tmp_path):
    received = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["content-length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.handle_request, daemon=True).start()
    gen = kling(sandbox, callback=f"http://127.0.0.1:{server.server_port}/kling-done")
    clip = gen.animate(
        still, prompt="slow pan", duration=4, width=640, height=360, fps=24, seed=1, out=tmp_path / "c.mp4"
    )
    assert abs(ffmpeg.duration(clip) - 5) < 0.2 and gen.seconds_billed == 5
    server.timeout = 5
    for _ in range(50):
        if received:
            break
        threading.Event().wait(0.1)
    server.server_close()
    assert received and received[0]["task_status"] == "succeed"
    # kling-v2-1 (the default) has no `sound` field (it exists from v2.6): none is sent.
    assert ["sound" in t["body"] for t in sandbox.state.tasks.values()] == [False]


def test_parallel_task_limit_1303_beyond_the_slot_budget_is_a_rate_limit_not_retried_again(sandbox, still, tmp_path):
    # Waiting for a slot is covered in test_kling_callbacks.py; here the budget is spent at once.
    sandbox.state.inject("kling", "image2video", Fault(kind="too_many_tasks"), times=2)
    with pytest.raises(RateLimited, match="1303") as caught:
        kling(sandbox, slot_wait_seconds=0).animate(
            still, prompt="", duration=5, width=640, height=360, fps=24, seed=1, out=tmp_path / "c.mp4"
        )
    assert caught.value.attempts_exhausted  # the task retry must not wait the budget again
    assert sandbox.state.calls("kling", "image2video") == 1 and sandbox.state.calls("kling", "paid") == 0


def test_risk_control_failure_is_content_rejected(sandbox, still, tmp_path):
    sandbox.state.inject("kling", "image2video", Fault(kind="failed_risk"))
    with pytest.raises(ContentRejected):
        kling(sandbox).animate(
            still, prompt="", duration=5, width=640, height=360, fps=24, seed=1, out=tmp_path / "c.mp4"
        )


def test_requests_without_a_valid_jwt_are_refused(sandbox):
    response = httpx.post(
        sandbox.base_url("kling") + "/v1/videos/image2video", headers={"authorization": "Bearer not-a-jwt"}, json={}
    )
    assert response.status_code == 401 and "malformed JWT" in response.json()["message"]


@pytest.mark.parametrize("fault", [Fault(kind="http", status=503), Fault(kind="truncated")])
def test_a_failed_media_download_is_retried_without_buying_the_job_again(sandbox, still, tmp_path, fault):
    sandbox.state.inject("kling", "media", fault)
    clip = kling(sandbox).animate(
        still, prompt="waves", duration=5, width=640, height=360, fps=24, seed=1, out=tmp_path / "clip.mp4"
    )
    assert ffmpeg.stream(ffmpeg.probe(clip), "video")["codec_name"] == "h264"
    assert sandbox.state.calls("kling", "image2video") == 1
    assert sandbox.state.calls("kling", "media") == 2


def test_the_deadline_counts_from_processing_and_names_the_task(sandbox, still, tmp_path):
    from framecast.core.errors import ProviderTimeout
    from framecast.providers.base import JobRecord
    from framecast.sandbox import Fault

    sandbox.state.inject("kling", "image2video", Fault(kind="stuck"))
    job = JobRecord()
    with pytest.raises(ProviderTimeout, match=r"still processing 0 s after it started") as info:
        kling(sandbox, deadline_seconds=0.2).animate(
            still, prompt="slow pan", duration=5, width=640, height=360, fps=24, seed=1, out=tmp_path / "c.mp4", job=job
        )
    assert job.get()["task_id"] in str(info.value)  # kept: the job may still finish, and a retry resumes it
    assert sandbox.state.calls("kling", "paid") == 1


def test_kling_v3_is_asked_for_the_whole_seconds_it_makes_and_v2_for_5_or_10(sandbox, still, tmp_path):
    v3 = kling(sandbox, model="kling-v3")
    v3.animate(still, prompt="slow pan", duration=7.2, width=640, height=360, fps=24, seed=1, out=tmp_path / "a.mp4")
    assert sandbox.state.last_body[("kling", "image2video")]["duration"] == "8" and v3.seconds_billed == 8
    assert sandbox.state.last_body[("kling", "image2video")]["sound"] == "off"  # v3 would add (and bill) its own
    v2 = kling(sandbox)
    v2.animate(still, prompt="slow pan", duration=7.2, width=640, height=360, fps=24, seed=1, out=tmp_path / "b.mp4")
    assert sandbox.state.last_body[("kling", "image2video")]["duration"] == "10" and v2.seconds_billed == 10
    assert "sound" not in sandbox.state.last_body[("kling", "image2video")]


@pytest.mark.parametrize(
    ("model", "sound"),
    [
        ("kling-v2-1", False),
        ("kling-v2-5-turbo", False),
        ("kling-v2-6", True),
        ("kling-v3", True),
        ("kling-v3-omni", True),
    ],
)
def test_sound_is_sent_only_to_models_that_take_it(model, sound):
    assert takes_sound(model) is sound
