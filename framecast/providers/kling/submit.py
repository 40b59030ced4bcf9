"""Kling submissions that never pay twice: one create per job, its lost answer found by external_task_id.

Every submission carries an `external_task_id` (the job's key and the submission's nonce), noted
in the job record before the POST. When a create fails after the request may have reached Kling
(a reset connection, a timeout, a 5xx), the task is looked up by that id
(`GET /v1/videos/image2video/{external_task_id}`: Kling's single-task query takes either id)
before anything is submitted again, here or by a later attempt. A 1303 (every parallel task slot
busy) waits for a slot, up to `slot_wait_seconds`: nothing was created, so submitting again is safe.
"""

from __future__ import annotations

import base64
import io
import logging
import random
import re
import time
from pathlib import Path

from PIL import Image

from framecast.core.errors import PermanentError, ProviderError, ProviderUnavailable, RateLimited, RetryableError
from framecast.providers.base import JobRecord
from framecast.providers.runway.client import nothing_created
from framecast.transport.callbacks import job_id_from_key, new_nonce
from framecast.transport.errors import translate_response
from framecast.transport.retry import with_retries

log = logging.getLogger("framecast.providers.kling.client")

TOO_MANY_TASKS = 1303
SLOT_RETRY_CAP = 60.0  # longest single wait between submits while every parallel slot is busy
SUBMIT_PATH = "/v1/videos/image2video"
NOT_FOUND = (404, "1203")  # HTTP status, Kling code: no task with that id


def takes_sound(model: str) -> bool:
    """Does `model` take Kling's `sound` on/off? From kling-v2-6 on (v2.6 and the v3 family); earlier models
    document no such field, so it is not sent to them. A name not of the kling-vN[-M] form is taken as newer."""
    version = re.match(r"kling-v(\d+)(?:-(\d+))?", model)
    if not version:
        return True
    return (int(version.group(1)), int(version.group(2) or 0)) >= (2, 6)


class _Final(PermanentError):
    """Carries an error through `with_retries` that must not be retried there (private)."""

    def __init__(self, error: ProviderError):
        super().__init__(str(error), provider="kling")
        self.error = error


