"""Narration: one voice file per scene, so each scene's timing is exact."""

from __future__ import annotations

import contextlib
import math

from framecast import providers
from framecast.context import Services
from framecast.core.models import NarrationAsset
from framecast.cost.meter import Meter
from framecast.providers import chain as fallback
from framecast.voice.config import VoiceConfig

CHARS_PER_MINUTE = 900  # narration pace, for the timing estimate before the speech exists


def synthesize(text: str, voice: VoiceConfig, meter: Meter, *, services: Services) -> NarrationAsset:
    """Speak one scene's narration with the first voice of the chain that can; stored with its word timing.

    A video keeps one voice: `odd_ones_out` finds scenes a fallback left on another voice than the rest.
    """
    asset, origin = fallback.run_chain(
        "voice", voice, lambda one: _synthesize(text, one, meter, services), day=meter.run_day, memory=meter.fallbacks
    )
    return asset.model_copy(update={"origin": origin})


def odd_ones_out(narrations: list[NarrationAsset], voice: VoiceConfig) -> tuple[VoiceConfig | None, list[int]]:
    """(the one voice the whole video should use, the scenes not spoken by it); (None, []) when all agree.

    The voice is the latest one in the chain that any scene needed: an earlier one already failed for that
    scene, so it cannot be relied on for the video.
    """
    used = {n.origin.provider for n in narrations if n.origin}
    if len(used) <= 1:
        return None, []
    chain = voice.chain()
    final = max((link for link in chain if link.provider in used), key=chain.index)
    return final, [i for i, n in enumerate(narrations) if not n.origin or n.origin.provider != final.provider]


def _synthesize(text: str, voice: VoiceConfig, meter: Meter, services: Services) -> NarrationAsset:
    tts = providers.text_to_speech(voice)
    # Word timing may be a second paid call (OpenAI with timing: whisper-1), reserved with the first.
    timing = (
        meter.charge(
            provider=tts.name,
            role="timing",
            units=math.ceil(len(text) / CHARS_PER_MINUTE),
            unit="minute",
            model=tts.transcribe_model,
        )
        if getattr(tts, "transcribe_model", None)
        else contextlib.nullcontext()
    )
    with services.scratch() as tmp:
        with (
            meter.charge(
                provider=tts.name, role="voice", units=len(text), unit="character", model=getattr(tts, "model", "")
            ),
            timing as timed,
        ):
            speech = tts.synthesize(text, out=tmp / "narration.wav")
            if timed is not None:
                timed.units = math.ceil(speech.duration / 60)  # billed per started minute of audio
        media_type = "audio/mpeg" if speech.path.suffix == ".mp3" else "audio/wav"
        ref = services.store.put(speech.path, media_type)
    speech_end = speech.words[-1].end if speech.words else speech.duration
    return NarrationAsset(
        ref=ref, duration=round(speech.duration, 3), speech_end=speech_end, words=speech.words, engine=speech.engine
    )
