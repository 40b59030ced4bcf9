"""Anthropic's Messages API (over the shared HTTP layer) as a script writer with structured output."""

from __future__ import annotations

import json

from pydantic import ValidationError

from framecast.config import describe_validation_error
from framecast.errors import ContentRejected, ScriptError
from framecast.http import ProviderHTTP
from framecast.models import Script
from framecast.providers.base import ScriptBrief
from framecast.providers.openai import SYSTEM_PROMPT, script_schema

API_VERSION = "2026-10-21"  # removes temperature/top_p/top_k: sending them is a 400


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

    def write(self, brief: ScriptBrief) -> Script:
        """A script from the model; one repair round if it is cut off or breaks the schema."""
        notes = "\n".join(f"- {n}" for n in brief.notes)
        messages = [{"role": "user", "content": f"Topic: {brief.topic}\nLanguage: {brief.language}\n"
                                                f"Scenes: {brief.min_scenes} to {brief.max_scenes}\n"
                                                f"Total length: about {brief.target_seconds:.0f} seconds\n"
                                                + (f"Facts to use:\n{notes}\n" if notes else "")}]
        max_tokens, problem = self.max_tokens, ""
        for _ in range(2):
            body = {"model": self.model, "max_tokens": max_tokens, "system": SYSTEM_PROMPT, "messages": messages,
                    "output_config": {"format": {"type": "json_schema", "schema": script_schema(brief)}}}
            reply = self.http.json("POST", "/v1/messages", json=body,
                                   headers={"anthropic-version": API_VERSION})
            usage = reply.get("usage") or {}
            self.tokens_used += int(usage.get("input_tokens", 0)) + int(usage.get("output_tokens", 0))
            stop = reply.get("stop_reason")
            text = "".join(block.get("text", "") for block in reply.get("content", []) if block.get("type") == "text")
            if stop == "refusal":
                raise ContentRejected("anthropic refused to write this script", provider="anthropic")
            if stop == "max_tokens":
                problem = f"the answer was cut off at {max_tokens} tokens (stop_reason=max_tokens)"
                max_tokens *= 2
                continue
            try:
                return Script.model_validate(json.loads(text))
            except (ValueError, ValidationError) as exc:
                problem = (describe_validation_error(exc, "the script") if isinstance(exc, ValidationError)
                           else f"not valid JSON: {exc}")
                messages += [{"role": "assistant", "content": text},
                             {"role": "user", "content": f"That script is invalid. {problem}\n"
                                                         "Return the complete corrected JSON."}]
        raise ScriptError(f"anthropic returned no valid script after a repair attempt: {problem}")
