"""ElevenLabs text to speech with character timestamps (grouped into word timing for captions)."""

from __future__ import annotations

import base64
from pathlib import Path

from framecast.core.errors import ProviderUnavailable, ScriptError
from framecast.core.models import WordTiming
from framecast.media import ffmpeg
from framecast.providers import registry
from framecast.providers.base import Speech
from framecast.transport.http import ProviderHTTP

# Longest bodies read (review L8): music is at most 600 s and a sound 30 s of 128 kb/s MP3 (9.6 MB, 0.5 MB).
MAX_MUSIC_BYTES = 24 * 1024 * 1024
MAX_SOUND_BYTES = 4 * 1024 * 1024


def words_from_alignment(alignment: dict) -> list[WordTiming]:
    """Group ElevenLabs' per-character times into words (split on whitespace)."""
    chars = alignment.get("characters") or []
    starts = alignment.get("character_start_times_seconds") or []
    ends = alignment.get("character_end_times_seconds") or []
    words, current, start, end = [], "", 0.0, 0.0
    for ch, s, e in zip(chars, starts, ends):
        if ch.isspace():
            if current:
                words.append(WordTiming(word=current, start=round(start, 3), end=round(end, 3)))
            current = ""
            continue
        if not current:
            start = s
        current += ch
        end = e
    if current:
        words.append(WordTiming(word=current, start=round(start, 3), end=round(end, 3)))
    return words


class ElevenLabsTextToSpeech:
    name = "elevenlabs"

    def __init__(self, http: ProviderHTTP, voice_id: str, model_id: str, output_format: str = "mp3_44100_128"):
        self.http, self.voice_id, self.model_id, self.output_format = http, voice_id, model_id, output_format
        self.model = model_id

    def synthesize(self, text: str, *, out: Path) -> Speech:
        known = registry.model("elevenlabs", self.model_id)
        if known is not None and known.max_chars and len(text) > known.max_chars:
            raise ScriptError(
                f"narration of {len(text)} characters is over {self.model_id}'s {known.max_chars} per "
                f"request: shorten the scene or choose another voice.model"
            )
        body = {"text": text, "model_id": self.model_id}
        data = self.http.json(
            "POST",
            f"/v1/text-to-speech/{self.voice_id}/with-timestamps",
            params={"output_format": self.output_format},
            json=body,
        )
        try:
            audio = base64.b64decode(data["audio_base64"], validate=True)
        except (KeyError, ValueError) as exc:
            raise ProviderUnavailable("elevenlabs: response without valid audio_base64", provider="elevenlabs") from exc
        path = out.with_suffix(".mp3")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(audio)
        duration = float(ffmpeg.check_media(path, "audio")["format"]["duration"])  # MP3/WAV only, from a file
        words = words_from_alignment(data.get("alignment") or {})
        return Speech(path=path, duration=duration, words=words, engine=f"elevenlabs:{self.model_id}:{self.voice_id}")


class ElevenLabsMusic:
    """An instrumental music bed of an exact length from the Music API (POST /v1/music, 3-600 s): no loop seam."""

    name = "elevenlabs"
    model = "music_v1"
    MIN_SECONDS, MAX_SECONDS = 3.0, 600.0

    def __init__(self, http: ProviderHTTP):
        self.http = http

    def compose(self, prompt: str, *, seconds: float, out: Path) -> Path:
        length = min(max(seconds, self.MIN_SECONDS), self.MAX_SECONDS)
        body = {
            "prompt": prompt,
            "music_length_ms": int(round(length * 1000)),
            "force_instrumental": True,
            "model_id": self.model,
        }
        response = self.http.request(
            "POST", "/v1/music", json=body, params={"output_format": "mp3_44100_128"}, max_bytes=MAX_MUSIC_BYTES
        )
        path = out.with_suffix(".mp3")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(response.content)
        ffmpeg.check_media(path, "audio")  # a body that is not MP3/WAV audio fails here, clearly
        return path


def list_voices(http: ProviderHTTP, page_size: int = 100) -> list[dict]:
    """Every voice on the account (GET /v2/voices, following next_page_token)."""
    voices, token = [], None
    while True:
        params = {"page_size": page_size, **({"next_page_token": token} if token else {})}
        page = http.json("GET", "/v2/voices", params=params)
        voices += [
            {"voice_id": v.get("voice_id"), "name": v.get("name"), "category": v.get("category")}
            for v in page.get("voices", [])
        ]
        token = page.get("next_page_token")
        if not page.get("has_more") or not token:
            return voices


class ElevenLabsSoundEffects:
    """Sound effects / ambience from a text prompt (/v1/sound-generation, 0.5-30 s)."""

    name = "elevenlabs"
    MIN_SECONDS, MAX_SECONDS = 0.5, 30.0

    def __init__(self, http: ProviderHTTP, model: str = "eleven_text_to_sound_v2"):
        self.http, self.model = http, model

    def generate(self, prompt: str, *, seconds: float, out: Path, loop: bool = True, kind: str = "") -> Path:
        """The sound as MP3 under `out`; `kind` (transition, ambience) is for offline generators, unused here."""
        body = {
            "text": prompt,
            "duration_seconds": round(min(max(seconds, self.MIN_SECONDS), self.MAX_SECONDS), 2),
            "prompt_influence": 0.4,
            "model_id": self.model,
        }
        if self.model == "eleven_text_to_sound_v2":  # `loop` is documented for v2 only (SDK 2.78.0, the spec)
            body["loop"] = loop
        response = self.http.request(
            "POST",
            "/v1/sound-generation",
            json=body,
            params={"output_format": "mp3_44100_128"},
            max_bytes=MAX_SOUND_BYTES,
        )
        path = out.with_suffix(".mp3")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(response.content)
        ffmpeg.check_media(path, "audio")  # a body that is not MP3/WAV audio fails here, clearly
        return path
