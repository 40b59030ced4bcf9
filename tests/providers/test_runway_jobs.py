"""Runway jobs against the sandbox: paid tasks counted by the sandbox, never by framecast.

Submits that may or may not have created a task, queue time vs the deadline, cancelling a task
past its deadline, expired output URLs, the daily cap, and the sandbox's concurrency slots.
"""

import socket
import threading
import time

import httpx
import pytest

from framecast.core.errors import InvalidRequest, ProviderTimeout, QuotaExhausted, RetryableError
from framecast.media import ffmpeg
from framecast.providers.base import JobRecord
from framecast.providers.local.image import LocalImageGenerator
from framecast.providers.runway.client import (
    API_VERSION,
    ResubmissionRefused,
    RunwayVideoGenerator,
    SubmissionUnconfirmed,
    data_uri,
)
from framecast.providers.runway.sandbox import CONCURRENCY_KEY, runway_tasks
from framecast.sandbox import Fault
from framecast.transport.http import ProviderHTTP
from framecast.transport.retry import RetryPolicy

KEY = "key-123456"


@pytest.fixture
def still(tmp_path):
    return LocalImageGenerator().generate("A volcano: erupting", width=640, height=360, seed=1, out=tmp_path / "s.png")


def generator(base_url: str, *, timeout: float = 30, sleep=None, **kw) -> RunwayVideoGenerator:
    client = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {KEY}"}, timeout=timeout)
    http = ProviderHTTP(
        "runway", client, secrets=[KEY], retry=RetryPolicy(base_delay=0.01), **({"sleep": sleep} if sleep else {})
    )
    return RunwayVideoGenerator(http, "gen4_turbo", **{"poll_seconds": 0.01, "deadline_seconds": 20, **kw})


def animate(gen, still, tmp_path, job=None):
    return gen.animate(
        still,
        prompt="slow push in",
        duration=4.2,
        width=640,
        height=360,
        fps=24,
        seed=7,
        out=tmp_path / "clip.mp4",
        job=job,
    )


def paid(sandbox) -> int:
    """Tasks the sandbox actually created (what Runway would bill)."""
    return sandbox.state.calls("runway", "paid")


def raw(sandbox) -> httpx.Client:
    return httpx.Client(
        base_url=sandbox.base_url("runway"),
        timeout=30,
        headers={"Authorization": f"Bearer {KEY}", "X-Runway-Version": API_VERSION},
    )


def blocker(sandbox, still) -> str:
    """A task created and polled to RUNNING outside framecast: it holds one concurrency slot."""
    with raw(sandbox) as c:
        task_id = c.post(
            "/v1/image_to_video",
            json={"model": "gen4_turbo", "promptImage": data_uri(still), "ratio": "1280:720", "duration": 5},
        ).json()["id"]
        assert [c.get(f"/v1/tasks/{task_id}").json()["status"] for _ in range(2)] == ["PENDING", "RUNNING"]
    return task_id


def history(sandbox, but: str = "") -> list[str]:
    """What the sandbox answered to the polls of the one task that is not `but`."""
    (task,) = [t for k, t in runway_tasks(sandbox.state).items() if k != but]
    return task["history"]


# -- submitting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault", [Fault(kind="http", status=503, retry_after="0"), Fault(kind="http", status=429, retry_after="0")]
)
def test_a_submit_refused_before_anything_was_created_is_sent_again(sandbox, still, tmp_path, fault):
    sandbox.state.inject("runway", "image_to_video", fault)
    assert animate(generator(sandbox.base_url("runway")), still, tmp_path).is_file()
    assert sandbox.state.calls("runway", "image_to_video") == 2 and paid(sandbox) == 1


