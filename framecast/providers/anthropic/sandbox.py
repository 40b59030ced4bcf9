"""Anthropic's Messages API wire protocol (version 2026-10-21), with structured output."""

from __future__ import annotations

import contextvars
import json
import re
import uuid
from collections.abc import Callable
from datetime import date, timedelta

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute

from framecast.providers import registry
from framecast.providers.base import ScriptBrief
from framecast.providers.local.script import LocalScriptWriter
from framecast.providers.registry import ModelSpec
from framecast.sandbox.common import begin, topic_ideas
from framecast.sandbox.state import SandboxState
from framecast.sandbox.validate import problems

VERSION = "2026-10-21"
REMOVED_IN_VERSION = ("temperature", "top_p", "top_k")


# Context window and max_tokens where framecast knows them (null otherwise, which the spec allows).
LIMITS = {"claude-sonnet-4-6": (1_000_000, 64_000)}  # what the fake answered before (the others: null)
LINES = ("haiku", "sonnet", "opus", "fable", "mythos")  # the SDK's ModelLine
NOTICE = timedelta(days=60)  # Anthropic's policy: at least 60 days' notice (where the registry has no notice date)


def _rfc3339(day: date | None) -> str | None:
    return f"{day.isoformat()}T00:00:00Z" if day else None


def model_info(model: ModelSpec, today: date) -> dict:
    """A ModelInfo as anthropic 2.17.0 types it (`types/model_info.py`): the lifecycle from the registry's dates
    on `today` — active without a date, deprecated before it, retired from it."""
    words = model.id.split("-")
    version = ".".join(w for w in words[2:] if w.isdigit() and len(w) < 3)
    state = "active" if model.shutdown is None else "retired" if today >= model.shutdown else "deprecated"
    limits = LIMITS.get(model.id, (None, None))
    return {
        "type": "model",
        "id": model.id,
        "display_name": " ".join(w.capitalize() for w in words[:2]) + (f" {version}" if version else ""),
        "created_at": "1970-01-01T00:00:00Z",  # "may be set to an epoch value if the release date is unknown"
        "capabilities": _capabilities(),
        "max_input_tokens": limits[0],
        "max_tokens": limits[1],
        "lifecycle": state,
        "deprecated_at": None if state == "active" else _rfc3339(model.deprecated or model.shutdown - NOTICE),
        "retires_at": _rfc3339(model.shutdown),
        "line": words[1] if len(words) > 1 and words[1] in LINES else None,
    }


_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("anthropic_request_id", default="")


def anthropic_error(status: int, message: str, code: str = "") -> dict:
    """The spec's ErrorResponse: type, error {type, message} and the request's request_id."""
    by_status = {
        400: "invalid_request_error",
        401: "authentication_error",
        402: "billing_error",
        403: "permission_error",
        404: "not_found_error",
        429: "rate_limit_error",
        500: "api_error",
        504: "timeout_error",
        529: "overloaded_error",
    }
    # A caller's code (e.g. common.begin's "invalid_api_key") is used only when it is one of the spec's types.
    kind = code if code in by_status.values() else by_status.get(status, "api_error")
    return {
        "type": "error",
        "error": {"type": kind, "message": message},
        "request_id": _request_id.get() or _new_request_id(),
    }


def _new_request_id() -> str:
    return "req_sandbox" + uuid.uuid4().hex[:20]


class _RequestIdRoute(APIRoute):
    """Every answer carries a `request-id` header, the same id an error body gives as `request_id`.

    The spec's ErrorResponse requires `request_id`; the header is from Anthropic's API overview ("every
    response" carries `request-id`), which the OpenAPI document does not describe.
    """

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def with_request_id(request: Request) -> Response:
            token = _request_id.set(_new_request_id())
            try:
                response = await handler(request)
                response.headers["request-id"] = _request_id.get()
                return response
            finally:
                _request_id.reset(token)

        return with_request_id


def _capabilities() -> dict:
    """The spec's ModelCapabilities for a current Claude model (every key present, as the spec says)."""
    yes, no = {"supported": True}, {"supported": False}
    return {
        "batch": yes,
        "citations": yes,
        "code_execution": yes,
        "image_input": yes,
        "pdf_input": yes,
        "structured_outputs": yes,
        "context_management": {
            "supported": True,
            "clear_thinking_20251015": yes,
            "clear_tool_uses_20250919": yes,
            "compact_20260112": yes,
        },
        "effort": {"supported": True, "low": yes, "medium": yes, "high": yes, "max": yes, "xhigh": no},
        "thinking": {"supported": True, "types": {"adaptive": yes, "enabled": yes}},
    }


