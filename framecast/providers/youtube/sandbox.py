"""YouTube Data API v3's upload protocol and Google's OAuth token endpoint, for the sandbox.

Faults (`state.inject("youtube", ENDPOINT, Fault(...))`, or POST /__sandbox/faults) by endpoint:
- "token", "videos.insert" (the POST with the video's metadata that opens a session),
  "upload.status" (`Content-Range: bytes */TOTAL`), "thumbnails.set", "captions.insert": the generic
  kinds of framecast.sandbox.common (`Fault(status=503)`, `Fault(status=403)`, timeout, malformed) in
  YouTube's error shape, with the reason YouTube gives for the status (403 → forbidden, 503 → backendError);
- "videos.insert" also: "quota" (403 quotaExceeded, the project's daily quota), "upload_limit"
  (400 uploadLimitExceeded, the channel's 24-hour upload limit);
- "upload" (a chunk PUT): "interrupt" (take half of a chunk, then fail with 503), "lose_response"
  (finish the upload, answer 500), and the generic kinds.
Every finished upload is kept in `state.tasks["youtube:<video id>"]` (bytes, metadata, thumbnail,
captions), so tests count videos on the provider's side.
"""

from __future__ import annotations

import re
import uuid

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from framecast.sandbox.common import fault_response
from framecast.sandbox.state import SandboxState

REFRESH_TOKEN = "sandbox-refresh-token"


REASONS = {
    400: "badRequest",
    401: "authError",
    403: "forbidden",
    404: "notFound",
    429: "rateLimitExceeded",
    500: "backendError",
    503: "backendError",
}


def yt_error(status: int, message: str, reason: str = "") -> dict:
    return {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"reason": reason or REASONS.get(status, "badRequest"), "domain": "youtube"}],
        }
    }


