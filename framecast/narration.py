"""Narration: one voice file per scene, so each scene's timing is exact."""

from __future__ import annotations

from framecast import providers, runtime, usage
from framecast.config import VoiceConfig, get_settings
from framecast.models import NarrationAsset


def synthesize(text: str, voice: VoiceConfig) -> NarrationAsset:
    """Speak one scene's narration and store the audio with its word timing."""
    tts = providers.text_to_speech(voice)
    with usage.charge(get_settings().data_dir, provider=tts.name, role="voice", units=len(text), unit="character",
                      model=getattr(tts, "model", "")), runtime.scratch() as tmp:
        speech = tts.synthesize(text, out=tmp / "narration.wav")
        media_type = "audio/mpeg" if speech.path.suffix == ".mp3" else "audio/wav"
        ref = runtime.store().put(speech.path, media_type)
    speech_end = speech.words[-1].end if speech.words else speech.duration
    return NarrationAsset(ref=ref, duration=round(speech.duration, 3), speech_end=speech_end,
                          words=speech.words, engine=speech.engine)
