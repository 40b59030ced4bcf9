"""Narration: one voice file per scene, so each scene's timing is exact."""

from __future__ import annotations

import contextlib
import math

from framecast import providers, runtime
from framecast.config import VoiceConfig
from framecast.cost.meter import Meter
from framecast.models import NarrationAsset

CHARS_PER_MINUTE = 900  # narration pace, for the timing estimate before the speech exists


def synthesize(text: str, voice: VoiceConfig, meter: Meter) -> NarrationAsset:
    """Speak one scene's narration and store the audio with its word timing."""
    tts = providers.text_to_speech(voice)
    # Word timing may be a second paid call (OpenAI: whisper-1 over the speech), reserved with the first.
    timing = (meter.charge(provider=tts.name, role="timing", units=math.ceil(len(text) / CHARS_PER_MINUTE),
                           unit="minute", model=tts.transcribe_model)
              if getattr(tts, "transcribe_model", None) else contextlib.nullcontext())
    with runtime.scratch() as tmp:
        with meter.charge(provider=tts.name, role="voice", units=len(text), unit="character",
                          model=getattr(tts, "model", "")), timing as timed:
            speech = tts.synthesize(text, out=tmp / "narration.wav")
            if timed is not None:
                timed.units = math.ceil(speech.duration / 60)  # billed per started minute of audio
        media_type = "audio/mpeg" if speech.path.suffix == ".mp3" else "audio/wav"
        ref = runtime.store().put(speech.path, media_type)
    speech_end = speech.words[-1].end if speech.words else speech.duration
    return NarrationAsset(ref=ref, duration=round(speech.duration, 3), speech_end=speech_end,
                          words=speech.words, engine=speech.engine)
