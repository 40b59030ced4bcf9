"""The voice stage's channel section: the narrator, its chain and where word timing comes from."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from framecast.core.errors import ConfigError
from framecast.providers.chain import StageConfig


class VoiceConfig(StageConfig):
    """The narrator; with a chain, the whole video moves to the next provider, never one scene alone."""

    ROLE = "voice"
    # Local only: "auto" = piper when the voice extra is installed, else ffmpeg's flite.
    engine: Literal["auto", "piper", "flite"] = "auto"
    voice: str | None = None  # the first provider's voice name or ID; None = its default
    voices: dict[str, str] = Field(default_factory=dict)  # per provider of the chain
    speed: Annotated[float, Field(ge=0.5, le=2.0)] = 1.0
    # Word timing for a voice that reports none (OpenAI speech): "local" = the offline aligner (extra
    # `align`), "whisper-1" = OpenAI transcription (a paid call; shuts down 2027-02-26), "auto" = local
    # when installed.
    timing: Literal["auto", "local", "whisper-1"] = "auto"

    def timing_source(self) -> str:
        """Where word timing comes from for a voice without its own: "local" or "whisper-1"."""
        from framecast.media import align

        if self.timing == "local" and not align.available():
            raise ConfigError(
                "voice.timing: local needs the aligner: pip install 'framecast[align]' (or set timing: whisper-1)"
            )
        return "local" if self.timing == "local" or (self.timing == "auto" and align.available()) else "whisper-1"

    @model_validator(mode="after")
    def _voices_in_chain(self) -> VoiceConfig:
        stray = sorted(set(self.voices) - set(self.providers or (self.provider,)))
        if stray:
            raise ValueError(f"voices names {', '.join(stray)}, which is not in the chain")
        return self

    def _link(self, name: str, first: bool) -> VoiceConfig:
        link = super()._link(name, first)
        return link.model_copy(update={"voice": self.voices.get(name) or (self.voice if first else None), "voices": {}})
