"""Kling's image2video wire protocol: JWT auth, {code, data} envelopes, polling and callbacks.

A task runs for `TASK_SECONDS` (set it with `POST /__sandbox/latency?provider=kling.task&seconds=S`,
i.e. `state.latency["kling.task"]`) and finishes when that time is up or at its second poll,
whichever comes first (the poll rule keeps fast-polling tests fast). A task submitted with
`callback_url` is POSTed there once, from a background thread, when it finishes — whether or not
anyone polls, as Kling does; the answers are kept in the task (`callbacks`: HTTP statuses).

A create may carry `external_task_id` (unique per account: a second create with one already used
is refused, 400 code 1201, nothing paid); `GET /v1/videos/image2video/{id}` takes a task_id or an
external_task_id, as Kling's does, and the task's data carries `task_info.external_task_id`.

Faults on "image2video" (submit): the generic ones, "stuck" (the task stays "processing"), "too_many_tasks"
(HTTP 429 with code 1303 for
each of the next N submits, `times=N`; nothing is created or paid), "failed_risk" (the task
fails risk control) and "accepted_reset" (the task is created and paid, then the connection drops
before the answer is complete); on "image2video.get" and "media" the generic ones, plus "reset" (the
connection drops mid-answer); on "media" also "truncated" | "expired".
Counters: kling/"image2video" every submit, kling/"paid" every accepted (billable) task (each task
also keeps its `paid_seconds`), kling/"image2video.get" every poll, kling/"callback" every delivery.
"""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import httpx
import jwt
from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse, Response

from framecast.sandbox import media
from framecast.sandbox.common import begin, media_response
from framecast.sandbox.state import SandboxState

TASK_SECONDS = 2.0
TASK_SECONDS_KEY = "kling.task"  # in state.latency: reset with everything else


def kling_error(status: int, message: str, code: str = "") -> dict:
    return {"code": int(code) if str(code).isdigit() else 1000 + status, "message": message, "request_id": "sandbox"}


class _ResetResponse(Response):
    """A response whose connection drops after the status line and a few bytes of an announced longer body."""

    def __init__(self, kind: bytes = b"application/json", start: bytes = b'{"code": 0, "data": {"task_id": "'):
        super().__init__()
        self.kind, self.start = kind, start

    async def __call__(self, scope, receive, send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", self.kind), (b"content-length", str(len(self.start) * 4).encode())],
            }
        )
        await send({"type": "http.response.body", "body": self.start, "more_body": True})


