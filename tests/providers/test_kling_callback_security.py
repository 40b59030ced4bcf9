"""A Kling callback is a wake-up, never the answer (review M2, L6, I4, I6; issue 17 items 4 and 7).

The real receiver (uvicorn or its framework-free handler), the sandbox Kling and KlingVideoGenerator
with a store-backed job record. A forger holds the callback URL (as a proxy log would show it)
and the task id (in every genuine callback).
"""

import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framecast.callbacks.receiver import CallbackHandler, create_app
from framecast.core.errors import StorageError
from framecast.media import ffmpeg
from framecast.providers.base import JobRecord
from framecast.storage.local import LocalArtifactStore
from framecast.transport.callbacks import CallbackSigner, record_key
from tests.providers.test_kling_callbacks import (
    JOB,
    NONCE,
    SECRET,
    animate,
    kling,
    only_task,
    serving,
    signed,
    submitted,  # noqa: F401 - a fixture
    task_body,
)

KEY = record_key("kling", JOB)


@pytest.fixture
def receiver(store):
    with serving(create_app(store, SECRET)) as url:
        yield url


def watched_job(store, refunds: list) -> JobRecord:
    """The job record as `visuals.job_record` wires it: a clear refunds the paid job in the ledger."""
    return JobRecord(
        load=lambda: store.get_record(KEY),
        save=lambda data: store.put_record(KEY, data),
        key=KEY,
        on_clear=lambda ended: refunds.append(ended),
    )


def run_in_thread(fn):
    outcome = {}

    def target():
        try:
            outcome["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, outcome


def wait_for(condition, what: str, limit: float = 20.0):
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.01)


def forge(sandbox, store, body_of) -> httpx.Response:
    """Wait until the job is submitted, then POST a forged task to its real callback URL."""
    wait_for(lambda: len(sandbox.state.tasks) == 1 and (store.get_record(KEY) or {}).get("task_id"), "submission")
    task_id = store.get_record(KEY)["task_id"]
    return httpx.post(only_task(sandbox)["body"]["callback_url"], json=body_of(task_id))


def test_a_forged_failed_callback_refunds_nothing_and_kling_is_asked(sandbox, receiver, store, still, tmp_path):
    """The review's reproduction: a forged "failed" used to clear the job and refund it in the ledger."""
    sandbox.state.latency["kling.task"] = 10.0  # the genuine callback comes late; the second poll finishes the task
    refunds: list = []
    gen = kling(sandbox, receiver, poll=1.0)
    thread, outcome = run_in_thread(lambda: animate(gen, still, tmp_path, watched_job(store, refunds)))
    forged = forge(sandbox, store, lambda task_id: task_body(task_id, status="failed"))
    assert forged.status_code == 200  # the receiver cannot tell: the worker must ask Kling
    thread.join(30)
    assert "error" not in outcome, outcome.get("error")
    assert abs(ffmpeg.duration(outcome["value"]) - 5) < 0.2
    assert refunds == [] and store.get_record(KEY)["task_id"]  # nothing refunded, the job never cleared
    assert sandbox.state.calls("kling", "image2video.get") >= 2  # woken once (still processing), then finished
    assert sandbox.state.calls("kling", "paid") == 1


def test_a_forged_succeed_callback_never_downloads_its_url(sandbox, receiver, store, still, tmp_path):
    hits: list = []

    class Foreign(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("content-type", "video/mp4")
            self.end_headers()

        def log_message(self, *args):
            pass

    foreign = HTTPServer(("127.0.0.1", 0), Foreign)
    threading.Thread(target=foreign.serve_forever, daemon=True).start()
    try:
        sandbox.state.latency["kling.task"] = 10.0
        gen = kling(sandbox, receiver, poll=1.0)
        thread, outcome = run_in_thread(lambda: animate(gen, still, tmp_path, watched_job(store, [])))
        url = f"http://127.0.0.1:{foreign.server_port}/injected.mp4"
        assert forge(sandbox, store, lambda task_id: task_body(task_id, url=url)).status_code == 200
        thread.join(30)
    finally:
        foreign.shutdown()
    assert "error" not in outcome, outcome.get("error")
    assert hits == []  # the clip came from the URL Kling's own answer named
    assert abs(ffmpeg.duration(outcome["value"]) - 5) < 0.2


def test_a_url_from_an_earlier_submission_stops_working(receiver, store):
    old_nonce, new_nonce = "a" * 32, "b" * 32
    store.put_record(KEY, {"task_id": "task-1", "seconds": 5, "nonce": old_nonce})
    old_url = signed(receiver, nonce=old_nonce)
    # task-1 failed (confirmed by Kling), the record was cleared and the job resubmitted as task-2.
    store.put_record(KEY, {"task_id": "task-2", "seconds": 5, "nonce": new_nonce})
    response = httpx.post(old_url, json=task_body("task-2", status="failed"))
    assert response.status_code == 403 and "earlier submission" in response.json()["detail"]
    assert "callback" not in store.get_record(KEY)
    assert httpx.post(signed(receiver, nonce=new_nonce), json=task_body("task-2")).status_code == 200


def _handler(store) -> CallbackHandler:
    return create_app(store, SECRET).state.handler


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=st.text(min_size=1, max_size=80))
def test_any_token_text_is_a_403_never_a_500(tmp_path, token):
    store = LocalArtifactStore(tmp_path / "store")
    store.put_record(KEY, {"task_id": "task-1", "nonce": NONCE})
    ts = str(int(time.time()))
    status, _ = _handler(store).handle("kling", JOB, ts, token, b"{}", NONCE)
    assert status == 403


