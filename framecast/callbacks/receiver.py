"""The webhook receiver: Kling POSTs a finished task here and the matching job record is completed.

`create_app(store, secret)` is a FastAPI app; run it with uvicorn behind an HTTPS reverse proxy
(`framecast callbacks serve`). Every refusal is a 4xx and changes nothing:

  403  forged (no token, bad HMAC, a token for another job), expired (older than the window), or
       a URL minted for an earlier submission of the job (its nonce is no longer the record's)
  404  unknown provider or job (no record, or a record without a submitted task)
  400  body is not a JSON object, 413 body too large, 422 body is not a Kling task
  409  the record belongs to another task of the job, or already holds a different outcome

The URL (token, nonce, ts) is checked before any of the body is read. A valid callback writes
`{"callback": {task_id, status, video_url, message, received_at}}` into the job record
(`jobs/kling/<sha256>`) with a generation precondition, so it never brings back a record the
worker cleared meanwhile. The record is only a wake-up: the waiting `KlingVideoGenerator` then
asks Kling itself and takes the status and the video URL from that answer. The same callback
again answers 200 and writes nothing (Kling may deliver twice). Non-terminal statuses are
acknowledged (200) and not recorded. The receiver's store is `JobRecordsOnly`: it cannot write
anything but job records.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from typing import Literal

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from starlette.concurrency import run_in_threadpool

from framecast.callbacks.scope import JobRecordsOnly
from framecast.core.envcheck import loopback
from framecast.storage.records import RecordChanged
from framecast.transport.callbacks import (
    DEFAULT_MAX_AGE_SECONDS,
    JOB_ID,
    PROVIDERS,
    TERMINAL,
    CallbackSigner,
    ExpiredToken,
    ForgedToken,
    outcome_entry,
    record_key,
)

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1 << 20  # a Kling task is a few hundred bytes; anything near this is not one
WRITE_ATTEMPTS = 5  # conditional writes lost to a concurrent writer before the callback is answered 409


class KlingVideo(BaseModel):
    model_config = ConfigDict(extra="allow")
    url: str = Field(min_length=1, max_length=4096, pattern=r"^https?://")


class KlingTaskResult(BaseModel):
    model_config = ConfigDict(extra="allow")
    videos: list[KlingVideo] = Field(default_factory=list)


class KlingTask(BaseModel):
    """The task object Kling POSTs (the same shape as the poll's `data`)."""

    model_config = ConfigDict(extra="allow")
    task_id: str = Field(min_length=1, max_length=128)
    task_status: Literal["submitted", "processing", "succeed", "failed"]
    task_status_msg: str = ""
    task_result: KlingTaskResult | None = None

    @model_validator(mode="after")
    def _succeeded_with_a_video(self) -> KlingTask:
        if self.task_status == "succeed" and not (self.task_result and self.task_result.videos):
            raise ValueError("a succeeded task must carry task_result.videos[].url")
        return self


def _answer(code: int, detail: str, **extra) -> tuple[int, dict]:
    return code, {"detail": detail, **extra}


class CallbackHandler:
    """Verifies one callback and completes its job record (framework-free, so it is easy to reason about)."""

    def __init__(self, store, signer: CallbackSigner, clock=time.time):
        self.store, self.signer, self.clock = JobRecordsOnly(store), signer, clock

    def authorize(
        self, provider: str, job_id: str, ts: str | None, token: str | None, nonce: str | None
    ) -> tuple[int, dict] | None:
        """A 4xx answer when the URL is not one framecast issued (checked before the body is read), else None."""
        if provider not in PROVIDERS or not JOB_ID.fullmatch(job_id):
            return _answer(404, "unknown job")
        try:
            self.signer.verify(provider, job_id, ts, token, nonce)
        except ExpiredToken as exc:
            log.warning("refused a %s callback for job %s: %s", provider, job_id[:12], exc)
            return _answer(403, "callback token expired")
        except ForgedToken as exc:
            log.warning("refused a %s callback for job %s: %s", provider, job_id[:12], exc)
            return _answer(403, "invalid callback token")
        return None

    def handle(
        self, provider: str, job_id: str, ts: str | None, token: str | None, raw: bytes, nonce: str | None = None
    ) -> tuple[int, dict]:
        """(HTTP status, JSON body) for a callback POSTed to /{provider}/{job_id}?ts=..&nonce=..&token=.."""
        refused = self.authorize(provider, job_id, ts, token, nonce)
        if refused:
            return refused
        try:
            body = json.loads(bytes(raw))
        except (ValueError, UnicodeDecodeError):
            return _answer(400, "body is not JSON")
        if not isinstance(body, dict):
            return _answer(400, "body is not a JSON object")
        try:
            task = KlingTask.model_validate(body)
        except ValidationError as exc:
            errors = exc.errors(include_url=False, include_context=False, include_input=False)
            return _answer(422, "body is not a Kling task", errors=errors)
        for _ in range(WRITE_ATTEMPTS):
            try:
                return self._complete(provider, job_id, str(nonce), task)
            except RecordChanged:
                continue  # the worker (or another delivery) wrote meanwhile: judge the record as it is now
        return _answer(409, "job record keeps changing; not recorded")

    def _complete(self, provider: str, job_id: str, nonce: str, task: KlingTask) -> tuple[int, dict]:
        key = record_key(provider, job_id)
        record, version = self.store.get_record_versioned(key)
        if not record or not record.get("task_id"):
            # Also the (rare) callback that beats the submitter's own write: polling finishes that job.
            return _answer(404, "unknown job")
        if not hmac.compare_digest(str(record.get("nonce", "")), nonce):
            log.warning(
                "refused a %s callback for job %s: its URL belongs to an earlier submission", provider, job_id[:12]
            )
            return _answer(403, "callback URL of an earlier submission of this job")
        if record["task_id"] != task.task_id:
            return _answer(409, "callback for another task of this job")
        if task.task_status not in TERMINAL:
            return _answer(200, "acknowledged", recorded=False, status=task.task_status)
        seen = record.get("callback") or {}
        if seen.get("task_id") == task.task_id:
            if seen.get("status") == task.task_status:
                return _answer(200, "already recorded", recorded=False, status=task.task_status)
            return _answer(409, f"job already recorded as {seen.get('status')}")
        url = task.task_result.videos[0].url if task.task_status == "succeed" else ""
        record["callback"] = outcome_entry(
            task.task_id, task.task_status, url, task.task_status_msg, received_at=self.clock()
        )
        # Conditional: a record cleared or resubmitted since it was read is not brought back.
        self.store.put_record(key, record, if_generation_match=version)
        log.info(
            "%s job %s (task %s) %s by callback (a wake-up: the worker confirms it with %s)",
            provider,
            job_id[:12],
            task.task_id,
            task.task_status,
            provider,
        )
        return _answer(200, "recorded", recorded=True, status=task.task_status)


def create_app(
    store,
    secret: str,
    *,
    max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS,
    clock=time.time,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> FastAPI:
    """The receiver app for `store` (the same artifact store the workers use) and the shared `secret`."""
    handler = CallbackHandler(store, CallbackSigner(secret, max_age_seconds=max_age_seconds, clock=clock), clock)
    app = FastAPI(title="framecast callbacks", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.handler = handler

    @app.get("/healthz")
    def healthz():
        return {"ok": True}

    @app.post("/{provider}/{job_id}")
    async def receive(provider: str, job_id: str, request: Request):
        params = request.query_params
        refused = handler.authorize(provider, job_id, params.get("ts"), params.get("token"), params.get("nonce"))
        if refused:  # before a byte of the body is read
            return JSONResponse(refused[1], status_code=refused[0])
        announced = request.headers.get("content-length", "")
        if announced.isdigit() and int(announced) > max_body_bytes:
            return JSONResponse({"detail": "body too large"}, status_code=413)
        raw = bytearray()
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > max_body_bytes:  # chunked bodies announce no length
                return JSONResponse({"detail": "body too large"}, status_code=413)
        # The store calls block (GCS): keep them off the event loop.
        status, body = await run_in_threadpool(
            handler.handle, provider, job_id, params.get("ts"), params.get("token"), bytes(raw), params.get("nonce")
        )
        return JSONResponse(body, status_code=status)

    return app


def serve(
    store, secret: str, *, host: str = "127.0.0.1", port: int = 8780, max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS
) -> None:
    """Run the receiver in the foreground (loopback by default: put an HTTPS reverse proxy in front)."""
    import uvicorn

    if not loopback(host):
        # The receiver speaks plain HTTP and the URL carries the job's token: only a TLS proxy may face the network.
        log.warning(
            "callbacks: listening on %s, not loopback: callback tokens travel in plain HTTP unless "
            "only an HTTPS reverse proxy can reach this port",
            host,
        )
    # No access log: the query string carries the job's token.
    uvicorn.run(
        create_app(store, secret, max_age_seconds=max_age_seconds),
        host=host,
        port=port,
        log_level="info",
        access_log=False,
    )