def _jwt_problem(header: str) -> str:
    """Why the Bearer token is not a valid Kling JWT (the signature cannot be checked here)."""
    raw = header.removeprefix("Bearer ").strip()
    try:
        if jwt.get_unverified_header(raw).get("alg") != "HS256":
            return "token must be signed with HS256"
        claims = jwt.decode(raw, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        return f"malformed JWT: {exc}"
    now = time.time()
    if not claims.get("iss"):
        return "JWT lacks iss (the access key)"
    if claims.get("exp", 0) < now or claims.get("nbf", now) > now + 1:
        return "JWT expired or not yet valid"
    return ""


def _terminal(state: SandboxState, base_url: str, task_id: str, task: dict) -> dict:
    """The finished task's `data` (renders the clip for a success)."""
    now = int(time.time() * 1000)
    base = {
        "task_id": task_id,
        "created_at": task["created_ms"],
        "updated_at": now,
        "task_info": {"external_task_id": task["body"].get("external_task_id", "")},
    }
    if task["fault"] == "failed_risk":
        return {**base, "task_status": "failed", "task_status_msg": "Failure to pass the risk control system"}
    out = Path(state.media_dir) / f"kling-{task_id}.mp4"
    if not out.exists():
        uri = "data:image/jpeg;base64," + task["body"]["image"]
        size = max(int(1280 * state.media_scale) // 2 * 2, 64), max(int(720 * state.media_scale) // 2 * 2, 64)
        media.mp4_from_data_uri(uri, out, *size, float(task["body"].get("duration", "5")))
    return {
        **base,
        "task_status": "succeed",
        "task_result": {
            "videos": [
                {
                    "id": task_id,
                    "url": f"{base_url}/kling/media/{out.name}",
                    "duration": task["body"].get("duration", "5"),
                }
            ]
        },
    }


def _deliver(state: SandboxState, task: dict, data: dict) -> None:
    """POST the finished task to its callback_url, once, and keep the receiver's answer."""
    try:
        answer: int | str = httpx.post(task["body"]["callback_url"], json=data, timeout=5).status_code
    except httpx.HTTPError as exc:
        answer = type(exc).__name__
    with state.lock:
        state.counters[("kling", "callback")] += 1
        task["callbacks"].append(answer)


def router(state: SandboxState, base_url: str) -> APIRouter:
    api = APIRouter()

    def envelope(data: dict) -> dict:
        return {"code": 0, "message": "SUCCEED", "request_id": uuid.uuid4().hex, "data": data}

    def finish(task_id: str, task: dict) -> dict:
        """The task's terminal data, made once (by its timer or its second poll, whichever comes first)."""
        with task["lock"]:  # a poll arriving while the timer renders waits for the same result
            deliver = task["result"] is None and bool(task["body"].get("callback_url"))
            if task["result"] is None:
                task["result"] = _terminal(state, base_url, task_id, task)
        if deliver:
            threading.Thread(target=_deliver, args=(state, task, task["result"]), daemon=True).start()
        return task["result"]

    def on_time(task_id: str, task: dict) -> None:
        if state.tasks.get(task_id) is task:  # not reset away meanwhile
            finish(task_id, task)

    @api.post("/v1/videos/image2video")
    def create(request: Request, body: dict = Body(...)):
        fault, early = begin(state, request, "kling", "image2video", kling_error)
        if early:
            return early
        problem = _jwt_problem(request.headers.get("authorization", ""))
        if problem:
            return JSONResponse(kling_error(401, problem, "1004"), status_code=401)
        if fault is not None and fault.kind == "too_many_tasks":
            return JSONResponse(kling_error(429, "parallel task over resource pack limit", "1303"), status_code=429)
        image = str(body.get("image", ""))
        if image.startswith("data:"):
            return JSONResponse(
                kling_error(400, "image: base64 must not carry a data: prefix", "1201"), status_code=400
            )
        from framecast.providers import registry

        known = registry.model("kling", str(body.get("model_name", "kling-v2-1")))
        lengths = [str(n) for n in (known.durations if known and known.durations else (5, 10))]
        if body.get("duration", "5") not in lengths or body.get("mode", "std") not in ("std", "pro"):
            return JSONResponse(
                kling_error(
                    400,
                    f"duration must be one of {', '.join(lengths)} for "
                    f"{body.get('model_name', 'kling-v2-1')}, mode std or pro",
                    "1201",
                ),
                status_code=400,
            )
        if body.get("sound", "off") not in ("on", "off"):
            return JSONResponse(kling_error(400, "sound must be 'on' or 'off'", "1201"), status_code=400)
        external = str(body.get("external_task_id") or "")
        with state.lock:
            taken = external and any(
                (t.get("body") or {}).get("external_task_id") == external and "polls" in t for t in state.tasks.values()
            )
        if taken:
            return JSONResponse(
                kling_error(400, f"external_task_id {external} already exists", "1201"), status_code=400
            )
        task_id = uuid.uuid4().hex
        seconds = state.latency.get(TASK_SECONDS_KEY, TASK_SECONDS)
        task = {
            "body": body,
            "polls": 0,
            "fault": fault.kind if fault else "",
            "created_ms": int(time.time() * 1000),
            "done_at": time.monotonic() + seconds,
            "paid_seconds": int(body.get("duration", "5")),
            "result": None,
            "lock": threading.Lock(),
            "callbacks": [],
        }
        with state.lock:
            state.tasks[task_id] = task
            state.counters[("kling", "paid")] += 1
        if body.get("callback_url"):
            timer = threading.Timer(seconds, on_time, args=(task_id, task))
            timer.daemon = True
            timer.start()
        if fault is not None and fault.kind == "accepted_reset":
            return _ResetResponse()  # created and paid: only the answer is lost
        return envelope(
            {
                "task_id": task_id,
                "task_status": "submitted",
                "created_at": task["created_ms"],
                "task_info": {"external_task_id": external},
            }
        )

    @api.get("/v1/videos/image2video/{task_id}")
    def poll(task_id: str, request: Request):
        fault, early = begin(state, request, "kling", "image2video.get", kling_error)
        if early:
            return early
        if fault is not None and fault.kind == "reset":
            return _ResetResponse()
        with state.lock:
            task = state.tasks.get(task_id)
            if task is None:  # Kling's query takes the external_task_id in the same place
                task_id, task = next(
                    (
                        (k, t)
                        for k, t in state.tasks.items()
                        if "polls" in t and task_id and (t.get("body") or {}).get("external_task_id") == task_id
                    ),
                    (task_id, None),
                )
            if task:
                task["polls"] += 1
        if task is None:
            return JSONResponse(kling_error(404, "task not found", "1203"), status_code=404)
        if (
            task["fault"] == "stuck"
            or task["result"] is None
            and task["polls"] == 1
            and time.monotonic() < task["done_at"]
        ):
            return envelope(
                {
                    "task_id": task_id,
                    "task_status": "processing",
                    "task_info": {"external_task_id": task["body"].get("external_task_id", "")},
                }
            )
        return envelope(finish(task_id, task))

    @api.get("/media/{name}")
    def download(name: str):
        with state.lock:
            queued = state.faults.get(("kling", "media"))
            reset = bool(queued) and queued[0].kind == "reset"
        if reset:
            state.take("kling", "media")
            return _ResetResponse(b"video/mp4", b"\x00\x00\x00\x20ftypisom" * 64)
        return media_response(
            state,
            "kling",
            Path(state.media_dir) / Path(name).name,
            "video/mp4",
            kling_error,
            JSONResponse(kling_error(404, "expired", "1203"), status_code=404),
        )

    return api
