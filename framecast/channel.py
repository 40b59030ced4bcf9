"""A channel's configuration (one YAML file per channel in deployments/): the stages' sections, composed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from framecast.channel_schedule import Description, ScheduleConfig
from framecast.core import textrules
from framecast.core.models import Frozen
from framecast.cost.budget import BudgetConfig
from framecast.edit.config import CaptionConfig, RenderSpec, VideoFormat
from framecast.publish.config import PublishConfig
from framecast.quality.config import GateSpec, QualityConfig
from framecast.script.config import ScriptConfig
from framecast.sound.config import MusicConfig, SoundConfig
from framecast.visuals.config import ImageConfig, MotionConfig
from framecast.voice.config import VoiceConfig

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class ChannelConfig(Frozen):
    """Everything that decides what a channel's videos look and sound like."""

    name: str
    title: Annotated[str, AfterValidator(textrules.refuse_bad)] = ""  # no control or bidi-override characters
    language: str = "en"
    # Topics for scheduled runs: each run takes the first one not yet published (a run given a topic
    # ignores them); `topics_file` (one per line, relative to the channel file) extends the list.
    topics: list[str] = Field(default_factory=list)
    topics_file: Path | None = None
    # When every topic is published: 0 = stop with a message; N = ask the channel's LLM script writer for
    # N new ideas (near-duplicates of recent videos skipped as above), kept per day in the store.
    topic_ideas: Annotated[int, Field(ge=0, le=20)] = 0
    # The timezone of the channel's schedule: a run is for the day of its scheduled start there.
    timezone: str = "UTC"
    # When runs start (None: only when started by hand) and the deployment's line in the UI; prefect.yaml is
    # generated from these by `framecast deployments` (framecast/commands/deployments.py).
    schedule: ScheduleConfig | None = None
    description: Description = ""
    # Skip a scheduled topic whose embedding is at least this similar to a recently published one
    # (needs OPENAI_API_KEY; None = no check).
    topic_similarity_max: Annotated[float, Field(gt=0, le=1)] | None = None
    seed: int = 0
    # Let framecast choose the providers of every stage not named below (framecast/plan/planner.py), within budget.
    tier: Literal["economy", "standard", "premium"] | None = None
    format: VideoFormat = VideoFormat()
    script: ScriptConfig = ScriptConfig()
    image: ImageConfig = ImageConfig()
    motion: MotionConfig = MotionConfig()
    voice: VoiceConfig = VoiceConfig()
    music: MusicConfig = MusicConfig()
    sound: SoundConfig = SoundConfig()
    captions: CaptionConfig = CaptionConfig()
    quality: QualityConfig = QualityConfig()
    publish: PublishConfig = PublishConfig()
    budget: BudgetConfig = BudgetConfig()

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError("must be a slug: lowercase letters, digits and dashes, e.g. 'space-facts'")
        return value

    @model_validator(mode="after")
    def _ideas_need_an_llm(self) -> ChannelConfig:
        if self.topic_ideas and self.script.provider == "local":
            raise ValueError(
                "topic_ideas needs an LLM script writer (script.provider: openai or anthropic); "
                "the local writer cannot invent topics: set topic_ideas: 0 or add topics"
            )
        return self

    def render_spec(self) -> RenderSpec:
        """What the render depends on besides the media: format, music level, burn-in, target loudness."""
        return RenderSpec(
            format=self.format,
            music_gain_db=self.music.gain_db,
            burn_in=self.captions.burn_in,
            loudness_lufs=self.quality.loudness_lufs,
        )

    def gate_spec(self) -> GateSpec:
        """What the gate depends on: its settings, the format and the language."""
        return GateSpec(quality=self.quality, format=self.format, language=self.language)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA timezone name, e.g. 'UTC' or 'Europe/Berlin'") from None
        return value


def available_channels(channels_dir: Path) -> list[str]:
    return sorted(p.stem for p in channels_dir.glob("*.yaml")) if channels_dir.is_dir() else []