def router(state: SandboxState, base_url: str) -> APIRouter:
    api = APIRouter()
    sessions: dict[str, dict] = {}

    def authorized(request: Request) -> bool:
        return request.headers.get("authorization", "").startswith("Bearer ya29.sandbox")

    def played(endpoint: str):
        """Count the call and take its fault: (fault, the generic fault's response or None to go on)."""
        fault = state.take("youtube", endpoint)
        return fault, (fault_response(fault, yt_error) if fault is not None else None)

    async def aplayed(endpoint: str):
        """`played` for async routes: a slow fault sleeps in a worker thread, never on the event loop."""
        return await run_in_threadpool(played, endpoint)

    @api.post("/token")
    async def token(request: Request):
        _, faulted = await aplayed("token")
        if faulted is not None:
            return faulted
        form = await request.form()
        if form.get("grant_type") != "refresh_token" or not form.get("client_id"):
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        if form.get("refresh_token") != REFRESH_TOKEN:
            return JSONResponse(
                {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}, status_code=400
            )
        return {"access_token": f"ya29.sandbox-{uuid.uuid4().hex[:8]}", "expires_in": 3599, "token_type": "Bearer"}

    @api.post("/upload/youtube/v3/videos")
    def insert(request: Request, body: dict = Body(...), uploadType: str = "", part: str = ""):
        fault, faulted = played("videos.insert")
        if faulted is not None:
            return faulted
        if not authorized(request):
            return JSONResponse(yt_error(401, "Invalid Credentials", "authError"), status_code=401)
        if fault is not None and fault.kind == "quota":
            return JSONResponse(
                yt_error(403, "The request cannot be completed because you have exceeded your quota.", "quotaExceeded"),
                status_code=403,
            )
        if fault is not None and fault.kind == "upload_limit":
            return JSONResponse(
                yt_error(400, "The user has exceeded the number of videos they may upload.", "uploadLimitExceeded"),
                status_code=400,
            )
        if uploadType != "resumable" or not {"snippet", "status"} <= set(part.split(",")):
            return JSONResponse(
                yt_error(400, "uploadType=resumable and part=snippet,status are required"), status_code=400
            )
        status, snippet = body.get("status", {}), body.get("snippet", {})
        if status.get("privacyStatus") not in ("private", "public", "unlisted"):
            return JSONResponse(
                yt_error(400, "status.privacyStatus must be set explicitly", "invalidPrivacyStatus"), status_code=400
            )
        if status.get("publishAt") and status["privacyStatus"] != "private":
            return JSONResponse(
                yt_error(400, "publishAt needs privacyStatus private", "invalidPublishAt"), status_code=400
            )
        if not snippet.get("title") or len(snippet["title"]) > 100 or re.search(r"[<>]", snippet["title"]):
            return JSONResponse(yt_error(400, "invalid title", "invalidTitle"), status_code=400)
        length = request.headers.get("x-upload-content-length", "")
        if not length.isdigit():
            return JSONResponse(yt_error(400, "X-Upload-Content-Length is required"), status_code=400)
        upload_id = uuid.uuid4().hex
        sessions[upload_id] = {"meta": body, "total": int(length), "data": bytearray(), "video": None}
        location = f"{base_url}/youtube/upload/youtube/v3/videos?uploadType=resumable&upload_id={upload_id}"
        return Response(status_code=200, headers={"location": location})

    @api.put("/upload/youtube/v3/videos")
    async def upload(request: Request, upload_id: str = ""):
        session = sessions.get(upload_id)
        if session is None:
            return JSONResponse(yt_error(404, "upload session not found", "notFound"), status_code=404)
        if not authorized(request):
            return JSONResponse(yt_error(401, "Invalid Credentials", "authError"), status_code=401)
        content_range = request.headers.get("content-range", "")
        received = len(session["data"])

        def progress() -> Response:
            headers = {"range": f"bytes=0-{received - 1}"} if received else {}
            return Response(status_code=308, headers=headers)

        if content_range.startswith("bytes */"):
            _, faulted = await aplayed("upload.status")
            if faulted is not None:
                return faulted
            return JSONResponse(session["video"]) if session["video"] else progress()
        fault, faulted = await aplayed("upload")
        if faulted is not None:
            return faulted
        match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", content_range)
        chunk = await request.body()
        if not match or int(match.group(1)) != received or int(match.group(3)) != session["total"]:
            return JSONResponse(
                yt_error(400, f"Content-Range {content_range!r} does not continue at {received}"), status_code=400
            )
        if fault is not None and fault.kind == "interrupt":
            session["data"] += chunk[: len(chunk) // 2]
            return JSONResponse(yt_error(503, "Backend Error", "backendError"), status_code=503)
        session["data"] += chunk
        received = len(session["data"])
        if received < session["total"]:
            return progress()
        video_id = uuid.uuid4().hex[:11]
        session["video"] = {"kind": "youtube#video", "id": video_id, **session["meta"]}
        with state.lock:
            state.tasks[f"youtube:{video_id}"] = {"bytes": bytes(session["data"]), "meta": session["meta"]}
        if fault is not None and fault.kind == "lose_response":
            return JSONResponse(yt_error(500, "Backend Error", "backendError"), status_code=500)
        return JSONResponse(session["video"])

    @api.post("/upload/youtube/v3/thumbnails/set")
    async def thumbnail(request: Request, videoId: str = ""):
        _, faulted = await aplayed("thumbnails.set")
        if faulted is not None:
            return faulted
        if f"youtube:{videoId}" not in state.tasks:
            return JSONResponse(yt_error(404, "video not found", "videoNotFound"), status_code=404)
        data = await request.body()
        if not data.startswith(b"\xff\xd8"):
            return JSONResponse(yt_error(400, "thumbnail must be a JPEG or PNG", "invalidImage"), status_code=400)
        state.tasks[f"youtube:{videoId}"]["thumbnail"] = len(data)
        return {"kind": "youtube#thumbnailSetResponse", "items": [{"default": {"url": "https://i.ytimg.com/x.jpg"}}]}

    @api.post("/upload/youtube/v3/captions")
    async def captions(request: Request):
        _, faulted = await aplayed("captions.insert")
        if faulted is not None:
            return faulted
        body = (await request.body()).decode("utf-8", "replace")
        match = re.search(r'"videoId":\s*"([^"]+)"', body)
        if not match or f"youtube:{match.group(1)}" not in state.tasks:
            return JSONResponse(yt_error(404, "video not found", "videoNotFound"), status_code=404)
        state.tasks[f"youtube:{match.group(1)}"]["captions"] = "-->" in body
        return {"kind": "youtube#caption", "id": uuid.uuid4().hex[:10], "snippet": {"videoId": match.group(1)}}

    return api
