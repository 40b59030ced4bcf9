"""How many tokens a script call is reserved for before it is made: the prompt grows with the notes."""

from __future__ import annotations

import json
import math

DEFAULT_MAX_TOKENS = 4000  # the LLM writers' answer cap (OpenAIScriptWriter, AnthropicScriptWriter)
REPAIR_TURN_TOKENS = 1000  # the repair message: the validation problem spelled out, bounded by its describer


def text_tokens(text: str) -> int:
    """Tokens of `text` at most: a UTF-8 byte count over 3 (English runs ~4 characters a token, CJK ~1)."""
    return math.ceil(len(text.encode("utf-8", "replace")) / 3)


def script_reservation(brief, writer) -> int:
    """Tokens a script call for `brief` may bill, repair round included.

    The worst of the two rounds `write_with_repair` may make: the prompt (system, brief, schema) is sent
    twice, and the answer is paid three times (the first, then a second answer with twice the room after a
    cut-off one, or the first sent back as context plus a new one after an invalid one).
    """
    from framecast.providers.llm_script import SYSTEM_PROMPT, brief_message, script_schema

    max_tokens = int(getattr(writer, "max_tokens", 0) or DEFAULT_MAX_TOKENS)
    prompt = sum(text_tokens(text) for text in (SYSTEM_PROMPT, brief_message(brief), json.dumps(script_schema(brief))))
    return 2 * prompt + 3 * max_tokens + REPAIR_TURN_TOKENS
