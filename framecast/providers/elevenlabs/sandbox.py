"""ElevenLabs' wire protocol: text to speech with character timestamps."""

from __future__ import annotations

import base64
import json

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse, Response

from framecast.sandbox import media
from framecast.sandbox.common import begin, detail_error
from framecast.sandbox.state import SandboxState
from framecast.sandbox.validate import SPECS, problems


def _voice(voice_id: str, name: str, labels: dict) -> dict:
    """A premade voice as GET /v2/voices lists it: every field the spec's VoiceResponseModel requires, and the
    usual optional ones (a premade voice has no samples, fine-tuning or sharing of its own)."""
    return {
        "voice_id": voice_id,
        "name": name,
        "category": "premade",
        "labels": labels,
        "description": None,
        "available_for_tiers": [],
        "high_quality_base_model_ids": ["eleven_turbo_v2", "eleven_multilingual_v2", "eleven_turbo_v2_5"],
        "preview_url": None,
        "samples": None,
        "fine_tuning": None,
        "settings": None,
        "sharing": None,
        "verified_languages": [{"language": "en", "model_id": "eleven_multilingual_v2", "accent": "american"}],
        "safety_control": None,
        "voice_verification": None,
        "permission_on_resource": None,
        "is_owner": False,
        "is_legacy": False,
        "is_mixed": False,
        "created_at_unix": None,
    }


VOICES = [
    _voice(
        "21m00Tcm4TlvDq8ikWAM",
        "Rachel",
        {
            "accent": "american",
            "descriptive": "calm",
            "age": "young",
            "gender": "female",
            "use_case": "narrative_story",
        },
    ),
    _voice(
        "AZnzlk1XvdvUeBnXmlld",
        "Domi",
        {
            "accent": "american",
            "descriptive": "strong",
            "age": "young",
            "gender": "female",
            "use_case": "narrative_story",
        },
    ),
    _voice(
        "EXAVITQu4vr4xnSDxMaL",
        "Bella",
        {
            "accent": "american",
            "descriptive": "soft",
            "age": "young",
            "gender": "female",
            "use_case": "narrative_story",
        },
    ),
]
# Every output_format the spec lists, for each endpoint (specs/elevenlabs.*.output_format.json).
TTS_FORMATS = json.loads((SPECS / "elevenlabs.tts_with_timestamps.output_format.json").read_text())["enum"]
MUSIC_FORMATS = json.loads((SPECS / "elevenlabs.music.output_format.json").read_text())["enum"]
SOUND_FORMATS = json.loads((SPECS / "elevenlabs.sound_generation.output_format.json").read_text())["enum"]
# /v1/sound-generation's 200 is audio/mpeg in the spec, which only describes MP3; for the other formats the
# sandbox answers the bytes in that format with their own media type.
MEDIA_TYPES = {
    "mp3": "audio/mpeg",
    "opus": "audio/ogg",
    "pcm": "audio/pcm",
    "wav": "audio/wav",
    "ulaw": "audio/basic",
    "alaw": "audio/x-alaw-basic",
}


def _format(output_format: str) -> tuple[str, int, int | None]:
    """("mp3", 44100, 128) from "mp3_44100_128"; ("pcm", 16000, None) from "pcm_16000"."""
    codec, rate, *kbps = output_format.split("_")
    return codec, int(rate), int(kbps[0]) if kbps else None


def _bad_format(output_format: str) -> JSONResponse:
    return JSONResponse(
        detail_error(422, f"invalid output_format {output_format}", "invalid_output_format"), status_code=422
    )


def _unprocessable(messages: list[str], *field: str) -> JSONResponse:
    """ElevenLabs' 422: a list of {loc, msg, type} under "detail", one per problem."""
    return JSONResponse(
        {"detail": [{"loc": ["body", *field], "msg": m, "type": "value_error"} for m in messages]}, status_code=422
    )


def _audio(audio: bytes, output_format: str, made_as: tuple[str, ...] = ("mp3_44100_128",)) -> Response:
    """The generated MP3 in the asked output_format, with its media type."""
    if output_format not in made_as:
        audio = media.transcode(audio, *_format(output_format))
    mp3 = output_format in made_as or output_format.startswith("mp3")
    return Response(audio, media_type="audio/mpeg" if mp3 else MEDIA_TYPES[_format(output_format)[0]])


