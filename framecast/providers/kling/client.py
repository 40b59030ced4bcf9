"""Kling image-to-video: per-request JWT, submit, poll (or callback), download.

With a callback base URL and secret, each submission gets its own signed `callback_url` carrying
a random nonce kept in the job record (`framecast.callbacks`); the receiver writes Kling's callback
into the job record, which the wait reads every `record_check_seconds`, while the API is polled
only every `poll_seconds` as the fallback. A callback is a wake-up, never the answer: it triggers
one authenticated `GET /v1/videos/image2video/{task_id}` at once, and only that answer's status
and video URL are used (a forged "failed" refunds nothing, a forged "succeed" downloads nothing).
A task Kling does not know (404, code 1203: expired, or made at another endpoint) is forgotten without a refund;
one recorded by an earlier attempt raises the retryable JobVanished, so the task retry submits a new one.
Submitting (1303 waits, `external_task_id`, a lost create answer found before anything is sent
again) is `framecast.providers.kling.submit`.
"""

from __future__ import annotations

import hashlib
import logging
import random
import threading
import time
from pathlib import Path

import jwt

from framecast.core.errors import (
    ConfigError,
    ContentRejected,
    InvalidRequest,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
)
from framecast.providers import registry
from framecast.providers.base import JobGone, JobRecord, JobVanished, api_endpoint
from framecast.providers.kling.submit import NOT_FOUND, SUBMIT_PATH, TOO_MANY_TASKS, KlingSubmission
from framecast.transport import redaction
from framecast.transport.callbacks import CallbackSigner, job_id_from_key, recorded_task
from framecast.transport.http import ProviderHTTP
from framecast.transport.retry import RetryPolicy

log = logging.getLogger(__name__)

# Kling's own domains (task_result videos come from v15/v16/s15-kling-fdl.klingai.com and cdn.klingai.com in
# public examples, 2026-12); not all of aliyuncs.com / amazonaws.com (review M3). FRAMECAST_MEDIA_HOSTS replaces it.
MEDIA_HOSTS = ("*.klingai.com", "*.kling.ai")
MAX_DOWNLOAD = 512 * 1024 * 1024
_JWTS: dict[str, tuple[str, float]] = {}  # sha256(account) -> (JWT, expiry): one per account and window
_JWT_LOCK = threading.Lock()


def token(access_key: str, secret_key: str, now: float | None = None) -> str:
    """The HS256 JWT Kling expects on every request (valid 30 minutes)."""
    now = time.time() if now is None else now
    return jwt.encode(
        {"iss": access_key, "exp": int(now) + 1800, "nbf": int(now) - 5},
        secret_key,
        algorithm="HS256",
        headers={"alg": "HS256", "typ": "JWT"},
    )


def kling_error(response) -> tuple[str, str]:
    try:
        body = response.json()
        return str(body.get("message", "")), str(body.get("code", ""))
    except (ValueError, AttributeError):
        return response.text[:300], ""


