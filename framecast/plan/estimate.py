"""What a run of a channel is expected to cost, before anything is spent."""

from __future__ import annotations

import math
from dataclasses import dataclass

from framecast.channel import ChannelConfig
from framecast.cost import pricing
from framecast.providers import clip_seconds
from framecast.providers.gemini import estimate_tokens
from framecast.providers.registry import DEFAULT_MODELS
from framecast.script.write import ESTIMATED_SCRIPT_TOKENS

CHARS_PER_SECOND = 15  # narration pace: ~2.5 words/s of ~6 characters


@dataclass(frozen=True)
class Line:
    role: str
    provider: str
    model: str
    units: float
    unit: str
    usd: float


def estimate(channel: ChannelConfig) -> list[Line]:
    """One line per stage: expected units and USD for one video of this channel."""
    cfg = channel.script
    scenes = max(cfg.min_scenes, min(cfg.max_scenes, round(cfg.target_seconds / 8.5)))
    per_scene = cfg.target_seconds / scenes
    plan = [
        ("script", channel.script.provider, channel.script.model, ESTIMATED_SCRIPT_TOKENS),
        ("image", channel.image.provider, channel.image.model, scenes),
        (
            "motion",
            channel.motion.provider,
            channel.motion.model,
            scenes * clip_seconds(channel.motion.provider, per_scene, channel.motion.model),
        ),
        ("voice", channel.voice.provider, channel.voice.model, cfg.target_seconds * CHARS_PER_SECOND),
    ]
    if channel.voice.provider == "openai" and channel.voice.timing_source() == "whisper-1":  # timing: whisper-1
        plan.append(("timing", "openai", "whisper-1", math.ceil(cfg.target_seconds / 60)))
    if channel.music.source == "elevenlabs":
        plan.append(("sound", "elevenlabs", "eleven_text_to_sound_v2", 30))
    if channel.music.source == "elevenlabs-music":
        plan.append(("music", "elevenlabs", "music_v1", cfg.target_seconds))
    if channel.sound.in_use():  # at most: a cached sound (the same whoosh of the same length) is not paid again
        sound = channel.sound
        kinds = sum(
            level is not None for level in (sound.transitions.fade, sound.transitions.dissolve, sound.transitions.cut)
        )
        seconds = (cfg.target_seconds if sound.ambience else 0) + min(kinds, scenes - 1) * 1.2
        plan.append(("sound", sound.provider, sound.model, round(seconds, 1)))
    cloud = channel.quality.cloud_chain()[:1]  # the chain's first analyzer: its stand-ins run only instead of it
    if cloud == ["google"]:
        plan.append(("quality", "google", "videointelligence-v1", math.ceil(cfg.target_seconds / 60)))
    if cloud == ["gemini"]:  # billed by tokens: ~300 per second of video, the question and the answer
        plan.append(("quality", "gemini", channel.quality.gemini_model, estimate_tokens(cfg.target_seconds)))
    prices = channel.budget.prices
    lines = []
    for role, provider, model, units in plan:
        model = model or DEFAULT_MODELS.get((role, provider), "-")
        found = pricing.price(provider, role, prices, model)
        lines.append(
            Line(
                role=role,
                provider=provider,
                model=model,
                units=units,
                unit=found[1] if found else "unpriced",
                usd=pricing.cost(provider, role, units, prices, model),
            )
        )
    return lines