def router(state: SandboxState, base_url: str = "") -> APIRouter:
    api = APIRouter()

    @api.post("/v1/text-to-speech/{voice_id}/with-timestamps")
    def speak(voice_id: str, request: Request, body: dict = Body(...), output_format: str = "mp3_44100_128"):
        fault, early = begin(state, request, "elevenlabs", "tts.with_timestamps", detail_error, "xi-api-key")
        if early:
            return early
        if fault is not None and fault.kind in ("busy", "concurrent"):
            status = "system_busy" if fault.kind == "busy" else "too_many_concurrent_requests"
            return JSONResponse(
                detail_error(429, "injected", status),
                status_code=429,
                headers={"retry-after": fault.retry_after} if fault.retry_after else {},
            )
        issues = problems("elevenlabs.tts_with_timestamps.request", body)
        if issues or "text" not in body:
            return _unprocessable(issues or ["field required: text"])
        if output_format not in TTS_FORMATS:
            return _bad_format(output_format)
        if body.get("language_code") and body.get("model_id", "eleven_multilingual_v2") == "eleven_multilingual_v2":
            return JSONResponse(
                detail_error(400, "language_code is not supported for eleven_multilingual_v2", "unsupported_model"),
                status_code=400,
            )
        text = body["text"]
        if len(text) > 10_000:
            return JSONResponse(
                detail_error(400, "text is longer than 10000 characters", "text_too_long"), status_code=400
            )
        # The audio really is in the asked format (pcm_*: 16-bit little-endian samples, ulaw/alaw_8000: G.711
        # samples, all headerless; opus_*: Ogg Opus); mp3_44100_128, the default, is rendered as before.
        if output_format == "mp3_44100_128":
            audio, duration = media.speech(text, "mp3")
            # Aligned for real: captions timed from it keep time with the speech, as ElevenLabs' do.
            starts, ends = media.character_times(text, audio, ".mp3", duration)
        else:  # headerless samples: spread evenly (framecast asks for MP3)
            audio, duration = media.speech_as(text, *_format(output_format))
            starts, ends = media.character_times(text, b"", "", duration)
        alignment = {
            "characters": list(text),
            "character_start_times_seconds": starts,
            "character_end_times_seconds": ends,
        }
        return {
            "audio_base64": base64.b64encode(audio).decode(),
            "alignment": alignment,
            "normalized_alignment": alignment,
        }

    @api.post("/v1/sound-generation")
    def sound(request: Request, body: dict = Body(...), output_format: str = "mp3_44100_128"):
        fault, early = begin(state, request, "elevenlabs", "sound_generation", detail_error, "xi-api-key")
        if early:
            return early
        issues = problems("elevenlabs.sound_generation.request", body)
        if issues:
            return _unprocessable(issues)
        seconds = body.get("duration_seconds")
        if not body.get("text") or (seconds is not None and not 0.5 <= float(seconds) <= 30):
            return _unprocessable(["must be 0.5-30"], "duration_seconds")
        model = body.get("model_id", "eleven_text_to_sound_v2")
        if "loop" in body and model != "eleven_text_to_sound_v2":  # the spec: "Only available for ... v2"
            return _unprocessable([f"loop is only available for eleven_text_to_sound_v2, not {model}"], "loop")
        if body.get("prompt_influence") is not None and not 0 <= float(body["prompt_influence"]) <= 1:
            return _unprocessable(["must be between 0 and 1"], "prompt_influence")
        if output_format not in SOUND_FORMATS:
            return _bad_format(output_format)
        # Fault kind "silent": a 200 whose audio is silence (a generation that made nothing to hear).
        make = media.silence if fault is not None and fault.kind == "silent" else media.sound_effect
        return _audio(make(float(seconds or 5)), output_format)  # made as MP3 at 44.1 kHz, 128 kb/s

    @api.post("/v1/music")
    def music(request: Request, body: dict = Body(...), output_format: str = "auto"):
        # Counters: elevenlabs/"music" every call. The bed is the sandbox's pad, exactly music_length_ms long.
        fault, early = begin(state, request, "elevenlabs", "music", detail_error, "xi-api-key")
        if early:
            return early
        issues = problems("elevenlabs.music.request", body)
        if issues:
            return _unprocessable(issues)
        if output_format not in MUSIC_FORMATS:
            return _bad_format(output_format)
        if body.get("prompt") and body.get("composition_plan"):
            return JSONResponse(
                detail_error(422, "prompt and composition_plan cannot be used together", "invalid_request"),
                status_code=422,
            )
        seconds = (body.get("music_length_ms") or 30000) / 1000
        return _audio(media.ambience(seconds), output_format, made_as=("auto", "mp3_44100_128"))

    @api.get("/v2/voices")
    def voices(request: Request, page_size: int = 10, next_page_token: str | None = None):
        _, early = begin(state, request, "elevenlabs", "voices", detail_error, "xi-api-key")
        if early:
            return early
        start = int(next_page_token or 0)
        page = VOICES[start : start + page_size]
        more = start + page_size < len(VOICES)
        return {
            "voices": page,
            "has_more": more,
            "total_count": len(VOICES),
            "next_page_token": str(start + page_size) if more else None,
        }

    return api
