"""The part of writing a script with an LLM that does not depend on the vendor: the brief, the
strict JSON schema, and one repair round for a truncated or schema-invalid answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import ValidationError

from framecast.core.errors import ScriptError
from framecast.core.models import MAX_SCENE_SECONDS, MIN_SCENE_SECONDS, Script
from framecast.core.validation import describe_validation_error
from framecast.providers.base import ScriptBrief

SYSTEM_PROMPT = (
    "You write scripts for short, narrated, faceless explainer videos. Narration is spoken by a voice "
    "actor: plain sentences, no stage directions, no emoji. Each scene has one idea, a visual_prompt "
    "describing a single illustration, a motion_prompt for a slow camera move, and an ambience: the "
    "background sound of the scene in a few words (no music, no speech). Be factually careful."
)


IDEAS_SYSTEM_PROMPT = (
    "You plan topics for a channel of short, narrated, faceless explainer videos. Each topic is one concrete "
    "question or process a curious viewer would search for, in plain words, at most 80 characters."
)
TOPIC_IDEAS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["topics"],
    "properties": {
        "topics": {
            "type": "array",
            "items": {"type": "string"},
            "description": "New topics, none repeating or rephrasing a recent video.",
        }
    },
}


@dataclass(frozen=True)
class TopicRequest:
    """What a writer is asked when a channel's backlog is used up."""

    channel_title: str
    language: str
    count: int
    recent: tuple[str, ...]


def ideas_message(request: TopicRequest) -> str:
    recent = "\n".join(f"- {t}" for t in request.recent) or "- (none yet)"
    return (
        f"Channel: {request.channel_title}\nLanguage: {request.language}\nTopics wanted: {request.count}\n"
        f"Recent videos (do not repeat or rephrase these):\n{recent}\n"
    )


def parse_ideas(provider: str, reply: Reply) -> list[str]:
    """The topics of a topic_ideas answer, cleaned; a ScriptError when there are none."""
    try:
        topics = json.loads(reply.text)["topics"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ScriptError(
            f"{provider} returned no usable topic ideas ({'cut off' if reply.truncated else exc})"
        ) from exc
    cleaned = [" ".join(str(t).split())[:200] for t in topics if isinstance(t, str) and t.strip()]
    if not cleaned:
        raise ScriptError(f"{provider} returned an empty list of topic ideas")
    return cleaned


@dataclass(frozen=True)
class Reply:
    text: str
    truncated: bool = False
    stop: str = ""


def brief_message(brief: ScriptBrief) -> str:
    notes = "\n".join(f"- {n}" for n in brief.notes)
    return (
        f"Topic: {brief.topic}\nLanguage: {brief.language}\nScenes: {brief.min_scenes} to {brief.max_scenes}\n"
        f"Total length: about {brief.target_seconds:.0f} seconds\n" + (f"Facts to use:\n{notes}\n" if notes else "")
    )


def script_schema(brief: ScriptBrief) -> dict:
    """The Script model as a strict-mode JSON schema (every field required, no extras)."""
    scene = {
        "type": "object",
        "additionalProperties": False,
        "required": ["narration", "visual_prompt", "motion_prompt", "duration", "transition", "ambience"],
        "properties": {
            "narration": {"type": "string", "description": "What the narrator says (1-3 sentences)."},
            "visual_prompt": {"type": "string", "description": "One illustration, 'Heading: description'."},
            "motion_prompt": {"type": "string"},
            "duration": {"type": "number", "description": f"Seconds, {MIN_SCENE_SECONDS:g}-{MAX_SCENE_SECONDS:g}."},
            "transition": {"type": "string", "enum": ["cut", "fade", "dissolve"]},
            "ambience": {
                "type": "string",
                "description": "The scene's background sound in 3-8 words, e.g. "
                "'lava hissing, distant rumble'; no music, no speech.",
            },
        },
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["title", "description", "tags", "scenes"],
        "properties": {
            "title": {"type": "string", "description": "At most 100 characters, no angle brackets."},
            "description": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "scenes": {
                "type": "array",
                "items": scene,
                "description": f"Between {brief.min_scenes} and {brief.max_scenes} scenes.",
            },
        },
    }


def write_with_repair(
    provider: str, ask: Callable[[list[dict], int], Reply], brief: ScriptBrief, max_tokens: int
) -> Script:
    """Ask, validate, and on a truncated or invalid answer ask once more with the problem spelled out.

    `ask(messages, max_tokens)` sends the conversation (user/assistant turns) and raises for refusals.
    """
    messages = [{"role": "user", "content": brief_message(brief)}]
    problem = ""
    for _ in range(2):
        reply = ask(messages, max_tokens)
        if reply.truncated:
            problem = f"the answer was cut off at {max_tokens} tokens ({reply.stop})"
            max_tokens *= 2
            continue
        try:
            return Script.model_validate(json.loads(reply.text))
        except (ValueError, ValidationError) as exc:
            problem = (
                describe_validation_error(exc, "the script")
                if isinstance(exc, ValidationError)
                else f"not valid JSON: {exc}"
            )
            messages += [
                {"role": "assistant", "content": reply.text},
                {"role": "user", "content": f"That script is invalid. {problem}\nReturn the complete corrected JSON."},
            ]
    raise ScriptError(f"{provider} returned no valid script after a repair attempt: {problem}")
