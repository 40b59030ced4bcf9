"""Runway's wire protocol: image_to_video tasks, polling, cancelling, media served from the sandbox.

Over 300 lines, on purpose: a task's whole state machine and its faults in one fake, beside the client it answers.

A task moves one step per poll, so tests are deterministic: PENDING at the first poll, RUNNING at
the next one when a slot is free, then its terminal status. At most `state.latency["runway.concurrency"]`
tasks are RUNNING at once (default 1000; set it with
`POST /__sandbox/latency?provider=runway.concurrency&seconds=N`, cleared by reset like every
setting); a task that finds no free slot answers THROTTLED ("stored but not enqueued", as Runway's
usage-tier docs put it) until a RUNNING task finishes or is cancelled. A RUNNING task holds its
slot until a poll sees it finish (or it is cancelled), whether or not anyone polls it again.

`DELETE /v1/tasks/{id}` cancels a PENDING/THROTTLED/RUNNING task and deletes a finished one (204);
afterwards, and for unknown ids, both DELETE and GET answer 404, as the spec says.

Every SUCCEEDED answer carries a freshly signed media URL (`?sig=N`), as Runway's expiring output
URLs are; a URL that played the "expired" fault stays expired, so only a fresh GET of the task
gets the clip again.

Counters: runway/"image_to_video" every submit, runway/"paid" every task actually created,
runway/"tasks" every poll, runway/"cancel" every DELETE, runway/"cancelled" every task actually
cancelled, runway/"media" every download.

Faults on "image_to_video" (submit): the generic ones — "http" (nothing is created), "timeout" (the
task is created only after `delay`, once a client with a shorter timeout has given up),
"malformed" (nothing is created) —, and
  "created_reset": the task is created, then the connection drops before a complete response
  "created_stall": the task is created, then the answer comes only after `delay` seconds
  "daily_cap":     429 `{"error": "Your daily task limit has been reached."}` (nothing created);
                   Runway's daily generation cap, which does not clear for hours
and kinds the created task then plays on its polls: "throttled" (THROTTLED at the first two
polls, then its terminal status), "failed_safety" | "failed_internal" (FAILED with a SAFETY.* /
INTERNAL.* code), "cancelled" (404 at once), "stuck" (RUNNING until cancelled).
Faults on "tasks" and "cancel": the generic ones. On "media": the generic ones, "truncated",
"expired".
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse, Response

from framecast.sandbox import media
from framecast.sandbox.common import begin, media_response
from framecast.sandbox.state import SandboxState
from framecast.sandbox.validate import Issue, issues

API_VERSION = "2024-11-06"
CONCURRENCY_KEY = "runway.concurrency"  # in state.latency: reset with everything else
DEFAULT_CONCURRENCY = 1000
DAILY_CAP_MESSAGE = "Your daily task limit has been reached."
ACTIVE = ("PENDING", "THROTTLED", "RUNNING")
AFTER_CREATE = ("created_reset", "created_stall")


class _ResetResponse(Response):
    """A response whose connection drops after the status line and a few bytes of body.

    Returning before the announced body is complete makes uvicorn close the connection (it logs
    "ASGI callable returned without completing response"); the client sees the peer hang up.
    """

    async def __call__(self, scope, receive, send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"120")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"id": "', "more_body": True})


def runway_error(status: int, message: str, code: str = "") -> dict:
    """Runway's error body."""
    return {"error": message}


def runway_tasks(state: SandboxState) -> dict[str, dict]:
    """The Runway tasks in the sandbox (state.tasks also holds other providers' tasks)."""
    with state.lock:
        return {k: v for k, v in state.tasks.items() if v.get("provider") == "runway"}


ZOD_TYPES = {
    str: "string",
    int: "number",
    float: "number",
    bool: "boolean",
    dict: "object",
    list: "array",
    type(None): "null",
}


def zod_issue(issue: Issue) -> dict:
    """A schema issue as Runway's 400 lists it: {code, path, message}, Zod's codes (the spec's "Zod body
    validation"), the field named by its path."""
    code = {"missing": "invalid_type", "unrecognized": "unrecognized_keys"}.get(issue.code, issue.code)
    if issue.code == "missing":
        message = "Invalid input: expected a value, received undefined"
    elif issue.code == "invalid_value":
        message = "Invalid option: expected one of " + "|".join(json.dumps(v) for v in issue.allowed)
    elif issue.code == "invalid_type":
        received = ZOD_TYPES.get(type(issue.value), "unknown")
        message = f"Invalid input: expected {' | '.join(issue.expected)}, received {received}"
    else:
        message = issue.message
    return {"code": "custom" if code == "invalid" else code, "path": list(issue.path), "message": message}


