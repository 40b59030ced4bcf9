"""Helpers shared by the sandbox's provider routers: auth, faults, latency, error shapes.

Routes are plain `def`s: FastAPI runs them in a thread pool, so a slow fault or an ffmpeg render
never blocks other requests (a blocked loop let late requests eat the next test's faults).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable

from fastapi import Request
from fastapi.responses import FileResponse, JSONResponse, Response

from framecast.sandbox.state import Fault, SandboxState

ErrorShape = Callable[[int, str, str], dict]


def detail_error(status: int, message: str, code: str = "") -> dict:
    return {"detail": {"status": code or "error", "message": message}}


def fault_response(fault: Fault, shape: ErrorShape, *, play_delay: bool = True) -> Response | None:
    """The response an injected generic fault produces (None for provider-specific kinds).

    `play_delay=False`: the route plays `fault.delay` itself (e.g. after creating a task).
    """
    if fault.delay and play_delay:
        time.sleep(fault.delay)
    if fault.kind == "timeout":
        return None  # the caller has given up by now; answer normally
    if fault.kind == "malformed":
        return Response("<html>upstream error</html>{", status_code=200, media_type="application/json")
    if fault.kind == "http":
        headers = {"retry-after": fault.retry_after} if fault.retry_after else {}
        body = fault.body or shape(fault.status, f"injected fault {fault.status}", "")
        return JSONResponse(body, status_code=fault.status, headers=headers)
    return None


def media_response(
    state: SandboxState,
    provider: str,
    path,
    media_type: str,
    shape: ErrorShape,
    expired: Response,
    on_expired: Callable[[], None] | None = None,
) -> Response:
    """Serve generated media as a CDN would, playing the faults that cost money when mishandled.

    Counted as provider/"media". Faults: the generic ones (e.g. 503 with Retry-After), "truncated"
    (the connection ends halfway through a body announced at full length), "expired" (404;
    `on_expired` is called first, e.g. to keep that URL expired for later requests).
    """
    fault = state.take(provider, "media")
    if fault is not None and fault.kind == "expired" and on_expired is not None:
        on_expired()
    if fault is not None and fault.kind == "expired" or not path.is_file():
        return expired
    if fault is not None and fault.kind == "truncated":
        data = path.read_bytes()
        return Response(data[: len(data) // 2], media_type=media_type, headers={"content-length": str(len(data))})
    if fault is not None:
        response = fault_response(fault, shape)
        if response is not None:
            return response
    return FileResponse(path, media_type=media_type)


def begin(
    state: SandboxState,
    request: Request,
    provider: str,
    endpoint: str,
    shape: ErrorShape,
    auth_header: str = "authorization",
    late_delay: tuple[str, ...] = (),
) -> tuple[Fault | None, Response | None]:
    """Count the call, apply latency, check credentials, and play a generic fault if one is queued.

    Fault kinds in `late_delay` keep their `delay` for the route to play after its work.
    """
    # The same request again (same path and body) is a retry: early if sooner than its Retry-After.
    raw = getattr(request, "_body", None) or b""
    identity = hashlib.sha1(request.url.path.encode() + raw).hexdigest()
    fault = state.take(provider, endpoint, identity)
    try:  # what the client sent, for tests that check the wire shape
        sent = json.loads(raw) if raw[:1] == b"{" else None
    except ValueError:
        sent = None
    if isinstance(sent, dict):
        with state.lock:
            state.last_body[(provider, endpoint)] = sent
    time.sleep(state.latency.get(provider, 0.0))
    credential = request.headers.get(auth_header, "")
    if not credential.strip() or credential.strip().lower() == "bearer":
        return fault, JSONResponse(shape(401, "missing or invalid API key", "invalid_api_key"), status_code=401)
    if fault is not None:
        response = fault_response(fault, shape, play_delay=fault.kind not in late_delay)
        if response is not None:
            return fault, response
    return fault, None


IDEA_POOL = (
    "How glaciers carve valleys",
    "Why the moon has phases",
    "How batteries store energy",
    "Why bread rises",
    "How submarines dive",
    "Why we dream",
    "How compasses find north",
    "Why ice floats",
    "How vaccines train the body",
    "Why stars twinkle",
    "How earthquakes start",
    "Why onions make us cry",
)


def topic_ideas(prompt: str) -> dict:
    """A topic_ideas answer the way a model would give it: as many as asked, none of the recent ones."""
    import re

    wanted = int((re.search(r"Topics wanted:\s*(\d+)", prompt) or re.search(r"()", "3")).group(1) or 3)
    recent = {line[2:].strip().casefold() for line in prompt.splitlines() if line.startswith("- ")}
    return {"topics": [t for t in IDEA_POOL if t.casefold() not in recent][:wanted]}