class Forwarder:
    """A TCP forwarder to the sandbox on a port that refuses connections until it is started."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.listener: socket.socket | None = None

    def start(self, *_):
        if self.listener is None:
            self.listener = socket.create_server(("127.0.0.1", self.port))
            threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            for a, b in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self):
        if self.listener is not None:
            self.listener.close()


def test_a_refused_connection_is_sent_again_and_buys_one_task(sandbox, still, tmp_path):
    fwd = Forwarder(("127.0.0.1", sandbox.port))
    try:
        # Nothing listens until the first backoff: the first POST never leaves the machine.
        gen = generator(f"http://127.0.0.1:{fwd.port}/runway", sleep=fwd.start)
        assert animate(gen, still, tmp_path).is_file()
    finally:
        fwd.stop()
    assert sandbox.state.calls("runway", "image_to_video") == 1 and paid(sandbox) == 1


@pytest.mark.parametrize(
    "fault, created",
    [
        (Fault(kind="created_reset"), 1),  # created, then the connection dropped mid-answer
        (Fault(kind="created_stall", delay=1.0), 1),  # created, then no answer before the client's timeout
        (Fault(kind="http", status=500), 0),  # a 500: framecast cannot know whether it was created
    ],
)
def test_a_submit_that_may_have_created_a_task_is_not_sent_again(sandbox, still, tmp_path, fault, created):
    gen = generator(sandbox.base_url("runway"), timeout=0.4, resubmit_after_seconds=60)
    job = JobRecord()
    sandbox.state.inject("runway", "image_to_video", fault)
    with pytest.raises(SubmissionUnconfirmed, match="may have created") as caught:
        animate(gen, still, tmp_path, job=job)
    assert sandbox.state.calls("runway", "image_to_video") == 1 and paid(sandbox) == created
    # What the task retry sees: retryable, after the hold-off (slept by tasks/policies.is_transient).
    assert isinstance(caught.value, RetryableError) and not getattr(caught.value, "attempts_exhausted", False)
    assert 59 < caught.value.retry_after <= 60
    record = job.get()
    assert "task_id" not in record and len(record["unconfirmed"]) == 1 and "submitting" not in record
    with pytest.raises(SubmissionUnconfirmed, match="not submitted again for"):
        animate(gen, still, tmp_path, job=job)  # an immediate retry: still no second POST
    assert sandbox.state.calls("runway", "image_to_video") == 1 and paid(sandbox) == created


def test_after_the_hold_off_one_new_task_is_submitted(sandbox, still, tmp_path):
    gen = generator(sandbox.base_url("runway"), resubmit_after_seconds=0.2)
    job = JobRecord()
    sandbox.state.inject("runway", "image_to_video", Fault(kind="created_reset"))
    with pytest.raises(SubmissionUnconfirmed):
        animate(gen, still, tmp_path, job=job)
    time.sleep(0.25)
    assert animate(gen, still, tmp_path, job=job).is_file()
    assert paid(sandbox) == 2  # the accepted risk: the lost task may be billed too (documented)
    assert job.get()["task_id"] and len(job.get()["unconfirmed"]) == 1


def test_unconfirmed_submits_beyond_the_allowance_are_refused(sandbox, still, tmp_path):
    gen = generator(sandbox.base_url("runway"), resubmit_after_seconds=0, max_unconfirmed=1)
    job = JobRecord()
    sandbox.state.inject("runway", "image_to_video", Fault(kind="created_reset"), times=2)
    with pytest.raises(SubmissionUnconfirmed):
        animate(gen, still, tmp_path, job=job)
    with pytest.raises(ResubmissionRefused, match="2 submissions of this clip within 24 h"):
        animate(gen, still, tmp_path, job=job)  # the one resubmission, lost again
    with pytest.raises(ResubmissionRefused):
        animate(gen, still, tmp_path, job=job)  # and nothing more today
    assert sandbox.state.calls("runway", "image_to_video") == 2 and paid(sandbox) == 2


def test_max_unconfirmed_zero_never_resubmits(sandbox, still, tmp_path):
    gen = generator(sandbox.base_url("runway"), resubmit_after_seconds=0, max_unconfirmed=0)
    job = JobRecord()
    sandbox.state.inject("runway", "image_to_video", Fault(kind="created_reset"))
    for _ in range(2):
        with pytest.raises(ResubmissionRefused):
            animate(gen, still, tmp_path, job=job)
    assert paid(sandbox) == 1


def test_a_submit_interrupted_by_a_crash_counts_as_unconfirmed(sandbox, still, tmp_path):
    job = JobRecord()
    job.put({"submitting": {"token": "t0", "at": time.time()}})  # what a worker killed mid-POST leaves
    with pytest.raises(SubmissionUnconfirmed, match="stopped during the submit"):
        animate(generator(sandbox.base_url("runway")), still, tmp_path, job=job)
    assert sandbox.state.calls("runway", "image_to_video") == 0


def test_the_daily_cap_is_quota_exhausted_at_once(sandbox, still, tmp_path):
    job = JobRecord()
    sandbox.state.inject("runway", "image_to_video", Fault(kind="daily_cap"), times=5)
    with pytest.raises(QuotaExhausted, match="daily task limit"):
        animate(generator(sandbox.base_url("runway")), still, tmp_path, job=job)
    assert sandbox.state.calls("runway", "image_to_video") == 1 and paid(sandbox) == 0
    assert job.get() == {}  # nothing created: no marker left to hold a later run back


# -- waiting --------------------------------------------------------------------------------------


def test_throttled_queue_time_does_not_count_toward_the_deadline(sandbox, still, tmp_path):
    sandbox.state.latency[CONCURRENCY_KEY] = 1
    busy = blocker(sandbox, still)

    def finish_blocker():
        with raw(sandbox) as c:
            assert c.get(f"/v1/tasks/{busy}").json()["status"] == "SUCCEEDED"  # frees the slot

    timer = threading.Timer(0.6, finish_blocker)
    timer.start()
    started = time.monotonic()
    try:
        assert animate(generator(sandbox.base_url("runway"), deadline_seconds=0.2), still, tmp_path).is_file()
    finally:
        timer.join()
    assert time.monotonic() - started > 0.6  # three times the deadline, spent waiting for a slot
    seen = history(sandbox, but=busy)
    assert seen[0] == "PENDING" and seen.count("THROTTLED") > 5 and seen[-2:] == ["RUNNING", "SUCCEEDED"]
    assert sandbox.state.calls("runway", "cancel") == 0 and paid(sandbox) == 2


def test_past_the_deadline_the_task_is_cancelled_and_a_retry_buys_exactly_one_new_task(sandbox, still, tmp_path):
    gen = generator(sandbox.base_url("runway"), deadline_seconds=0.1)
    job = JobRecord()
    sandbox.state.inject("runway", "image_to_video", Fault(kind="stuck"))
    with pytest.raises(ProviderTimeout) as caught:
        animate(gen, still, tmp_path, job=job)
    (stuck,) = runway_tasks(sandbox.state)
    message = str(caught.value)
    for part in (
        "runway (motion)",
        f"{sandbox.base_url('runway')}/v1/tasks/{stuck}",
        "ran ",
        "past the 0 s deadline",
        "cancelled it",
        "a retry submits one new task",
    ):
        assert part in message
    assert not getattr(caught.value, "attempts_exhausted", False)  # the task retry may run
    assert job.get() == {}
    assert sandbox.state.calls("runway", "cancelled") == 1 and paid(sandbox) == 1
    assert animate(gen, still, tmp_path, job=job).is_file()  # the retry
    assert sandbox.state.calls("runway", "cancelled") == 1 and paid(sandbox) == 2
    assert sandbox.state.calls("runway", "cancel") == 1


def test_the_deadline_is_kept_across_a_resumed_attempt(sandbox, still, tmp_path):
    class WorkerDied(Exception):
        pass

    sleeps = []

    def dies_on_the_third_poll(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 3:
            raise WorkerDied

    job = JobRecord()
    sandbox.state.inject("runway", "image_to_video", Fault(kind="stuck"))
    first = generator(sandbox.base_url("runway"), deadline_seconds=0.3)
    first.sleep = dies_on_the_third_poll
    with pytest.raises(WorkerDied):
        animate(first, still, tmp_path, job=job)  # PENDING, RUNNING, then the worker is gone
    assert job.get()["running_since"]
    time.sleep(0.35)
    polls = sandbox.state.calls("runway", "tasks")
    with pytest.raises(ProviderTimeout, match="past the 0 s deadline"):
        animate(generator(sandbox.base_url("runway"), deadline_seconds=0.3), still, tmp_path, job=job)
    assert sandbox.state.calls("runway", "tasks") == polls + 1  # cancelled at the first poll of the resumed attempt
    assert sandbox.state.calls("runway", "cancelled") == 1 and paid(sandbox) == 1


def test_a_task_that_never_gets_a_slot_is_cancelled_at_the_queue_limit(sandbox, still, tmp_path):
    sandbox.state.latency[CONCURRENCY_KEY] = 1
    busy = blocker(sandbox, still)
    job = JobRecord()
    gen = generator(sandbox.base_url("runway"), deadline_seconds=2, queue_limit_seconds=0.3)
    with pytest.raises(ProviderTimeout, match="queue limit") as caught:
        animate(gen, still, tmp_path, job=job)
    assert caught.value.attempts_exhausted  # a retry would only queue behind the same backlog
    assert set(history(sandbox, but=busy)) == {"PENDING", "THROTTLED"}
    assert sandbox.state.calls("runway", "cancelled") == 1 and job.get() == {}
    assert runway_tasks(sandbox.state)[busy]["phase"] == "RUNNING"  # only our own task was cancelled


# -- downloading ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", [Fault(kind="expired"), Fault(kind="http", status=403)])
def test_an_expired_output_url_is_fetched_again_not_bought_again(sandbox, still, tmp_path, fault):
    sandbox.state.inject("runway", "media", fault)
    clip = animate(generator(sandbox.base_url("runway")), still, tmp_path)
    assert ffmpeg.stream(ffmpeg.probe(clip), "video")["codec_name"] == "h264"
    assert paid(sandbox) == 1 and sandbox.state.calls("runway", "image_to_video") == 1
    assert sandbox.state.calls("runway", "tasks") == 4  # PENDING, RUNNING, SUCCEEDED + one fresh URL
    assert sandbox.state.calls("runway", "media") == 2
    if fault.kind == "expired":  # the first URL stays expired: only the fresh one serves the clip
        (task_id,) = runway_tasks(sandbox.state)
        media = f"{sandbox.base_url('runway')}/media/{task_id}.mp4"
        assert httpx.get(media + "?sig=1").status_code == 404 and httpx.get(media + "?sig=2").status_code == 200


def test_output_urls_that_keep_expiring_give_up_but_keep_the_paid_task(sandbox, still, tmp_path):
    job = JobRecord()
    sandbox.state.inject("runway", "media", Fault(kind="expired"), times=3)
    with pytest.raises(InvalidRequest, match="still answers 404 after 2 fresh URLs"):
        animate(generator(sandbox.base_url("runway")), still, tmp_path, job=job)
    assert job.get()["task_id"] and paid(sandbox) == 1  # a re-run downloads it, it does not buy it again
    assert animate(generator(sandbox.base_url("runway")), still, tmp_path, job=job).is_file()
    assert paid(sandbox) == 1


# -- the sandbox itself ---------------------------------------------------------------------------


def test_the_sandbox_runs_at_most_n_tasks_and_throttles_the_rest(sandbox, still):
    sandbox.state.latency[CONCURRENCY_KEY] = 1
    body = {"model": "gen4_turbo", "promptImage": data_uri(still), "ratio": "1280:720", "duration": 5}
    with raw(sandbox) as c:
        a, b = (c.post("/v1/image_to_video", json=body).json()["id"] for _ in range(2))

        def status(task_id):
            return c.get(f"/v1/tasks/{task_id}").json()["status"]

        assert [status(a), status(b)] == ["PENDING", "PENDING"]
        assert [status(a), status(b), status(b)] == ["RUNNING", "THROTTLED", "THROTTLED"]
        assert c.delete(f"/v1/tasks/{a}").status_code == 204  # cancelling frees the slot
        assert c.get(f"/v1/tasks/{a}").status_code == 404 and c.delete(f"/v1/tasks/{a}").status_code == 404
        assert [status(b), status(b)] == ["RUNNING", "SUCCEEDED"]
        assert c.delete(f"/v1/tasks/{b}").status_code == 204  # a finished task is deleted, not cancelled
    assert sandbox.state.calls("runway", "cancelled") == 1 and sandbox.state.calls("runway", "cancel") == 3
    assert paid(sandbox) == 2
