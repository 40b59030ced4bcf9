"""Runway image-to-video over its REST API: submit once, poll to a terminal status, download at once.

Over 300 lines, on purpose: one job's life (submit, the unconfirmed re-POST, hold, poll, give up, download) reads as
one class with its 70-line protocol note; the submission bookkeeping could split off as jobs.py (not done yet).

Submitting — what may be sent twice (API 2024-11-06, shared/specs/runway/openapi.json)
    Runway has no idempotency key, no client reference stored on a task and no task listing. The
    only read besides `GET /v1/tasks/{id}` (which needs the id we failed to receive) is
    `GET /v1/organization` → `usage.models[model].dailyGenerations`: a rolling 24-hour count for the
    whole organisation, moved by the other scenes submitted meanwhile and by jobs sliding out of
    the window, so it proves neither that our task exists nor that it does not, and never gives its
    id. There is no lookup; so:

    * The POST is retried inside the call only when the failure proves nothing was created: the
      connection was never made (connect error or timeout, pool timeout), 429 (a rate limit; the
      daily cap — "Your daily task limit has been reached." — is QuotaExhausted in framecast/transport/http.py:
      permanent, no retries), 503, or any other 4xx (permanent anyway).
    * Any failure after the request may have reached Runway — read timeout, connection reset or
      closed before a full answer, a 5xx other than 503, a 2xx without a readable task id — leaves
      the submission *unconfirmed*: a task may exist, and be billed, but its id never reached us.
      It is not re-POSTed in this call.
    * Before every POST the job record holds a `submitting` marker (a unique client token and the
      time); a process that dies mid-POST leaves it behind, and the next attempt counts it as
      unconfirmed too. The marker has no `task_id`, so it bills nothing.
    * After an unconfirmed submission `SubmissionUnconfirmed` is raised: retryable, with
      `retry_after = resubmit_after_seconds` (300 s), which the Prefect task retry sleeps
      (tasks/policies.py). An attempt inside that window does not POST; the one after it submits
      once more. More than `max_unconfirmed` (1) unconfirmed submissions of the same clip within
      24 h raise `ResubmissionRefused` (permanent) until the day has passed or the job record is
      deleted; `max_unconfirmed=0` never resubmits on its own.
    * The accepted risk: at worst 1 + `max_unconfirmed` paid tasks for one clip a day, and an
      unconfirmed task is not in the cost ledger (there is no task id to bill); its clip can never
      be fetched. The hold-off keeps a Runway incident that loses answers from turning every retry
      into another paid orphan.

Waiting
    PENDING and THROTTLED are queue time (THROTTLED: over the organisation's concurrency, stored and
    waiting for a slot — never a failure). `deadline_seconds` counts from the first RUNNING poll
    (kept in the job record as `running_since`, so a resumed attempt does not start it over); queue
    time has its own, generous `queue_limit_seconds` (2 h). A task past either is cancelled
    (`DELETE /v1/tasks/{id}`; a 404 there means it is gone already) and its record cleared. Past the
    deadline that is a retryable ProviderTimeout: the retry submits exactly one new task. Past the
    queue limit the same error is marked `attempts_exhausted` (a retry would queue behind the same
    backlog). When the cancel itself fails the record is kept: the next attempt polls the task
    again (it may have finished) and cancels it then.

Vanished tasks
    Job records are keyed by the endpoint (`visuals.job_record`): a task is only polled where it was made. A 404
    from `GET /v1/tasks/{id}` (cancelled or deleted) forgets the record, refunding nothing (a deleted task may have
    been billed). A task this attempt submitted is not bought again (someone removed it: InvalidRequest); one an
    earlier attempt recorded raises the retryable JobVanished, and the task retry submits one new task.

Downloading
    Output URLs expire (24–48 h, signed): a 403/404 from the media host fetches the task again
    (`GET /v1/tasks/{id}`) for fresh URLs, up to `URL_REFRESHES` times — never a new task.
"""

from __future__ import annotations

import base64
import io
import logging
import math
import random
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from PIL import Image

from framecast.core.errors import (
    AuthError,
    ContentRejected,
    InvalidRequest,
    PermanentError,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
)
from framecast.providers import registry
from framecast.providers.base import JobGone, JobRecord, JobVanished, api_endpoint
from framecast.transport.http import ProviderHTTP
from framecast.transport.redaction import error_text
from framecast.transport.retry import RetryPolicy, with_retries

