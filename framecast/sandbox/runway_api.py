"""Runway's wire protocol: image_to_video tasks and polling, media served from the sandbox."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from pathlib import Path

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from framecast.sandbox import media
from framecast.sandbox.common import begin, media_response, runway_error
from framecast.sandbox.state import SandboxState
from framecast.sandbox.validate import problems

API_VERSION = "2024-11-06"


def router(state: SandboxState, base_url: str) -> APIRouter:
    api = APIRouter()

    @api.post("/v1/image_to_video")
    def create(request: Request, body: dict = Body(...)):
        fault, early = begin(state, request, "runway", "image_to_video", runway_error)
        if early:
            return early
        if request.headers.get("x-runway-version") != API_VERSION:
            return JSONResponse({"error": f"X-Runway-Version must be {API_VERSION}"}, status_code=400)
        issues = problems("runway.image_to_video.request", body)
        if issues:
            return JSONResponse({"error": "Validation of body failed", "issues": issues}, status_code=400)
        if not str(body["promptImage"]).startswith("data:image/"):
            return JSONResponse({"error": "the sandbox accepts data: URIs only"}, status_code=400)
        task_id = str(uuid.uuid4())
        with state.lock:
            state.tasks[task_id] = {"body": body, "polls": 0, "fault": fault.kind if fault else "",
                                    "created": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")}
        seconds = int(body.get("duration", 5))
        return {"id": task_id, "estimatedCost": {"credits": 5 * seconds}}

    @api.get("/v1/tasks/{task_id}")
    def poll(task_id: str, request: Request):
        _, early = begin(state, request, "runway", "tasks", runway_error)
        if early:
            return early
        with state.lock:
            task = state.tasks.get(task_id)
            if task is not None:
                task["polls"] += 1
        if task is None or task["fault"] == "cancelled":
            return JSONResponse({"error": "Task not found"}, status_code=404)
        base = {"id": task_id, "createdAt": task["created"]}
        if task["fault"] == "throttled" and task["polls"] <= 2:
            return {**base, "status": "THROTTLED"}
        if task["polls"] == 1:
            return {**base, "status": "PENDING"}
        if task["polls"] == 2:
            return {**base, "status": "RUNNING", "progress": 0.5}
        if task["fault"] in ("failed_safety", "failed_internal"):
            code = "SAFETY.INPUT.IMAGE" if task["fault"] == "failed_safety" else "INTERNAL.BAD_OUTPUT.CODE01"
            return {**base, "status": "FAILED", "failure": "The task failed.", "failureCode": code}
        out = Path(state.media_dir) / f"{task_id}.mp4"
        if not out.exists():
            w, h = (int(v) for v in task["body"]["ratio"].split(":"))
            scale = state.media_scale
            media.mp4_from_data_uri(task["body"]["promptImage"], out, max(int(w * scale) // 2 * 2, 64),
                                    max(int(h * scale) // 2 * 2, 64), float(task["body"].get("duration", 5)))
        return {**base, "status": "SUCCEEDED", "output": [f"{base_url}/runway/media/{task_id}.mp4"]}

    @api.get("/media/{name}")
    def download(name: str):
        return media_response(state, "runway", Path(state.media_dir) / Path(name).name, "video/mp4", runway_error,
                              JSONResponse({"error": "expired"}, status_code=404))

    return api
