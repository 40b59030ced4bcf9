"""The quality stage's channel section: what the gate measures and where it draws the line."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from framecast.core.models import Frozen
from framecast.edit.config import VideoFormat


class QualityConfig(Frozen):
    loudness_lufs: Annotated[float, Field(ge=-30, le=-8)] = -14.0
    loudness_tolerance: Annotated[float, Field(gt=0, le=6)] = 1.5
    true_peak_max_db: Annotated[float, Field(ge=-6, le=0)] = -1.0
    duration_tolerance: Annotated[float, Field(gt=0, le=10)] = 0.75
    max_black_seconds: Annotated[float, Field(gt=0)] = 0.5
    max_frozen_seconds: Annotated[float, Field(gt=0)] = 4.0
    max_silence_seconds: Annotated[float, Field(gt=0)] = 3.0
    # Intelligibility: while the narrator speaks, the ducked music and sounds stay at least this far under the
    # voice for 90 % of the time (momentary loudness, LU; measured by the render). Under ~6 words get lost;
    # accessibility guidance for hard-of-hearing viewers asks 10 or more. null: not checked.
    min_speech_over_bed_lu: Annotated[float, Field(ge=0, le=40)] | None = 6.0
    # Content analyzers on top of the local checks: "gemini" = Gemini video understanding; "google" = Cloud Video
    # Intelligence (deprecated in favour of gemini, shuts down 2027-09-14). See docs/stages.md, Quality.
    analyzers: list[Literal["local", "google", "gemini"]] = Field(default_factory=lambda: ["local"])
    # Where the cloud analyzer's work goes when it fails in a way the next can avoid (quota, credentials, no key,
    # a retired or gone model): tried in order; "local" (last) = local checks only, the report saying why.
    fallback: list[Literal["google", "gemini", "local"]] = Field(default_factory=list)
    gemini_model: str | None = None  # None: the registry's default (framecast/providers/gemini)
    shot_tolerance_seconds: Annotated[float, Field(gt=0, le=5)] = 0.5
    explicit_fail_at: Literal["POSSIBLE", "LIKELY", "VERY_LIKELY"] = "LIKELY"
    max_word_error_rate: Annotated[float, Field(ge=0, le=1)] = 0.25
    require_label_match: bool = False
    # Labels (Video Intelligence's, or offline the scene's illustration) against each scene's intent, by embedding
    # similarity (extra `illustrate`); below it the scene does not match. None: a shared word is enough.
    label_similarity_min: Annotated[float, Field(ge=0, le=1)] | None = 0.3
    # On a failed gate, regenerate only the scenes whose visuals failed, at most this many times.
    max_regenerations: Annotated[int, Field(ge=0, le=3)] = 1
    analysis_deadline_seconds: Annotated[float, Field(gt=0)] = 900
    # The ear (framecast/quality/ear.py): the local analyzer transcribes each scene of the final mix offline
    # (English; extra `align`) and fails a scene whose words are too far from its narration, or whose captions
    # start too far from its speech, or whose voice stands too little over the floor of the mix (measured on the
    # demo, benchmarks/ear.py: clean videos 4-8 % word error, captions +0.02-0.04 s, at least 26.5 dB over the
    # floor; swapped scenes fail, captions 0.5 s late +0.52-0.54 s, music as loud as the voice 16-18 dB).
    listen: bool = True
    max_scene_word_error_rate: Annotated[float, Field(gt=0, le=1)] = 0.6
    max_caption_offset_seconds: Annotated[float, Field(gt=0, le=5)] = 0.3
    min_speech_over_floor_db: Annotated[float, Field(ge=0, le=60)] | None = 23.0

    @model_validator(mode="after")
    def _fallback_chain(self) -> Self:
        cloud = [a for a in self.analyzers if a != "local"]
        if not self.fallback:
            return self
        if len(cloud) != 1:
            raise ValueError(
                f"quality.fallback {self.fallback} needs exactly one cloud analyzer in quality.analyzers to stand in "
                f"for (found {cloud or 'none'}): e.g. analyzers: [local, gemini], fallback: [google, local]"
            )
        if len(set(self.fallback)) != len(self.fallback) or cloud[0] in self.fallback:
            raise ValueError(
                f"quality.fallback {self.fallback} names an analyzer twice or the one it stands in for ({cloud[0]})"
            )
        if "local" in self.fallback[:-1]:
            raise ValueError(f"quality.fallback {self.fallback}: local (local checks only) can only be the last entry")
        return self

    def cloud_chain(self) -> list[str]:
        """The cloud analyzer and its stand-ins, in order ([] when the channel uses none)."""
        cloud = [a for a in self.analyzers if a != "local"]
        return [*cloud[:1], *self.fallback] if cloud else []


class GateSpec(Frozen):
    """What the gate's verdict depends on: its settings, the frame format and the language; never topics or
    publish settings (a new upload privacy does not judge the video again)."""

    quality: QualityConfig
    format: VideoFormat
    language: str