log = logging.getLogger(__name__)

API_VERSION = "2024-11-06"
# Where Runway's task outputs are served (signed `_jwt` URLs): its CloudFront distributions over the
# runway-task-artifacts bucket, as seen in task outputs quoted in public code (2026-12; API docs: "output" URLs,
# expiring in 24-48 h). Not all of cloudfront.net / amazonaws.com: anyone's bucket lives there (review M3).
# FRAMECAST_MEDIA_HOSTS={"runway": [...]} replaces this list.
MEDIA_HOSTS = (
    "dnznrvs05pmza.cloudfront.net",
    "d2jqrm6oza8nb6.cloudfront.net",
    "runway-task-artifacts.s3.amazonaws.com",
    "*.runwayml.com",
)
MAX_IMAGE_BYTES = 5 * 1024 * 1024
NON_TERMINAL = {"PENDING", "THROTTLED", "RUNNING"}
MAX_DOWNLOAD = 512 * 1024 * 1024
URL_REFRESHES = 2  # fresh output URLs fetched after an expired one (403/404), per attempt
DAY = 86400.0
# Transport failures raised before the request left this machine: nothing can have been created.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


class SubmissionUnconfirmed(ProviderUnavailable):
    """A submit failed after the request may have reached Runway: a paid task may exist unseen.

    Retryable after `retry_after` seconds (the hold-off before one more submission).
    """

    def __init__(self, message: str, *, retry_after: float, **kw):
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ResubmissionRefused(PermanentError):
    """Too many unconfirmed submits of one clip within a day: another may pay for the clip again."""


class _Unconfirmed(PermanentError):
    """Carries an ambiguous submit failure through `with_retries` without a retry (private)."""

    def __init__(self, cause: ProviderError):
        super().__init__(str(cause), provider="runway", status=cause.status)
        self.cause = cause


def nothing_created(error: ProviderError) -> bool:
    """True when a failed POST proves Runway created no task (so sending it again is safe)."""
    if error.status is not None:
        return error.status < 500 or error.status == 503  # 429, 4xx rejections, 503 "not now"
    return isinstance(error.__cause__, NOT_SENT)


def ratio_for(width: int, height: int, allowed: tuple[str, ...] = ()) -> str:
    """The model's pixel-pair ratio closest to the frame's shape ('16:9' is rejected)."""
    choices = allowed or ("1280:720", "720:1280", "960:960")

    def distance(ratio: str) -> float:
        w, h = (int(v) for v in ratio.split(":"))
        return abs(math.log((w / h) / (width / height)))

    return min(choices, key=lambda r: (distance(r), choices.index(r)))


def clip_seconds(model: str, duration: float) -> int:
    """The clip length Runway is asked for, and bills: the model's shortest length covering the scene
    (a slot longer than the longest is slowed down by the edit)."""
    known = registry.model("runway", model)
    lengths = known.durations if known and known.durations else tuple(range(2, 11))
    return next((n for n in lengths if n >= duration - 1e-6), lengths[-1])


def data_uri(image: Path) -> str:
    """The still as a JPEG data URI under Runway's 5 MB limit."""
    with Image.open(image) as im:
        rgb = im.convert("RGB")
        for quality in (92, 85, 75, 60):
            buf = io.BytesIO()
            rgb.save(buf, "JPEG", quality=quality)
            encoded = base64.b64encode(buf.getvalue()).decode()
            if len(encoded) + 23 <= MAX_IMAGE_BYTES:
                return f"data:image/jpeg;base64,{encoded}"
    raise InvalidRequest(f"runway: {image.name} is too large for a data URI even at JPEG quality 60", provider="runway")


