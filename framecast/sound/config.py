"""The soundtrack's settings in a channel file: the music bed (`music:`) and the sound design (`sound:`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from framecast.core.models import Frozen, Transition
from framecast.providers.chain import StageConfig

Level = Annotated[float, Field(ge=-60, le=12)] | None  # dB against the voice's level; null: no sound


class MusicConfig(Frozen):
    # generated: a local pad; file: yours; elevenlabs: ambience from sound generation, looped (a paid call);
    # elevenlabs-music: an instrumental bed of the video's exact length from the Music API (paid, no loop seam;
    # its price is not published: a budgeted channel sets budget.prices['elevenlabs/music'], USD per second).
    source: Literal["none", "generated", "file", "elevenlabs", "elevenlabs-music"] = "generated"
    path: Path | None = None
    prompt: str = "soft ambient pad, warm, slow, no melody, no percussion"
    gain_db: Annotated[float, Field(ge=-40, le=0)] = -16.0

    @model_validator(mode="before")
    @classmethod
    def _moved(cls, data: Any) -> Any:
        moved = [k for k in ("transitions", "transition_gain_db") if isinstance(data, dict) and k in data]
        if moved:  # framecast 0.x had them here for one release
            raise ValueError(
                f"{', '.join(moved)} moved to the sound section: write sound: {{transitions: {{fade: -12, "
                f"dissolve: -12}}}} (a level per transition kind, null for none)"
            )
        return data

    @model_validator(mode="after")
    def _path_for_file(self) -> MusicConfig:
        if self.source == "file" and self.path is None:
            raise ValueError("source 'file' needs path: set music.path to an audio file")
        return self


class TransitionLevels(Frozen):
    """The level of each transition kind's sound, in dB against the voice (null: silent)."""

    fade: Level = -12.0
    dissolve: Level = -12.0
    cut: Level = None  # a sound on every cut is noise, not design: off unless asked for

    def of(self, kind: Transition) -> float | None:
        return getattr(self, kind.value)


class TransitionPrompts(Frozen):
    """What each transition kind's sound is, as a sound-generation prompt (the offline recipes read it too)."""

    fade: str = "cinematic whoosh transition, airy swish, no music"
    dissolve: str = "soft shimmering swell, gentle riser, no music"
    cut: str = "short soft cinematic impact hit, low thud"

    def of(self, kind: Transition) -> str:
        return getattr(self, kind.value)


class SoundSource(StageConfig):
    """Who makes the sound effects and ambiences: ElevenLabs sound generation, or ffmpeg offline (local)."""

    ROLE = "sound"


class SoundConfig(SoundSource):
    """Transition sounds and per-scene ambience, generated once per (prompt, length) and mixed under the voice."""

    transitions: TransitionLevels = TransitionLevels()
    transition_prompts: TransitionPrompts = TransitionPrompts()
    # Each scene's ambience (its `ambience` words, or its visual prompt), crossfaded at the scene's transitions.
    ambience: bool = False
    ambience_gain_db: Annotated[float, Field(ge=-60, le=0)] = -22.0

    def in_use(self) -> bool:
        """Whether the video gets any sound of this section (a transition kind with a level, or ambience)."""
        levels = self.transitions
        return self.ambience or any(v is not None for v in (levels.fade, levels.dissolve, levels.cut))

    def source(self) -> SoundSource:
        """Only who makes the sounds: the generation's cache key, so a new level never pays for a sound again."""
        return SoundSource(provider=self.provider, providers=self.providers, model=self.model, models=self.models)
