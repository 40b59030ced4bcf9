"""Channel configuration (one YAML file per channel in deployments/) and machine settings."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationError, field_validator, model_validator

from framecast import registry as _registry, textrules

from framecast.channel_schedule import Description, ScheduleConfig
from framecast.errors import ConfigError
from framecast.fallback import StageConfig
from framecast.models import Frozen
from framecast.cost.budget import BudgetConfig  # noqa: F401  (channel sections kept by their stage, re-exported)
from framecast.publish.config import PublishConfig, YouTubeConfig  # noqa: F401
from framecast.sound.config import MusicConfig, SoundConfig  # noqa: F401
# Machine settings live in framecast.settings; re-exported here, where most callers look for them.
from framecast.settings import (  # noqa: F401
    DEFAULT_RATE_LIMITS, REPO_ROOT, RateLimitConfig, Settings, get_settings, reset_settings,
)

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class VideoFormat(Frozen):
    """Output frame size, rate and encoder quality."""

    width: Annotated[int, Field(ge=128, le=3840)] = 1920
    height: Annotated[int, Field(ge=128, le=3840)] = 1080
    fps: Annotated[int, Field(ge=10, le=60)] = 30
    crf: Annotated[int, Field(ge=14, le=30)] = 20
    # ultrafast/superfast drop CABAC and B-frames, which YouTube's recommended encoding asks for.
    preset: Literal["veryfast", "faster", "fast", "medium", "slow"] = "veryfast"

    @field_validator("width", "height")
    @classmethod
    def _even(cls, value: int) -> int:
        if value % 2:
            raise ValueError(f"must be even for yuv420p H.264 (got {value}); use {value + 1}")
        return value

    @property
    def size(self) -> str:
        return f"{self.width}x{self.height}"


# Defaults per (role, provider) come from the provider registry, where each model's shutdown date is kept;
# every one is overridable per channel because providers retire models.
DEFAULT_MODELS = {(role, spec.name): model for spec in _registry.all_specs() if spec.name != "local"
                  for role, model in spec.defaults.items()}
DEFAULT_VOICES = {"local": "en_US-joe-medium", "elevenlabs": "21m00Tcm4TlvDq8ikWAM", "openai": "alloy"}


# Provider names are checked against the registry (plugins included), so a new vendor needs no edit here.
class ScriptConfig(StageConfig):
    ROLE = "script"
    min_scenes: Annotated[int, Field(ge=1, le=40)] = 6
    max_scenes: Annotated[int, Field(ge=1, le=40)] = 12
    target_seconds: Annotated[float, Field(ge=10, le=600)] = 60

    @model_validator(mode="after")
    def _ordered(self) -> "ScriptConfig":
        if self.min_scenes > self.max_scenes:
            raise ValueError(f"min_scenes ({self.min_scenes}) is larger than max_scenes ({self.max_scenes})")
        return self


class ImageConfig(StageConfig):
    ROLE = "image"
    style: str = ""
    # The local provider's pictures: an icon set chosen by the scene's words (framecast/visuals/illustrations.py),
    # "none" for title cards, "auto" = material when the `illustrate` extra is installed, else title cards.
    illustrations: Literal["auto", "none", "material", "fontawesome"] = "auto"

    def icon_set(self) -> str | None:
        """The icon set the local provider draws from, or None (a ConfigError when a named set is missing)."""
        from framecast.visuals import illustrations

        if self.illustrations == "none":
            return None
        if self.illustrations == "auto":
            return "material" if illustrations.available("material") else None
        illustrations.require(self.illustrations)
        return self.illustrations


class MotionConfig(StageConfig):
    ROLE = "motion"


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
        from framecast.voice import align

        if self.timing == "local" and not align.available():
            raise ConfigError("voice.timing: local needs the aligner: pip install 'framecast[align]' "
                              "(or set timing: whisper-1)")
        return "local" if self.timing == "local" or (self.timing == "auto" and align.available()) else "whisper-1"

    @model_validator(mode="after")
    def _voices_in_chain(self) -> "VoiceConfig":
        stray = sorted(set(self.voices) - set(self.providers or (self.provider,)))
        if stray:
            raise ValueError(f"voices names {', '.join(stray)}, which is not in the chain")
        return self

    def _link(self, name: str, first: bool) -> "VoiceConfig":
        link = super()._link(name, first)
        return link.model_copy(update={"voice": self.voices.get(name) or (self.voice if first else None), "voices": {}})


class CaptionConfig(Frozen):
    burn_in: bool = True
    max_chars_per_line: Annotated[int, Field(ge=12, le=80)] = 36
    max_lines: Annotated[int, Field(ge=1, le=3)] = 2
    # Font size as a share of the frame height (libass scales from PlayResY).
    font_scale: Annotated[float, Field(ge=0.02, le=0.12)] = 0.055


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
    # Content analyzers on top of the local checks: "google" = Cloud Video Intelligence (deprecated,
    # shuts down 2027-09-14; the analyzer is pluggable, see README).
    analyzers: list[Literal["local", "google"]] = Field(default_factory=lambda: ["local"])
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
    # generated from these by `framecast deployments` (framecast/deploygen.py).
    schedule: ScheduleConfig | None = None
    description: Description = ""
    # Skip a scheduled topic whose embedding is at least this similar to a recently published one
    # (needs OPENAI_API_KEY; None = no check).
    topic_similarity_max: Annotated[float, Field(gt=0, le=1)] | None = None
    seed: int = 0
    # Let framecast choose the providers of every stage not named below (framecast/planner.py), within budget.
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
    def _ideas_need_an_llm(self) -> "ChannelConfig":
        if self.topic_ideas and self.script.provider == "local":
            raise ValueError("topic_ideas needs an LLM script writer (script.provider: openai or anthropic); "
                             "the local writer cannot invent topics: set topic_ideas: 0 or add topics")
        return self

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA timezone name, e.g. 'UTC' or 'Europe/Berlin'") from None
        return value


def describe_validation_error(exc: ValidationError, source: str) -> str:
    """Turn pydantic's errors into lines that name the field, the problem and the input."""
    lines = [f"{source} is not valid:"]
    for err in exc.errors():
        loc = ""
        for part in err["loc"]:
            loc += f"[{part}]" if isinstance(part, int) else (f".{part}" if loc else str(part))
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling; see deployments/demo.yaml for the known fields)"
        elif err["type"] == "missing":
            msg = "required field is missing"
        got = err.get("input")
        shown = "" if err["type"] in ("missing", "extra_forbidden") or isinstance(got, (dict, list)) else \
            f" (got {textrules.clip(repr(got), 80)})"
        lines.append(f"  - {loc or '(top level)'}: {msg}{shown}")
    return "\n".join(lines)