def _when(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M:%SZ")


class RunwayVideoGenerator:
    name = "runway"

    def __init__(
        self,
        http: ProviderHTTP,
        model: str,
        *,
        poll_seconds: float = 5.0,
        deadline_seconds: float = 900.0,
        queue_limit_seconds: float = 7200.0,
        resubmit_after_seconds: float = 300.0,
        max_unconfirmed: int = 1,
        sleep=time.sleep,
    ):
        self.http, self.model, self.poll, self.deadline, self.sleep = http, model, poll_seconds, deadline_seconds, sleep
        self.queue_limit, self.resubmit_after, self.max_unconfirmed = (
            queue_limit_seconds,
            resubmit_after_seconds,
            max_unconfirmed,
        )
        self.seconds_billed = 0
        # One send per attempt for the POST: this class decides which failures may be sent again.
        self._once = ProviderHTTP(
            http.provider,
            http.client,
            secrets=http.secrets,
            retry=RetryPolicy(attempts=1),
            limiter=http.limiter,
            reader=http.reader,
            sleep=http.sleep,
        )

    @staticmethod
    def billed_seconds(duration: float, model: str = "gen4_turbo") -> int:
        """The clip length Runway is asked for, and bills (see `clip_seconds`)."""
        return clip_seconds(model, duration)

    @property
    def endpoint(self) -> str:
        """The API base URL jobs are submitted to (part of a job record's key: a record is never resumed elsewhere)."""
        return api_endpoint(self.http.client)

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
        seconds = self.billed_seconds(duration, self.model)
        known = registry.model("runway", self.model)
        headers = {"X-Runway-Version": API_VERSION}
        task_id = job.get().get("task_id")
        resumed = bool(task_id)
        if not task_id:  # nothing paid yet for these inputs (or nothing we could ever fetch)
            body = {
                "model": self.model,
                "promptImage": data_uri(image),
                "ratio": ratio_for(width, height, known.ratios if known else ()),
                "duration": seconds,
                "seed": seed % 4294967295,
            }
            if not prompt and known and "promptText" in known.requires:
                prompt = "slow, steady camera movement"  # the model refuses a request without one
            if prompt:
                body["promptText"] = prompt[:1000]
            if self.model.startswith("veo"):
                # Veo makes audio unless told not to (`audio` defaults to true in Runway's spec) and bills it at the
                # top of its credit range; framecast discards a clip's audio, so it asks for none.
                body["audio"] = False
            task_id = self._submit(body, headers, job, seconds)
        self.seconds_billed = job.get().get("seconds", seconds)
        try:
            task = self._wait(task_id, headers, job)
            out.parent.mkdir(parents=True, exist_ok=True)
            self._download(task_id, task, headers, job, out)
        except JobGone as gone:
            if not resumed:  # our own task of this attempt, deleted or cancelled meanwhile: not bought again here
                raise
            # An earlier attempt's task the provider no longer has: nothing left to fetch, so one new task is bought,
            # by the retry (a new charge under the budgets), not here.
            raise JobVanished(
                f"{gone}; it was recorded by an earlier attempt, so the record is forgotten and a "
                "retry submits one new task",
                provider="runway",
            ) from gone
        return out

    # -- submitting ------------------------------------------------------------------------------

    def _submit(self, body: dict, headers: dict, job: JobRecord, seconds: int) -> str:
        """POST once (again only after failures that prove nothing was created); record the id at once."""
        now = time.time()
        unconfirmed = self._unconfirmed(job.get(), now)
        if unconfirmed:
            self._hold(unconfirmed, now, job)  # raises while a resubmission must wait, or is refused
            log.warning(
                "runway: submitting a clip again after %d unconfirmed submission(s); the earlier task may "
                "also be billed",
                len(unconfirmed),
            )
        token = uuid.uuid4().hex
        job.put({"submitting": {"token": token, "at": now}, "unconfirmed": unconfirmed})

        def attempt() -> dict:
            try:
                task = self._once.json("POST", "/v1/image_to_video", json=body, headers=headers)
            except ProviderError as error:
                error.attempts_exhausted = False  # the loop below decides, not the one-shot client
                if nothing_created(error):
                    raise
                raise _Unconfirmed(error) from error
            if not task.get("id"):
                raise _Unconfirmed(
                    ProviderUnavailable("runway: image_to_video answered without a task id", provider="runway")
                )
            return task

        try:
            task = with_retries(attempt, self.http.retry, self.http.sleep)
        except _Unconfirmed as lost:
            failed = time.time()  # the hold-off counts from here
            unconfirmed.append({"token": token, "at": failed, "error": error_text(lost.cause)[:300]})
            job.put({"unconfirmed": unconfirmed})
            self._hold(unconfirmed, failed, job, cause=lost.cause)
            raise AssertionError("unreachable")  # _hold always raises with a cause
        except ProviderError as error:
            job.put({"unconfirmed": unconfirmed} if unconfirmed else {})  # nothing was created: drop the marker
            sent = getattr(error, "attempts", 1) or 1
            if sent > 1 and error.args:  # the one-shot client counted one attempt; this loop made `sent`
                error.args = (str(error.args[0]).replace(" (1 attempt)", f" ({sent} attempts)"), *error.args[1:])
            raise
        record = {"task_id": task["id"], "seconds": seconds, "submitted_at": time.time()}
        if unconfirmed:
            record["unconfirmed"] = unconfirmed
        job.put(record)  # recorded (and billed) before anything else can fail
        return task["id"]

    @staticmethod
    def _unconfirmed(record: dict, now: float) -> list[dict]:
        """This clip's submissions of the last 24 h that may have created a task we never heard of."""
        entries = [dict(e) for e in record.get("unconfirmed") or [] if now - float(e.get("at", 0)) < DAY]
        marker = record.get("submitting")
        if marker and now - float(marker.get("at", 0)) < DAY:
            entries.append({**marker, "error": "the attempt stopped during the submit (its marker was left)"})
        return entries

    def _hold(self, unconfirmed: list[dict], now: float, job: JobRecord, cause: ProviderError | None = None) -> None:
        """Raise while this clip may not be submitted again (always, right after an unconfirmed submit)."""
        where = f"POST {self.endpoint}/v1/image_to_video"
        last = max(float(e["at"]) for e in unconfirmed)
        why = (
            f"{where} failed after the request was sent ({cause})"
            if cause is not None
            else f"an earlier {where} at {_when(last)} went unconfirmed ({unconfirmed[-1].get('error', '')})"
        )
        risk = (
            "Runway may have created, and will bill, a task whose id never reached framecast; it has no "
            "idempotency key or task lookup"
        )
        if len(unconfirmed) > self.max_unconfirmed:
            times = ", ".join(_when(float(e["at"])) for e in unconfirmed)
            raise ResubmissionRefused(
                f"runway (motion): {why}. {risk}, and {len(unconfirmed)} submissions of this clip within 24 h went "
                f"unconfirmed ({times}; allowed: {self.max_unconfirmed}), so it is not submitted again today. Check "
                f"the tasks created then in the Runway dashboard; deleting job record {job.key or '(in memory)'} "
                f"allows a new submission sooner",
                provider="runway",
            ) from cause
        wait = max(self.resubmit_after - (now - last), 0.0)
        if cause is not None or wait > 0:
            raise SubmissionUnconfirmed(
                f"runway (motion): {why}. {risk}, so it is not submitted again for {wait:.0f} s; after that one "
                f"new submission is allowed ({len(unconfirmed)} of {self.max_unconfirmed} unconfirmed today)",
                retry_after=wait,
                provider="runway",
                status=getattr(cause, "status", None),
            ) from cause

    # -- waiting ---------------------------------------------------------------------------------

    def _get(self, task_id: str, headers: dict, job: JobRecord) -> dict:
        response = self.http.request("GET", f"/v1/tasks/{task_id}", headers=headers, allow=(404,))
        if response.status_code == 404:
            job.forget()  # not refunded: a deleted task may well have been billed
            raise JobGone(
                f"runway: task {task_id} was cancelled or deleted (404 from GET {self.endpoint}/v1/tasks/"
                f"{task_id}); its job record {job.key or '(in memory)'} is cleared",
                provider="runway",
            )
        try:
            task = response.json()
        except ValueError as exc:
            raise ProviderUnavailable(f"runway: malformed JSON polling task {task_id}", provider="runway") from exc
        if not isinstance(task, dict):
            raise ProviderUnavailable(f"runway: malformed JSON polling task {task_id}", provider="runway")
        return task

    def _wait(self, task_id: str, headers: dict, job: JobRecord) -> dict:
        """Poll until SUCCEEDED (→ the task) or a failure; PENDING/THROTTLED/RUNNING keep waiting.

        A job that ended without a clip is cleared from `job`; a blip leaves it, so the next attempt
        resumes polling it rather than paying for another. Past the deadline (from RUNNING) or the
        queue limit the task is cancelled and cleared.
        """
        record = job.get()
        submitted = float(record.get("submitted_at") or time.time())
        running_since = record.get("running_since")
        while True:
            self.sleep(self.poll * (1 + random.uniform(0, 0.3)))
            task = self._get(task_id, headers, job)
            status = task.get("status")
            if status == "SUCCEEDED":
                return task
            if status == "FAILED":
                job.clear()
                code, why = task.get("failureCode") or "", task.get("failure") or ""
                message = f"runway: task {task_id} failed: {why} ({code})"
                if code.startswith("SAFETY"):
                    raise ContentRejected(message, provider="runway")
                if code.startswith("INTERNAL"):
                    raise ProviderUnavailable(message, provider="runway")
                raise InvalidRequest(message, provider="runway")
            if status == "CANCELLED":
                job.clear()
                raise JobGone(
                    f"runway: task {task_id} was cancelled (GET {self.endpoint}/v1/tasks/{task_id}); its job "
                    f"record {job.key or '(in memory)'} is cleared",
                    provider="runway",
                )
            if status not in NON_TERMINAL:
                raise ProviderUnavailable(f"runway: unknown task status {status!r}", provider="runway")
            now = time.time()
            if status == "RUNNING" and running_since is None:
                running_since = now
                job.put({**job.get(), "running_since": now})  # the deadline survives a resumed attempt
            if running_since is not None:
                ran = now - float(running_since)
                if ran > self.deadline:
                    queued = float(running_since) - submitted
                    self._give_up(
                        task_id,
                        headers,
                        job,
                        f"ran {ran:.1f} s, past the {self.deadline:.0f} s deadline "
                        f"(counted from RUNNING; queued {queued:.1f} s before)",
                    )
            elif now - submitted > self.queue_limit:
                self._give_up(
                    task_id,
                    headers,
                    job,
                    f"was still {status} {now - submitted:.0f} s after submission, "
                    f"past the {self.queue_limit:.0f} s queue limit (it never got a slot to run)",
                    retryable=False,
                )

    def _give_up(self, task_id: str, headers: dict, job: JobRecord, why: str, retryable: bool = True) -> None:
        """Cancel the task, forget it, and raise a timeout that says so."""
        where = f"{self.endpoint}/v1/tasks/{task_id}"
        try:
            self.http.request("DELETE", f"/v1/tasks/{task_id}", headers=headers, allow=(404,))  # 404: gone already
        except ProviderError as exc:
            raise ProviderTimeout(
                f"runway (motion): task {task_id} ({where}) {why}; cancelling it failed ({exc}), "
                f"so its job record is kept and the next attempt looks at it again",
                provider="runway",
            ) from exc
        job.clear()
        error = ProviderTimeout(
            f"runway (motion): task {task_id} ({where}) {why}; cancelled it (DELETE) and "
            f"cleared its job record: a retry submits one new task",
            provider="runway",
        )
        if not retryable:
            error.attempts_exhausted = True  # a retry would queue behind the same backlog
        raise error

    # -- downloading -----------------------------------------------------------------------------

    def _download(self, task_id: str, task: dict, headers: dict, job: JobRecord, out: Path) -> None:
        """Download the output at once; an expired URL (403/404) is replaced by a fresh GET of the task."""
        for refresh in range(URL_REFRESHES + 1):
            outputs = task.get("output") or []
            if not outputs:
                raise ProviderUnavailable(f"runway: task {task_id} succeeded without output", provider="runway")
            try:
                self.http.download(
                    outputs[0], out, allowed_hosts=MEDIA_HOSTS, max_bytes=MAX_DOWNLOAD, content_types=("video/",)
                )
                return
            except (AuthError, InvalidRequest) as exc:
                if exc.status not in (403, 404):
                    raise
                if refresh == URL_REFRESHES:
                    raise type(exc)(
                        f"runway: the output of task {task_id} still answers {exc.status} after "
                        f"{URL_REFRESHES} fresh URLs: {exc}",
                        provider="runway",
                        status=exc.status,
                    ) from exc
                log.info(
                    "runway: output URL of task %s answered %s (expired?); fetching the task for a fresh one",
                    task_id,
                    exc.status,
                )
            task = self._get(task_id, headers, job)
            if task.get("status") != "SUCCEEDED":
                raise ProviderUnavailable(
                    f"runway: task {task_id} is {task.get('status')!r} when re-read for a fresh output URL",
                    provider="runway",
                )