def _message(model: str, content: str, stop: str, input_tokens: int) -> dict:
    """A Message with every field the spec requires (nothing cached, no tools, no container)."""
    return {
        "id": f"msg_{uuid.uuid4().hex[:24]}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": content, "citations": None}] if content else [],
        "stop_reason": stop,
        "stop_sequence": None,
        "stop_details": None,
        "container": None,
        "usage": {
            "input_tokens": input_tokens,
            "output_tokens": len(content) // 4,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
            "server_tool_use": None,
            "service_tier": "standard",
            "inference_geo": None,
        },
    }


def _refuses_disabled(model: str) -> bool:
    """Does `model` answer `thinking: disabled` with a 400? Sonnet 5.5, Opus 5.5 and Fable 5.x do (thinking always
    on: platform.claude.com models overview, 2026-10/11): every Claude 5.x here, and a registered model whose
    entry says it is not turned off with `disabled`."""
    known = registry.model("anthropic", model)
    if known is not None and known.thinking:
        return known.thinking != "disabled"
    generation = re.match(r"claude-(?:[a-z]+-)?(\d+)", model)
    return bool(generation) and int(generation.group(1)) >= 5


def _thinking_refused(body: dict) -> str:
    """Why `thinking` / `output_config` are refused: the spec's shapes (with SDK 2.17.0's `between_tools`), then
    the per-model rules of the Sonnet 5.5 page ("" when accepted)."""
    found = problems("anthropic.messages.request", {k: body[k] for k in ("thinking", "output_config") if k in body})
    if found:
        return "; ".join(found)
    kind = (body.get("thinking") or {}).get("type")
    effort = (body.get("output_config") or {}).get("effort")
    model = str(body.get("model"))
    if kind == "disabled" and _refuses_disabled(model):
        return (
            f"thinking.type: 'disabled' is not supported by {model}; use 'between_tools' (the lowest thinking "
            "setting) or output_config.effort"
        )
    if kind == "between_tools" and effort not in (None, "low", "medium", "high"):
        return f"thinking.type: 'between_tools' is allowed with output_config.effort low, medium or high, not {effort}"
    return ""


def _bad(message: str) -> JSONResponse:
    return JSONResponse(anthropic_error(400, message), status_code=400)


def router(state: SandboxState, base_url: str = "") -> APIRouter:
    api = APIRouter(route_class=_RequestIdRoute)

    @api.get("/v1/models")
    def models(request: Request):
        fault, early = begin(state, request, "anthropic", "models", anthropic_error, "x-api-key")
        if early:
            return early
        today = date.today()
        data = [model_info(m, today) for m in registry.spec("anthropic").models]
        return {"data": data, "has_more": False, "first_id": data[0]["id"], "last_id": data[-1]["id"]}

    @api.get("/v1/models/{model_id}")
    def model(model_id: str, request: Request):
        # Pre-flight's lifecycle check, one call per model a channel uses (counted with the list: both are free).
        fault, early = begin(state, request, "anthropic", "models", anthropic_error, "x-api-key")
        if early:
            return early
        known = registry.model("anthropic", model_id)
        if known is None:
            return JSONResponse(anthropic_error(404, f"model: {model_id}"), status_code=404)
        return model_info(known, date.today())

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
        refused = _thinking_refused(body)
        if refused:
            return _bad(refused)
        text = " ".join(m["content"] for m in body["messages"] if isinstance(m.get("content"), str))
        schema = ((body.get("output_config") or {}).get("format") or {}).get("schema") or {}
        if "topics" in (schema.get("properties") or {}):
            content = json.dumps(topic_ideas("\n".join(m["content"] for m in body["messages"])))
            return _message(body["model"], content, "end_turn", len(text) // 4)
        topic = (re.search(r"Topic:\s*(.+)", text) or re.search(r"(.+)", text)).group(1).strip()
        # Follow the brief the way a model would: scene count and length from the prompt (as the OpenAI route).
        counts = re.search(r"Scenes:\s*(\d+)\s*to\s*(\d+)", text)
        length = re.search(r"about\s*(\d+)\s*seconds", text)
        lo, hi = (int(counts.group(1)), int(counts.group(2))) if counts else (6, 8)
        script = LocalScriptWriter().write(
            ScriptBrief(
                topic=topic[:200], min_scenes=lo, max_scenes=hi, target_seconds=float(length.group(1)) if length else 60
            )
        )
        content, stop = json.dumps(script.model_dump(mode="json")), "end_turn"
        kind = fault.kind if fault else ""
        if kind == "refusal":
            content, stop = "", "refusal"
        elif kind == "max_tokens":
            content, stop = content[: len(content) // 3], "max_tokens"
        return _message(body["model"], content, stop, len(text) // 4)

    return api
