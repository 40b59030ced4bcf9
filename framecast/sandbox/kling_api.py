"""Kling's image2video wire protocol: JWT auth, {code, data} envelopes, polling and callbacks."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import httpx
import jwt
from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from framecast.sandbox import media
from framecast.sandbox.common import begin, media_response
from framecast.sandbox.state import SandboxState


def kling_error(status: int, message: str, code: str = "") -> dict:
    return {"code": int(code) if str(code).isdigit() else 1000 + status, "message": message, "request_id": "sandbox"}


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


def router(state: SandboxState, base_url: str) -> APIRouter:
    api = APIRouter()

    def envelope(data: dict) -> dict:
        return {"code": 0, "message": "SUCCEED", "request_id": uuid.uuid4().hex, "data": data}

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
            return JSONResponse(kling_error(400, "image: base64 must not carry a data: prefix", "1201"), status_code=400)
        if body.get("duration", "5") not in ("5", "10") or body.get("mode", "std") not in ("std", "pro"):
            return JSONResponse(kling_error(400, "duration must be '5' or '10', mode std or pro", "1201"),
                                status_code=400)
        task_id = uuid.uuid4().hex
        with state.lock:
            state.tasks[task_id] = {"body": body, "polls": 0, "fault": fault.kind if fault else ""}
        return envelope({"task_id": task_id, "task_status": "submitted", "created_at": int(time.time() * 1000)})

    @api.get("/v1/videos/image2video/{task_id}")
    def poll(task_id: str, request: Request):
        _, early = begin(state, request, "kling", "image2video.get", kling_error)
        if early:
            return early
        with state.lock:
            task = state.tasks.get(task_id)
            if task:
                task["polls"] += 1
        if task is None:
            return JSONResponse(kling_error(404, "task not found", "1203"), status_code=404)
        if task["polls"] == 1:
            return envelope({"task_id": task_id, "task_status": "processing"})
        if task["fault"] == "failed_risk":
            return envelope({"task_id": task_id, "task_status": "failed", "task_status_msg": "Failure to pass the risk control system"})
        out = Path(state.media_dir) / f"kling-{task_id}.mp4"
        if not out.exists():
            uri = "data:image/jpeg;base64," + task["body"]["image"]
            size = max(int(1280 * state.media_scale) // 2 * 2, 64), max(int(720 * state.media_scale) // 2 * 2, 64)
            media.mp4_from_data_uri(uri, out, *size, float(task["body"].get("duration", "5")))
        data = {"task_id": task_id, "task_status": "succeed",
                "task_result": {"videos": [{"id": task_id, "url": f"{base_url}/kling/media/{out.name}",
                                            "duration": task["body"].get("duration", "5")}]}}
        callback = task["body"].get("callback_url")
        if callback and not task.get("called_back"):
            task["called_back"] = True
            threading.Thread(target=lambda: httpx.post(callback, json=data, timeout=5), daemon=True).start()
        return envelope(data)

    @api.get("/media/{name}")
    def download(name: str):
        return media_response(state, "kling", Path(state.media_dir) / Path(name).name, "video/mp4", kling_error,
                              JSONResponse(kling_error(404, "expired", "1203"), status_code=404))

    return api
