"""The webhook receiver: Kling POSTs a finished task here and the matching job record is completed.

`create_app(store, secret)` is a FastAPI app; run it with uvicorn behind an HTTPS reverse proxy
(`framecast callbacks serve`). Every refusal is a 4xx and changes nothing:

  403  forged (no token, bad HMAC, a token for another job) or expired (older than the window)
  404  unknown provider or job (no record, or a record without a submitted task)
  400  body is not a JSON object, 413 body too large, 422 body is not a Kling task
  409  the record belongs to another task of the job, or already holds a different outcome

A valid callback writes `{"callback": {task_id, status, video_url, message, received_at}}` into
the job record (`jobs/kling/<sha256>`); the waiting `KlingVideoGenerator` reads it there. The same
callback again answers 200 and writes nothing (Kling may deliver twice). Non-terminal statuses
are acknowledged (200) and not recorded.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Literal

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from starlette.concurrency import run_in_threadpool

from framecast.callbacks.jobs import (
    DEFAULT_MAX_AGE_SECONDS, JOB_ID, PROVIDERS, TERMINAL, CallbackSigner, ExpiredToken, ForgedToken, outcome_entry,
    record_key,
)

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1 << 20  # a Kling task is a few hundred bytes; anything near this is not one


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
    def _succeeded_with_a_video(self) -> "KlingTask":
        if self.task_status == "succeed" and not (self.task_result and self.task_result.videos):
            raise ValueError("a succeeded task must carry task_result.videos[].url")
        return self


def _answer(code: int, detail: str, **extra) -> tuple[int, dict]:
    return code, {"detail": detail, **extra}


class CallbackHandler:
    """Verifies one callback and completes its job record (framework-free, so it is easy to reason about)."""

    def __init__(self, store, signer: CallbackSigner, clock=time.time):
        self.store, self.signer, self.clock = store, signer, clock
        # One read-modify-write of a record at a time: two copies of a callback arriving together
        # must still produce one completion (a second receiver process would only race to the same content).
        self._lock = threading.Lock()

    def handle(self, provider: str, job_id: str, ts: str | None, token: str | None, raw: bytes) -> tuple[int, dict]:
        """(HTTP status, JSON body) for a callback POSTed to /{provider}/{job_id}?ts=..&token=.."""
        if provider not in PROVIDERS or not JOB_ID.match(job_id):
            return _answer(404, "unknown job")
        try:
            self.signer.verify(provider, job_id, ts, token)
        except ExpiredToken as exc:
            log.warning("refused a %s callback for job %s: %s", provider, job_id[:12], exc)
            return _answer(403, "callback token expired")
        except ForgedToken as exc:
            log.warning("refused a %s callback for job %s: %s", provider, job_id[:12], exc)
            return _answer(403, "invalid callback token")
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return _answer(400, "body is not JSON")
        if not isinstance(body, dict):
            return _answer(400, "body is not a JSON object")
        try:
            task = KlingTask.model_validate(body)
        except ValidationError as exc:
            errors = exc.errors(include_url=False, include_context=False, include_input=False)
            return _answer(422, "body is not a Kling task", errors=errors)
        return self._complete(provider, job_id, task)

    def _complete(self, provider: str, job_id: str, task: KlingTask) -> tuple[int, dict]:
        key = record_key(provider, job_id)
        with self._lock:
            record = self.store.get_record(key)
            if not record or not record.get("task_id"):
                # Also the (rare) callback that beats the submitter's own write: polling finishes that job.
                return _answer(404, "unknown job")
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
            record["callback"] = outcome_entry(task.task_id, task.task_status, url, task.task_status_msg,
                                               received_at=self.clock())
            self.store.put_record(key, record)
        log.info("%s job %s (task %s) %s by callback", provider, job_id[:12], task.task_id, task.task_status)
        return _answer(200, "recorded", recorded=True, status=task.task_status)


def create_app(store, secret: str, *, max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS, clock=time.time,
               max_body_bytes: int = MAX_BODY_BYTES) -> FastAPI:
    """The receiver app for `store` (the same artifact store the workers use) and the shared `secret`."""
    handler = CallbackHandler(store, CallbackSigner(secret, max_age_seconds=max_age_seconds, clock=clock), clock)
    app = FastAPI(title="framecast callbacks", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.handler = handler

    @app.get("/healthz")
    def healthz():
        return {"ok": True}

    @app.post("/{provider}/{job_id}")
    async def receive(provider: str, job_id: str, request: Request):
        announced = request.headers.get("content-length", "")
        if announced.isdigit() and int(announced) > max_body_bytes:
            return JSONResponse({"detail": "body too large"}, status_code=413)
        raw = b""
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > max_body_bytes:  # chunked bodies announce no length
                return JSONResponse({"detail": "body too large"}, status_code=413)
        params = request.query_params
        # The store calls block (GCS): keep them off the event loop.
        status, body = await run_in_threadpool(handler.handle, provider, job_id, params.get("ts"),
                                               params.get("token"), raw)
        return JSONResponse(body, status_code=status)

    return app


def serve(store, secret: str, *, host: str = "127.0.0.1", port: int = 8780,
          max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS) -> None:
    """Run the receiver in the foreground (loopback by default: put an HTTPS reverse proxy in front)."""
    import uvicorn

    # No access log: the query string carries the job's token.
    uvicorn.run(create_app(store, secret, max_age_seconds=max_age_seconds), host=host, port=port,
                log_level="info", access_log=False)