class KlingVideoGenerator(KlingSubmission):
    name = "kling"

    def __init__(
        self,
        http: ProviderHTTP,
        model: str,
        access_key: str,
        secret_key: str,
        *,
        mode: str = "std",
        poll_seconds: float = 5.0,
        deadline_seconds: float = 900.0,
        queue_limit_seconds: float = 7200.0,
        callback_url: str | None = None,
        callback_base_url: str | None = None,
        callback_secret: str | None = None,
        record_check_seconds: float = 1.0,
        slot_wait_seconds: float = 600.0,
        slot_retry_seconds: float = 5.0,
        sleep=time.sleep,
    ):
        """`callback_url` is a fixed URL (unsigned); `callback_base_url` + `callback_secret` sign one per job."""
        self.http, self.model, self.mode = http, model, mode
        self.access_key, self.secret_key = access_key, secret_key
        self.poll, self.deadline, self.callback_url, self.sleep = poll_seconds, deadline_seconds, callback_url, sleep
        self.queue_limit = queue_limit_seconds
        if bool(callback_base_url) != bool(callback_secret):
            raise ConfigError("kling callbacks need both FRAMECAST_CALLBACK_BASE_URL and FRAMECAST_CALLBACK_SECRET")
        self.signer = CallbackSigner(callback_secret, callback_base_url) if callback_base_url else None
        self.record_check = record_check_seconds
        self.slot_wait, self.slot_retry = slot_wait_seconds, slot_retry_seconds
        self.seconds_billed = 0
        # Creates go out once per call: a transient failure is judged (and looked up) before another POST.
        self._once = ProviderHTTP(
            http.provider,
            http.client,
            secrets=http.secrets,
            retry=RetryPolicy(attempts=1),
            limiter=http.limiter,
            reader=http.reader,
            sleep=http.sleep,
        )

    @property
    def endpoint(self) -> str:
        """The API base URL jobs are submitted to (part of a job record's key: a record is never resumed elsewhere)."""
        return api_endpoint(self.http.client)

    def _auth(self) -> dict:
        # One JWT per account and 25 minutes for the whole process (a generator is made per clip), registered for
        # redaction: its payload carries the access key in base64, which no form of the key itself matches.
        # Reusing it keeps the redaction list short in a long-lived worker.
        now, account = time.time(), hashlib.sha256(f"{self.access_key}\0{self.secret_key}".encode()).hexdigest()
        with _JWT_LOCK:
            jwt_and_expiry = _JWTS.get(account)
            if jwt_and_expiry is None or jwt_and_expiry[1] < now + 300:
                jwt_and_expiry = _JWTS[account] = (token(self.access_key, self.secret_key, now), now + 1800)
                redaction.register([jwt_and_expiry[0]])
        return {"Authorization": f"Bearer {jwt_and_expiry[0]}"}

    def _check(self, body: dict, what: str) -> dict:
        code = body.get("code", 0)
        if code == TOO_MANY_TASKS:
            raise RateLimited(f"kling: too many parallel tasks (1303) while {what}", retry_after=10, provider="kling")
        if code:
            raise InvalidRequest(f"kling: {what} failed: {body.get('message')} ({code})", provider="kling")
        return body.get("data") or {}

    @staticmethod
    def billed_seconds(duration: float, model: str = "kling-v2-1") -> int:
        """The clip Kling makes, and bills: the model's shortest length covering the scene (v2: 5 or 10 s;
        v3: 3–15 s); a longer slot is slowed down by the edit."""
        known = registry.model("kling", model)
        lengths = known.durations if known and known.durations else (5, 10)
        return next((n for n in lengths if n >= duration - 1e-6), lengths[-1])

    def animate(
        self,
        image: Path,
        *,
        prompt: str,
        duration: float,
        width: int,
        height: int,
        fps: int,
        seed: int,
        out: Path,
        job: JobRecord | None = None,
    ) -> Path:
        job = job or JobRecord()
        seconds = str(self.billed_seconds(duration, self.model))
        task_id = job.get().get("task_id")
        resumed = bool(task_id)
        if not task_id:  # nothing paid yet for these inputs (or a create whose answer was lost)
            task_id = self._start(job, image, prompt, seconds)
        self.seconds_billed = job.get().get("seconds", int(seconds))  # what the model makes is what Kling bills
        try:
            url = self._wait(task_id, job)
        except JobGone as gone:
            if not resumed:  # the task this attempt created vanished: not bought again here
                raise
            # An earlier attempt's task Kling no longer has: one new task is bought by the retry (a new charge
            # under the budgets), with a new external_task_id.
            raise JobVanished(
                f"{gone}; it was recorded by an earlier attempt, so the record is forgotten and a "
                "retry submits one new task",
                provider="kling",
            ) from gone
        out.parent.mkdir(parents=True, exist_ok=True)
        self.http.download(url, out, allowed_hosts=MEDIA_HOSTS, max_bytes=MAX_DOWNLOAD, content_types=("video/",))
        return out

    def _finish(self, task_id: str, data: dict, job: JobRecord) -> str | None:
        """The video URL of a succeeded task, None while it runs; a failed task is cleared and raised.

        `data` is always Kling's own answer to an authenticated poll, never a callback's body.
        """
        status = data.get("task_status")
        if status == "succeed":
            videos = (data.get("task_result") or {}).get("videos") or []
            if not videos:
                raise ProviderUnavailable(f"kling: task {task_id} succeeded without videos", provider="kling")
            return videos[0]["url"]
        if status == "failed":
            job.clear()
            why = data.get("task_status_msg", "")
            error = ContentRejected if "risk" in why.lower() or "safety" in why.lower() else InvalidRequest
            raise error(f"kling: task {task_id} failed: {why}", provider="kling")
        if status not in ("submitted", "processing"):
            raise ProviderUnavailable(f"kling: unknown task status {status!r}", provider="kling")
        return None

    def _recorded(self, task_id: str, job: JobRecord) -> dict | None:
        """The callback a receiver wrote into the job record for this task, if any (unconfirmed: a wake-up)."""
        try:
            return recorded_task(job.get(), task_id)
        except Exception as exc:  # noqa: BLE001 - the record is a shortcut; polling stays authoritative
            log.debug("kling: reading the job record failed (%s); polling continues", exc)
            return None

    def _poll(self, task_id: str, job: JobRecord) -> dict:
        """Kling's own answer for the task; a task Kling does not know (404 / 1203) is forgotten and raised."""
        response = self.http.request("GET", f"{SUBMIT_PATH}/{task_id}", headers=self._auth(), allow=(404,))
        try:
            payload = response.json()
        except ValueError:
            payload = None
        unknown = isinstance(payload, dict) and str(payload.get("code")) == NOT_FOUND[1]
        if response.status_code == NOT_FOUND[0] or unknown:
            job.forget()  # not refunded: a task that expired at Kling was billed
            raise JobGone(
                f"kling: task {task_id} is unknown to GET {self.endpoint}{SUBMIT_PATH}/{task_id} (404, code "
                f"{NOT_FOUND[1]}); its job record {job.key or '(in memory)'} is cleared",
                provider="kling",
            )
        if not isinstance(payload, dict):
            raise ProviderUnavailable(
                f"kling: malformed JSON in the response to GET {SUBMIT_PATH}/{task_id}", provider="kling"
            )
        return self._check(payload, "polling")

    def _wait(self, task_id: str, job: JobRecord) -> str:
        """Wait for a terminal status from Kling's own answer; a failed job is cleared, a blip or the deadline is not.

        With callbacks the job record is read every `record_check_seconds` (a cheap local or GCS read)
        and the API polled every `poll_seconds`; a new callback in the record brings the next poll
        forward to now. Without, the API is polled every `poll_seconds`.
        """
        # The deadline counts from "processing": time queued as "submitted" has its own, longer limit.
        started, slept, status = time.monotonic(), 0.0, "submitted"
        running: tuple[float, float] | None = None
        watch = bool(self.signer and job_id_from_key(getattr(job, "key", None), self.name))
        until_poll = self.poll * (1 + random.uniform(0, 0.3))
        woken: set = set()  # the callbacks already confirmed (one GET each, however often the record is read)
        while True:
            if watch:
                seen = self._recorded(task_id, job)
                if seen is not None and seen.get("received_at") not in woken:
                    woken.add(seen.get("received_at"))
                    log.info(
                        "kling: a callback says task %s %s; asking Kling (GET %s/%s)",
                        task_id,
                        seen.get("status"),
                        SUBMIT_PATH,
                        task_id,
                    )
                    until_poll = 0.0
            if until_poll > 1e-9:
                step = min(self.record_check, until_poll) if watch else until_poll
                self.sleep(step)
                slept, until_poll = slept + step, until_poll - step
            if until_poll <= 1e-9:
                until_poll = self.poll * (1 + random.uniform(0, 0.3))
                data = self._poll(task_id, job)
                if data.get("task_id", task_id) != task_id:
                    raise ProviderUnavailable(
                        f"kling: GET {SUBMIT_PATH}/{task_id} answered for another task", provider="kling"
                    )
                status = data.get("task_status")
                url = self._finish(task_id, data, job)
                if url:
                    return url
                if status == "processing" and running is None:
                    running = (time.monotonic(), slept)
            if running is not None and max(time.monotonic() - running[0], slept - running[1]) > self.deadline:
                raise ProviderTimeout(
                    f"motion: kling task {task_id} still processing {self.deadline:.0f} s after it "
                    f"started (GET {SUBMIT_PATH}/{task_id}); Kling has no cancel endpoint, so the "
                    "job is left to finish",
                    provider="kling",
                )
            if running is None and max(time.monotonic() - started, slept) > self.queue_limit:
                error = ProviderTimeout(
                    f"motion: kling task {task_id} still queued after {self.queue_limit:.0f} s "
                    f"(GET {SUBMIT_PATH}/{task_id})",
                    provider="kling",
                )
                error.attempts_exhausted = True  # a retry would queue behind the same backlog
                raise error
