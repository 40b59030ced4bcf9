"""Anthropic's Messages API wire protocol (version 2026-10-21), with structured output."""

from __future__ import annotations

import json
import re
import uuid

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from framecast.providers.base import ScriptBrief
from framecast.providers.local_script import LocalScriptWriter
from framecast.sandbox.common import begin, topic_ideas
from framecast.sandbox.state import SandboxState

VERSION = "2026-10-21"
REMOVED_IN_VERSION = ("temperature", "top_p", "top_k")


def anthropic_error(status: int, message: str, code: str = "") -> dict:
    kind = code or {400: "invalid_request_error", 401: "authentication_error", 429: "rate_limit_error",
                    529: "overloaded_error"}.get(status, "api_error")
    return {"type": "error", "error": {"type": kind, "message": message}}


def _bad(message: str) -> JSONResponse:
    return JSONResponse(anthropic_error(400, message), status_code=400)


def router(state: SandboxState) -> APIRouter:
    api = APIRouter()

    @api.get("/v1/models")
    def models(request: Request):
        fault, early = begin(state, request, "anthropic", "models", anthropic_error, "x-api-key")
        if early:
            return early
        data = [{"type": "model", "id": "claude-sonnet-4-6", "display_name": "Claude Sonnet 4.6",
                 "created_at": "2026-02-17T00:00:00Z"}]
        return {"data": data, "has_more": False, "first_id": data[0]["id"], "last_id": data[-1]["id"]}

    @api.post("/v1/messages")
    def messages(request: Request, body: dict = Body(...)):
        fault, early = begin(state, request, "anthropic", "messages", anthropic_error, "x-api-key")
        if early:
            return early
        if request.headers.get("anthropic-version") != VERSION:
            return _bad(f"anthropic-version: this sandbox speaks {VERSION}")
        for field in ("model", "max_tokens", "messages"):
            if field not in body:
                return _bad(f"{field}: Field required")
        for field in REMOVED_IN_VERSION:
            if field in body:
                return _bad(f"{field}: not supported in API version {VERSION}")
        text = " ".join(m["content"] for m in body["messages"] if isinstance(m.get("content"), str))
        schema = ((body.get("output_config") or {}).get("format") or {}).get("schema") or {}
        if "topics" in (schema.get("properties") or {}):
            content = json.dumps(topic_ideas("\n".join(m["content"] for m in body["messages"])))
            return {"id": f"msg_{uuid.uuid4().hex[:24]}", "type": "message", "role": "assistant",
                    "model": body["model"], "content": [{"type": "text", "text": content}], "stop_reason": "end_turn",
                    "usage": {"input_tokens": len(text) // 4, "output_tokens": len(content) // 4}}
        topic = (re.search(r"Topic:\s*(.+)", text) or re.search(r"(.+)", text)).group(1).strip()
        # Follow the brief the way a model would: scene count and length from the prompt (as the OpenAI route).
        counts = re.search(r"Scenes:\s*(\d+)\s*to\s*(\d+)", text)
        length = re.search(r"about\s*(\d+)\s*seconds", text)
        lo, hi = (int(counts.group(1)), int(counts.group(2))) if counts else (6, 8)
        script = LocalScriptWriter().write(ScriptBrief(topic=topic[:200], min_scenes=lo, max_scenes=hi,
                                                       target_seconds=float(length.group(1)) if length else 60))
        content, stop = json.dumps(script.model_dump(mode="json")), "end_turn"
        kind = fault.kind if fault else ""
        if kind == "refusal":
            content, stop = "", "refusal"
        elif kind == "max_tokens":
            content, stop = content[: len(content) // 3], "max_tokens"
        return {"id": f"msg_{uuid.uuid4().hex[:24]}", "type": "message", "role": "assistant", "model": body["model"],
                "content": [{"type": "text", "text": content}] if content else [], "stop_reason": stop,
                "usage": {"input_tokens": len(text) // 4, "output_tokens": len(content) // 4}}

    return api
