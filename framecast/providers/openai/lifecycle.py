"""OpenAI models framecast does not default to but a channel may name, with the day each shuts down.

Lifecycle entries only (no prices, no request rules): they let pre-flight warn 30 days ahead and refuse on the day,
offline from here and online from `shutdown_date` on `GET /v1/models`. Checked 2026-12-07 against the openai wheel
3.63.0 (`types/shared/chat_model.py` "Deprecated values", `types/image_model.py`) and copies of
developers.openai.com/api/docs/deprecations (see docs/providers.md, Model lifecycle).
"""

from __future__ import annotations

from datetime import date

from framecast.providers.registry import ModelSpec

CHAT_DEPRECATED = "OpenAI deprecations page; openai 3.63.0 chat_model.py 'Deprecated values' (checked 2026-12-07)"
IMAGES_SHUT = "OpenAI deprecations page (copies of 2026-11); openai 3.63.0 image_model.py (checked 2026-12-07)"
DALL_E = "OpenAI deprecations page (copies of 2026-11): DALL·E 2 and 3 retired"
SPEECH = "OpenAI deprecations page; developers.openai.com/api/docs/guides/text-to-speech (checked 2026-12-07)"
WHISPER = "OpenAI deprecations page (notice posted 2026-08-26)"
NEW_IMAGES = "replaced by gpt-image-2.5-* or 2.6-* (the page copies disagree; framecast's default is gpt-image-2)"
# Every speech model on /v1/audio/speech ends on one day; the successor exists only on the Realtime API.
SPEECH_ENDS = date(2027, 1, 6)
SPEECH_NOTE = (
    "OpenAI's speech API ends with it, its successor works only over the Realtime API: "
    "use voice.provider: elevenlabs or local"
)

_SCRIPT = ("script", "topics")


def _chat(model: str, day: date, successor: str | None = None) -> ModelSpec:
    return ModelSpec(model, _SCRIPT, day, CHAT_DEPRECATED, successor=successor)


def _image(model: str, day: date, source: str = IMAGES_SHUT, note: str = NEW_IMAGES) -> ModelSpec:
    return ModelSpec(model, ("image",), day, source, note=note)


RETIRING = (
    *(_chat(m, date(2026, 12, 11), "gpt-6.1-sol") for m in ("gpt-5", "gpt-5-mini", "gpt-5-nano", "o3")),
    *(_chat(m, date(2027, 1, 14), "gpt-6-luna") for m in ("gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini")),
    _chat("gpt-5.1", date(2027, 4, 1)),
    _chat("gpt-5.4-nano", date(2027, 4, 1)),
    ModelSpec("gpt-audio-mini", ("voice",), date(2027, 1, 20), CHAT_DEPRECATED, note="audio out of the chat API"),
    *(
        _image(m, date(2026, 12, 1))
        for m in ("gpt-image-1.5", "gpt-image-1.5-2025-12-16", "gpt-image-1-mini", "chatgpt-image-latest")
    ),
    _image("gpt-image-1", date(2026, 10, 23)),
    _image("dall-e-2", date(2026, 5, 12), DALL_E, ""),
    _image("dall-e-3", date(2026, 5, 12), DALL_E, ""),
)
# What pre-flight applies to an OpenAI speech model the registry does not list (a new snapshot, say).
SPEECH_ROLE = ModelSpec("(any OpenAI speech model)", ("voice",), SPEECH_ENDS, SPEECH, note=SPEECH_NOTE)