def test_a_non_ascii_token_over_http_is_403(receiver, store, submitted):  # noqa: F811 - fixture
    url = signed(receiver).rsplit("token=", 1)[0] + urlencode({"token": "é" * 64})
    assert httpx.post(url, json=task_body()).status_code == 403


def test_ts_in_other_digit_scripts_or_forms_is_refused(store, submitted):  # noqa: F811 - fixture
    ts = int(time.time())
    token = CallbackSigner(SECRET).sign("kling", JOB, NONCE, ts)
    arabic_indic = str(ts).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    for form in (arabic_indic, f"+{ts}", f" {ts}", f"{ts}\n", f"{str(ts)[:4]}_{str(ts)[4:]}", "0" * 13):
        status, _ = _handler(store).handle("kling", JOB, form, token, b"{}", NONCE)
        assert status == 403, repr(form)
    status, answer = _handler(store).handle(
        "kling", JOB, str(ts), token, b'{"task_id": "task-1", "task_status": "processing"}', NONCE
    )
    assert status == 200, answer


def test_the_url_is_checked_before_the_body_is_read(receiver, store, submitted):  # noqa: F811 - fixture
    forged = f"{receiver}/kling/{JOB}?ts={int(time.time())}&nonce={NONCE}&token={'0' * 64}"
    response = httpx.post(forged, content=b"x" * (2 << 20))  # too large, but the token decides first
    assert response.status_code == 403


class ClearedMeanwhile(LocalArtifactStore):
    """The worker clears the job record (Kling confirmed the task failed) right after the receiver read it."""

    armed = True

    def _cleared(self):
        if self.armed:
            self.armed = False
            self.put_record(KEY, {})

    def get_record(self, key):
        found = super().get_record(key)
        self._cleared()
        return found

    def get_record_versioned(self, key):
        found = super().get_record_versioned(key)
        self._cleared()
        return found


def test_a_callback_does_not_bring_back_a_record_the_worker_cleared(tmp_path):
    store = ClearedMeanwhile(tmp_path / "store")
    store.armed = False
    store.put_record(KEY, {"task_id": "task-1", "seconds": 5, "nonce": NONCE})
    store.armed = True
    ts = int(time.time())
    token = CallbackSigner(SECRET).sign("kling", JOB, NONCE, ts)
    raw = (
        b'{"task_id": "task-1", "task_status": "succeed", '
        b'"task_result": {"videos": [{"url": "https://x.klingai.com/v.mp4"}]}}'
    )
    status, _ = _handler(store).handle("kling", JOB, str(ts), token, raw, NONCE)
    assert store.get_record(KEY) == {}  # not resurrected: the next attempt starts a new job
    assert status == 404


def test_the_receiver_cannot_write_outside_job_records(store):
    scoped = _handler(store).store
    for key in (
        "youtube/demo/2026-12-07-a",
        "pending/youtube/demo/x",
        "jobs/kling/../../claims/x",
        "jobs/runway/" + "a" * 64,
        "prefect-results/abc",
        KEY + "\n",
        KEY + "/../../youtube/x",
    ):
        with pytest.raises(StorageError, match="only touch job records"):
            scoped.put_record(key, {"session": "http://127.0.0.1:1/steal"}, if_generation_match=0)
        with pytest.raises(StorageError):
            scoped.get_record_versioned(key)
    for name in ("put", "publish", "create_record", "delete_record", "claim", "write_manifest", "get_record"):
        assert not hasattr(scoped, name), name
    assert store.get_record("youtube/demo/2026-12-07-a") is None


def test_a_receiver_off_loopback_warns(monkeypatch, store, caplog):
    import uvicorn

    from framecast.callbacks import receiver

    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: None)  # only the listening is skipped
    with caplog.at_level(logging.WARNING, logger="framecast.callbacks.receiver"):
        receiver.serve(store, SECRET, host="127.0.0.1")
        assert not caplog.records
        receiver.serve(store, SECRET, host="0.0.0.0")
    assert any("0.0.0.0" in r.getMessage() and "plain HTTP" in r.getMessage() for r in caplog.records)


def test_the_callback_default_lifetime_is_three_hours():
    from framecast.settings import Settings
    from framecast.transport.callbacks import DEFAULT_MAX_AGE_SECONDS

    assert DEFAULT_MAX_AGE_SECONDS == 3 * 3600
    assert Settings.model_fields["callback_max_age_seconds"].default == 3 * 3600


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ts=st.text(max_size=16).filter(lambda t: not t.isascii() or not t.isdigit() or not 1 <= len(t) <= 12))
def test_any_ts_but_1_to_12_ascii_digits_is_a_403(tmp_path, ts):
    store = LocalArtifactStore(tmp_path / "store")
    store.put_record(KEY, {"task_id": "task-1", "nonce": NONCE})
    try:  # a token genuinely signed for the number the text may normalise to (what the old check accepted)
        token = CallbackSigner(SECRET).sign("kling", JOB, NONCE, int(ts))
    except ValueError:
        token = "0" * 64
    status, _ = _handler(store).handle(
        "kling", JOB, ts, token, b'{"task_id": "task-1", "task_status": "processing"}', NONCE
    )
    assert status == 403