def read_yaml(path: Path, what: str) -> dict:
    """Read a YAML mapping (size and nesting bounded), with an error naming the file when it is not one."""
    data = textrules.parse_structured(textrules.read_limited(path, what, ConfigError), f"{what} {path}", ConfigError,
                                      json_first=False)
    if not isinstance(data, dict):
        raise ConfigError(f"{what} {path} must be a YAML mapping of fields, got {type(data).__name__}")
    return data


def available_channels(channels_dir: Path) -> list[str]:
    return sorted(p.stem for p in channels_dir.glob("*.yaml")) if channels_dir.is_dir() else []


def load_channel(name_or_path: str, settings: Settings | None = None, planned: bool = True) -> ChannelConfig:
    """Load a channel by name (deployments/NAME.yaml) or by path to its YAML file (`planned`: with a tier's
    providers filled in)."""
    settings = settings or get_settings()
    path = Path(name_or_path)
    if not (path.suffix in (".yaml", ".yml") and path.is_file()):
        channels_dir = settings.resolved_channels_dir()
        path = channels_dir / f"{name_or_path}.yaml"
        if not path.is_file():
            known = ", ".join(available_channels(channels_dir)) or "none"
            raise ConfigError(
                f"unknown channel {name_or_path!r}: no {path}. Known channels: {known}. "
                f"Create {path} (copy deployments/demo.yaml) or pass a path to a channel YAML file."
            )
    data = read_yaml(path, "channel file")
    data.setdefault("name", path.stem)
    if isinstance(data.get("topics_file"), str) and not Path(data["topics_file"]).is_absolute():
        data["topics_file"] = str((path.parent / data["topics_file"]).resolve())  # relative to the channel file
    try:
        channel = ChannelConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, f"channel file {path}")) from exc
    from framecast import planner  # a tier: the planner fills in the stages the file leaves open

    return planner.apply(channel) if planned else channel


CLOUD_PROVIDERS = {"script": "openai", "image": "openai", "motion": "runway", "voice": "elevenlabs",
                   "sound": "elevenlabs"}
CLOUD_MUSIC = "elevenlabs"


def with_cloud_providers(channel: ChannelConfig) -> ChannelConfig:
    """The channel with a cloud provider at every stage (what `--sandbox` runs), named NAME-sandbox."""
    data = channel.model_dump(mode="json")
    for stage, provider in CLOUD_PROVIDERS.items():
        data[stage] = {**data[stage], "provider": provider, "providers": [], "model": None, "models": {}}
    data["voice"]["voice"], data["voice"]["voices"] = None, {}
    if data["music"]["source"] == "generated":
        data["music"]["source"] = CLOUD_MUSIC
    data["name"] = f"{channel.name}-sandbox"[:63]
    return ChannelConfig.model_validate(data)
