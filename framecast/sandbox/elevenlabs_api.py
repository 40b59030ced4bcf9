"""ElevenLabs' wire protocol: text to speech with character timestamps."""

from __future__ import annotations

import base64

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse, Response

from framecast.sandbox import media
from framecast.sandbox.common import begin, detail_error
from framecast.sandbox.state import SandboxState
from framecast.sandbox.validate import problems

VOICES = [{"voice_id": "21m00Tcm4TlvDq8ikWAM", "name": "Rachel", "category": "premade"},
          {"voice_id": "AZnzlk1XvdvUeBnXmlld", "name": "Domi", "category": "premade"},
          {"voice_id": "EXAVITQu4vr4xnSDxMaL", "name": "Bella", "category": "premade"}]
OUTPUT_FORMATS = {"mp3_44100_128", "mp3_44100_64", "mp3_22050_32"}


def router(state: SandboxState) -> APIRouter:
    api = APIRouter()

    @api.post("/v1/text-to-speech/{voice_id}/with-timestamps")
    def speak(voice_id: str, request: Request, body: dict = Body(...), output_format: str = "mp3_44100_128"):
        fault, early = begin(state, request, "elevenlabs", "tts.with_timestamps", detail_error, "xi-api-key")
        if early:
            return early
        if fault is not None and fault.kind in ("busy", "concurrent"):
            status = "system_busy" if fault.kind == "busy" else "too_many_concurrent_requests"
            return JSONResponse(detail_error(429, "injected", status), status_code=429,
                                headers={"retry-after": fault.retry_after} if fault.retry_after else {})
        issues = problems("elevenlabs.tts_with_timestamps.request", body)
        if issues or "text" not in body:
            return JSONResponse({"detail": [{"loc": ["body"], "msg": m, "type": "value_error"}
                                            for m in issues or ["field required: text"]]}, status_code=422)
        if output_format not in OUTPUT_FORMATS:
            return JSONResponse(detail_error(422, f"invalid output_format {output_format}", "invalid_output_format"),
                                status_code=422)
        if body.get("language_code") and body.get("model_id", "eleven_multilingual_v2") == "eleven_multilingual_v2":
            return JSONResponse(detail_error(400, "language_code is not supported for eleven_multilingual_v2",
                                             "unsupported_model"), status_code=400)
        text = body["text"]
        if len(text) > 10_000:
            return JSONResponse(detail_error(400, "text is longer than 10000 characters", "text_too_long"),
                                status_code=400)
        audio, duration = media.speech(text, "mp3")
        step = duration / max(len(text), 1)
        alignment = {"characters": list(text),
                     "character_start_times_seconds": [round(i * step, 3) for i in range(len(text))],
                     "character_end_times_seconds": [round((i + 1) * step, 3) for i in range(len(text))]}
        return {"audio_base64": base64.b64encode(audio).decode(), "alignment": alignment,
                "normalized_alignment": alignment}

    @api.post("/v1/sound-generation")
    def sound(request: Request, body: dict = Body(...), output_format: str = "mp3_44100_128"):
        fault, early = begin(state, request, "elevenlabs", "sound_generation", detail_error, "xi-api-key")
        if early:
            return early
        seconds = body.get("duration_seconds")
        if not body.get("text") or (seconds is not None and not 0.5 <= float(seconds) <= 30):
            return JSONResponse({"detail": [{"loc": ["body", "duration_seconds"], "msg": "must be 0.5-30",
                                             "type": "value_error"}]}, status_code=422)
        return Response(media.ambience(float(seconds or 5)), media_type="audio/mpeg")

    @api.get("/v2/voices")
    def voices(request: Request, page_size: int = 10, next_page_token: str | None = None):
        _, early = begin(state, request, "elevenlabs", "voices", detail_error, "xi-api-key")
        if early:
            return early
        start = int(next_page_token or 0)
        page = VOICES[start:start + page_size]
        more = start + page_size < len(VOICES)
        return {"voices": page, "has_more": more, "total_count": len(VOICES),
                "next_page_token": str(start + page_size) if more else None}

    return api