# Credits a second (runwayml/skills rw-api-reference, 2026-04-17): veo by whether it makes audio (the spec's
# `audio`, default true, "affects pricing"): (silent, with audio), the top of each range.
CREDITS_PER_SECOND = {"gen4_turbo": (5, 5), "gen4.5": (12, 12), "veo3.1": (20, 40), "veo3.1_fast": (10, 15)}


def credits(body: dict) -> int:
    """What the sandbox charges for a task, estimated and final alike: the model's rate, veo's by its audio."""
    silent, sounding = CREDITS_PER_SECOND.get(str(body.get("model")), (5, 5))
    return (sounding if body.get("audio", True) else silent) * int(body.get("duration", 5))


def validation_error(found: list[dict]) -> JSONResponse:
    """The spec's 400 for a body that fails validation: `error` and the field-level `issues`."""
    return JSONResponse({"error": "Validation of body failed", "issues": found}, status_code=400)


def model_problems(body: dict) -> list[dict]:
    """What the model named in the body does not accept: its durations, ratios and required fields."""
    from framecast.providers import registry

    known = registry.model("runway", str(body.get("model", "")))
    if known is None:
        return []
    issues = []
    if known.durations and body.get("duration") not in known.durations:
        issues.append(
            {
                "code": "invalid_value",
                "path": ["duration"],
                "message": f"{known.id} takes duration {', '.join(map(str, known.durations))}",
            }
        )
    if known.ratios and body.get("ratio") not in known.ratios:
        issues.append(
            {"code": "invalid_value", "path": ["ratio"], "message": f"{known.id} takes ratio {', '.join(known.ratios)}"}
        )
    issues += [
        {"code": "invalid_type", "path": [name], "message": f"{known.id} requires {name}"}
        for name in known.requires
        if not body.get(name)
    ]
    return issues


