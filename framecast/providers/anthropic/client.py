"""Anthropic's Messages API (over the shared HTTP layer) as a script writer with structured output."""

from __future__ import annotations

import re

from framecast.core.errors import ContentRejected
from framecast.core.models import Script
from framecast.providers import registry
from framecast.providers.base import ScriptBrief
from framecast.providers.llm_script import (
    IDEAS_SYSTEM_PROMPT,
    SYSTEM_PROMPT,
    TOPIC_IDEAS_SCHEMA,
    Reply,
    TopicRequest,
    ideas_message,
    parse_ideas,
    script_schema,
    write_with_repair,
)
from framecast.transport.http import ProviderHTTP

API_VERSION = "2026-10-21"  # removes temperature/top_p/top_k: sending them is a 400


def thinking_mode(model_id: str) -> str:
    """How `model_id` is kept from thinking: its registry entry, else by generation (see ModelSpec.thinking)."""
    # Thinking spends max_tokens and a script needs none. `thinking: disabled` is a 400 on every Claude 5.x model
    # known so far (Sonnet 5.5, Opus 5.5, Fable 5.x: platform.claude.com, 2026-10/11), and whether an unknown one
    # takes `between_tools` is not known: an unknown 5.x or later model gets no `thinking` and effort low, an
    # older one `disabled`.
    known = registry.model("anthropic", model_id)
    if known is not None and known.thinking:
        return known.thinking
    generation = re.match(r"claude-(?:[a-z]+-)?(\d+)", model_id)
    return "low-effort" if generation and int(generation.group(1)) >= 5 else "disabled"


def anthropic_error(response) -> tuple[str, str]:
    """(message, type) from Anthropic's {"type": "error", "error": {...}} shape."""
    try:
        err = response.json().get("error", {})
        return str(err.get("message", "")), str(err.get("type", ""))
    except (ValueError, AttributeError):
        return response.text[:300], ""


class AnthropicScriptWriter:
    name = "anthropic"

    def __init__(self, http: ProviderHTTP, model: str, max_tokens: int = 4000):
        self.http, self.model, self.max_tokens = http, model, max_tokens
        self.tokens_used = 0

    def _ask(self, messages: list[dict], max_tokens: int, schema: dict, system: str) -> Reply:
        body = {
            "model": self.model,
            "max_tokens": max_tokens,
            "system": system,
            "messages": messages,
            "output_config": {"format": {"type": "json_schema", "schema": schema}},
        }
        mode = thinking_mode(self.model)
        if mode == "disabled":
            body["thinking"] = {"type": "disabled"}
        else:
            body["output_config"]["effort"] = "low"
            if mode == "between-tools":
                body["thinking"] = {"type": "between_tools"}
        reply = self.http.json("POST", "/v1/messages", json=body, headers={"anthropic-version": API_VERSION})
        usage = reply.get("usage") or {}
        self.tokens_used += int(usage.get("input_tokens", 0)) + int(usage.get("output_tokens", 0))
        if reply.get("stop_reason") == "refusal":
            raise ContentRejected("anthropic refused the request", provider="anthropic")
        text = "".join(b.get("text", "") for b in reply.get("content", []) if b.get("type") == "text")
        return Reply(text, reply.get("stop_reason") == "max_tokens", "stop_reason=max_tokens")

    def write(self, brief: ScriptBrief) -> Script:
        """A script from the model; one repair round if it is cut off or breaks the schema."""
        schema = script_schema(brief)
        return write_with_repair(
            "anthropic",
            lambda messages, tokens: self._ask(messages, tokens, schema, SYSTEM_PROMPT),
            brief,
            self.max_tokens,
        )

    def propose_topics(self, request: TopicRequest) -> list[str]:
        """New topic ideas for a channel whose backlog is used up."""
        reply = self._ask(
            [{"role": "user", "content": ideas_message(request)}],
            self.max_tokens,
            TOPIC_IDEAS_SCHEMA,
            IDEAS_SYSTEM_PROMPT,
        )
        return parse_ideas("anthropic", reply)