class KlingSubmission:
    """The submitting half of KlingVideoGenerator (mixed in: uses its http, _once, _auth, _check, signer)."""

    def _start(self, job: JobRecord, image: Path, prompt: str, seconds: str) -> str:
        """Submit the job once (noted in the record first), or find the task an earlier lost answer created."""
        pending = job.get().get("submitting") or {}
        if pending.get("external_task_id"):
            data = self._lookup(pending["external_task_id"])  # an earlier attempt's create may have reached Kling
            if data is not None:
                log.warning(
                    "kling: found task %s (%s) that an earlier attempt created; resuming it, not paying again",
                    data.get("task_id"),
                    pending["external_task_id"],
                )
                return self._accepted(job, data, pending, seconds)
        else:
            nonce = new_nonce()
            job_id = job_id_from_key(getattr(job, "key", None), self.name)
            # Unique per account (Kling requires it): the job, and this submission of it.
            pending = {"nonce": nonce, "external_task_id": f"{(job_id or 'job')[:40]}-{nonce[:16]}", "at": time.time()}
            job.put({"submitting": pending, "nonce": nonce})
        with Image.open(image) as im:
            buf = io.BytesIO()
            im.convert("RGB").save(buf, "JPEG", quality=90)
        body = {
            "model_name": self.model,
            "image": base64.b64encode(buf.getvalue()).decode(),  # raw, no data: prefix
            "prompt": prompt[:2500],
            "mode": self.mode,
            "duration": seconds,
            "external_task_id": pending["external_task_id"],
        }
        if takes_sound(self.model):
            body["sound"] = "off"  # narration and music are ours: the model would otherwise add (and bill) its own
        callback = self._callback_url(job, pending["nonce"])
        if callback:
            body["callback_url"] = callback
        try:
            data = self._submit(body)
        except ProviderError as error:
            if not getattr(error, "ambiguous", False):
                job.put({})  # Kling answered, or was never reached: nothing was created, drop the note
            raise
        return self._accepted(job, data, pending, seconds)

    def _accepted(self, job: JobRecord, data: dict, pending: dict, seconds: str) -> str:
        task_id = data.get("task_id")
        if not task_id:
            raise ProviderUnavailable("kling: image2video answered without a task_id", provider="kling")
        job.put(
            {
                "task_id": task_id,
                "seconds": int(seconds),
                "submitted_at": time.time(),
                "nonce": pending["nonce"],
                "external_task_id": pending["external_task_id"],
            }
        )
        return task_id

    def _lookup(self, external_task_id: str) -> dict | None:
        """Kling's task created with `external_task_id`, or None when Kling has none (so nothing was paid)."""
        response = self.http.request("GET", f"{SUBMIT_PATH}/{external_task_id}", headers=self._auth(), allow=(404,))
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            raise ProviderUnavailable(
                f"kling: malformed JSON in the response to GET {SUBMIT_PATH}/<external_task_id>", provider="kling"
            )
        if response.status_code == NOT_FOUND[0] or str(payload.get("code")) == NOT_FOUND[1]:
            return None
        data = self._check(payload, "looking up a task by external_task_id")
        return data if data.get("task_id") else None

    def _callback_url(self, job: JobRecord, nonce: str) -> str | None:
        """The signed per-submission URL when callbacks are set up and the job is a store record, else the fixed one."""
        job_id = job_id_from_key(getattr(job, "key", None), self.name)
        if self.signer and job_id:
            return self.signer.url(self.name, job_id, nonce)
        return self.callback_url

    def _submit(self, body: dict) -> dict:
        """POST image2video; a failure after the request may have reached Kling is looked up, then retried."""

        def attempt() -> dict:
            try:
                return self._post(body)
            except RetryableError as error:
                error.attempts_exhausted = False  # the one-shot client counted one attempt: this loop decides
                if nothing_created(error):
                    raise  # retried with backoff: Kling created nothing
                try:
                    data = self._lookup(body["external_task_id"])
                except ProviderError as unknown:  # whether Kling has the task is unknown: never post again blind
                    unknown.ambiguous = True
                    raise _Final(unknown) from error
                if data is not None:
                    log.warning(
                        "kling: the answer to POST image2video was lost (%s); task %s exists, resuming it",
                        error,
                        data.get("task_id"),
                    )
                    return data
                lost = ProviderUnavailable(
                    f"kling: POST {SUBMIT_PATH} failed after sending ({error}) and Kling has no "
                    f"task {body['external_task_id']}; submitting again",
                    provider="kling",
                )
                raise lost from error

        try:
            return with_retries(attempt, self.http.retry, self.http.sleep)
        except _Final as final:
            raise final.error from final.error.__cause__
        except RetryableError as error:
            error.ambiguous = not nothing_created(error)  # the record keeps its note: the next attempt looks first
            raise

    def _post(self, body: dict) -> dict:
        """POST image2video; a 1303 (every parallel slot busy, nothing created) waits for a slot, then resubmits."""
        started, waited, n = time.monotonic(), 0.0, 0
        while True:
            # 429 is let through so that its code can be read: 1303 waits here, any other 429 is raised as usual.
            response = self._once.request("POST", SUBMIT_PATH, json=body, headers=self._auth(), allow=(429,))
            try:
                payload = response.json()
            except ValueError:
                payload = None
            if not isinstance(payload, dict) or payload.get("code") != TOO_MANY_TASKS:
                if response.status_code == 429:
                    raise translate_response(self.http.provider, response, self.http.reader, self.http.secrets)
                if not isinstance(payload, dict):
                    raise ProviderUnavailable(
                        "kling: malformed JSON in the response to POST image2video", provider="kling"
                    )
                return self._check(payload, "submitting image2video")
            spent = max(time.monotonic() - started, waited)  # `waited` counts when `sleep` is not the real one
            if spent >= self.slot_wait:
                error = RateLimited(
                    f"kling: too many parallel tasks (1303) while submitting image2video, still "
                    f"after waiting {spent:.0f} s for a slot",
                    provider="kling",
                    status=response.status_code,
                )
                error.attempts_exhausted = True  # the whole budget is spent: a task retry must not wait it again
                raise _Final(error)  # nor may the submit loop
            if n == 0:
                log.warning(
                    "kling: every parallel task slot is busy (1303); waiting up to %.0f s for one", self.slot_wait
                )
            delay = min(self.slot_retry * 2**n, SLOT_RETRY_CAP) * (1 + random.uniform(0, 0.5))
            delay = max(min(delay, self.slot_wait - spent), 0.0)
            self.sleep(delay)
            waited, n = waited + delay, n + 1