def router(state: SandboxState, base_url: str) -> APIRouter:
    api = APIRouter()

    def running() -> int:  # call with state.lock held
        return sum(1 for t in state.tasks.values() if t.get("provider") == "runway" and t["phase"] == "RUNNING")

    def step(task: dict) -> str:
        """The status this poll reports, moving the task on (call with state.lock held)."""
        task["polls"] += 1
        if task["phase"] in ACTIVE:
            if task["fault"] == "throttled" and task["polls"] <= 2:
                task["phase"] = "THROTTLED" if task["polls"] == 1 else "DONE"  # the next poll reports the end
                return "THROTTLED"
            if task["polls"] == 1:
                return "PENDING"
            if task["phase"] != "RUNNING":
                if running() >= int(state.latency.get(CONCURRENCY_KEY, DEFAULT_CONCURRENCY)):
                    task["phase"] = "THROTTLED"
                    return "THROTTLED"
                task["phase"] = "RUNNING"
                return "RUNNING"
            if task["fault"] == "stuck":
                return "RUNNING"
            task["phase"] = "DONE"
        if task["phase"] == "DONE":
            return "FAILED" if task["fault"] in ("failed_safety", "failed_internal") else "SUCCEEDED"
        return task["phase"]  # CANCELLED / DELETED

    @api.post("/v1/image_to_video")
    def create(request: Request, body: dict = Body(...)):
        fault, early = begin(state, request, "runway", "image_to_video", runway_error, late_delay=AFTER_CREATE)
        if early:
            return early
        kind = fault.kind if fault else ""
        if request.headers.get("x-runway-version") != API_VERSION:
            return JSONResponse({"error": f"X-Runway-Version must be {API_VERSION}"}, status_code=400)
        if kind == "daily_cap":
            return JSONResponse({"error": DAILY_CAP_MESSAGE}, status_code=429)
        # The per-model rules first (from the registry the client reads: durations and ratios per model that
        # the spec's schema does not all spell out), then the spec's schema, issue by issue, fields named.
        found = model_problems(body) or [zod_issue(i) for i in issues("runway.image_to_video.request", body)]
        if found:
            return validation_error(found)
        if not str(body["promptImage"]).startswith("data:image/"):
            return validation_error(
                [{"code": "custom", "path": ["promptImage"], "message": "the sandbox accepts data: URIs only"}]
            )
        task_id = str(uuid.uuid4())
        with state.lock:
            state.tasks[task_id] = {
                "provider": "runway",
                "body": body,  # as sent: tests read the wire shape (e.g. veo's `audio`) from here
                "credits": credits(body),  # what this task costs: veo's audio doubles it
                "polls": 0,
                "fault": kind,
                "phase": "PENDING",
                "history": [],
                "sig": 0,
                "expired_sigs": set(),
                "created": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            }
            state.counters[("runway", "paid")] += 1
        if kind == "created_reset":
            return _ResetResponse()
        if kind == "created_stall":
            time.sleep(fault.delay)
        return {"id": task_id, "estimatedCost": {"credits": state.tasks[task_id]["credits"]}}

    @api.get("/v1/tasks/{task_id}")
    def poll(task_id: str, request: Request):
        _, early = begin(state, request, "runway", "tasks", runway_error)
        if early:
            return early
        with state.lock:
            task = state.tasks.get(task_id)
            if task is not None and task.get("provider") != "runway":
                task = None
            status = step(task) if task is not None else ""
            if task is not None:
                task["history"].append(status)
        if task is None or task["fault"] == "cancelled" or status in ("CANCELLED", "DELETED"):
            return JSONResponse({"error": "Task not found"}, status_code=404)
        base = {"id": task_id, "createdAt": task["created"], "status": status}
        if status in ACTIVE:
            progress = {"progress": 0.5} if status == "RUNNING" else {}
            return {**base, **progress, "estimatedCost": {"credits": credits(task["body"])}}
        if status == "FAILED":  # a failed task is refunded: its final cost is 0, as the spec says
            code = "SAFETY.INPUT.IMAGE" if task["fault"] == "failed_safety" else "INTERNAL.BAD_OUTPUT.CODE01"
            return {**base, "failure": "The task failed.", "failureCode": code, "cost": {"credits": 0}}
        out = Path(state.media_dir) / f"{task_id}.mp4"
        if not out.exists():
            w, h = (int(v) for v in task["body"]["ratio"].split(":"))
            scale = state.media_scale
            media.mp4_from_data_uri(
                task["body"]["promptImage"],
                out,
                max(int(w * scale) // 2 * 2, 64),
                max(int(h * scale) // 2 * 2, 64),
                float(task["body"].get("duration", 5)),
            )
        with state.lock:
            task["sig"] += 1  # a freshly signed URL at every answer, as Runway's expiring output URLs are
            sig = task["sig"]
        return {
            **base,
            "output": [f"{base_url}/runway/media/{task_id}.mp4?sig={sig}"],
            "cost": {"credits": credits(task["body"])},
        }

    @api.delete("/v1/tasks/{task_id}")
    def cancel(task_id: str, request: Request):
        _, early = begin(state, request, "runway", "cancel", runway_error)
        if early:
            return early
        with state.lock:
            task = state.tasks.get(task_id)
            if (
                task is None
                or task.get("provider") != "runway"
                or task["phase"] in ("CANCELLED", "DELETED")
                or task["fault"] == "cancelled"
            ):
                return JSONResponse({"error": "Task not found"}, status_code=404)
            if task["phase"] in ACTIVE:
                task["phase"] = "CANCELLED"
                state.counters[("runway", "cancelled")] += 1
            else:
                task["phase"] = "DELETED"
        return Response(status_code=204)

    @api.get("/media/{name}")
    def download(name: str, sig: str = ""):
        def expired() -> JSONResponse:
            return JSONResponse({"error": "expired"}, status_code=404)

        with state.lock:
            task = state.tasks.get(Path(name).stem)
            if task is not None and task.get("provider") == "runway" and sig in task["expired_sigs"]:
                state.counters[("runway", "media")] += 1  # counted like any download; the fault queue untouched
                return expired()

        def keep_expired() -> None:
            if task is not None and task.get("provider") == "runway":
                with state.lock:
                    task["expired_sigs"].add(sig)

        return media_response(
            state,
            "runway",
            Path(state.media_dir) / Path(name).name,
            "video/mp4",
            runway_error,
            expired(),
            on_expired=keep_expired,
        )

    return api
