"""The data that flows between stages: scripts, assets (as artifact references) and reports."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from framecast.core import textrules

# Bounds a script must respect whatever wrote it (an LLM, a person, the local writer).
MAX_SCENES = 40
MIN_SCENE_SECONDS = 2.0
MAX_SCENE_SECONDS = 30.0
MAX_VIDEO_SECONDS = 600.0


class Frozen(BaseModel):
    """Immutable, strict base: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(frozen=True, extra="forbid")


_multiline = textrules.refuse_bad


def _one_line(value: str) -> str:
    return textrules.fold(textrules.refuse_bad(value))


def _text(check, **limits):
    return Annotated[str, StringConstraints(strip_whitespace=True, **limits), AfterValidator(check)]


# Text a script carries has no control or bidi-override characters (PostgreSQL refuses NUL, U+202E turns a
# title around); a one-line field has its line breaks folded, a multi-line one keeps \n and \t.
Text = _text(_multiline)
# YouTube refuses "<" and ">" in titles, descriptions and tags: they become look-alike angle quotes.
ANGLES = str.maketrans({"<": "\u2039", ">": "\u203a"})


class Transition(StrEnum):
    """How a scene gives way to the next one."""

    cut = "cut"
    fade = "fade"
    dissolve = "dissolve"


class Scene(Frozen):
    """One shot: what is said, what is shown, how it moves, for how long."""

    narration: _text(_multiline, min_length=1, max_length=600)
    visual_prompt: _text(_multiline, min_length=1, max_length=1000)
    motion_prompt: _text(_multiline, max_length=500) = ""
    duration: Annotated[float, Field(ge=MIN_SCENE_SECONDS, le=MAX_SCENE_SECONDS)] = 6.0
    transition: Transition = Transition.fade
    # What the scene sounds like under the voice, in a few words ("lava hissing, distant rumble"); blank: the
    # visual prompt stands in. Used only when the channel turns ambience on (sound.ambience).
    ambience: _text(_multiline, max_length=300) = ""


class Script(Frozen):
    """A whole video's script: metadata for publishing plus the ordered scenes."""

    title: _text(_one_line, min_length=1, max_length=100)
    description: _text(_multiline, max_length=5000) = ""
    tags: list[_text(_one_line, min_length=1, max_length=30)] = Field(default_factory=list, max_length=30)
    scenes: list[Scene] = Field(min_length=1, max_length=MAX_SCENES)

    @field_validator("title", "description")
    @classmethod
    def _no_angle_brackets(cls, value: str) -> str:
        return value.translate(ANGLES)

    @field_validator("tags")
    @classmethod
    def _tags_without_angle_brackets(cls, value: list[str]) -> list[str]:
        return [t.translate(ANGLES) for t in value]

    @model_validator(mode="after")
    def _bounded_length(self) -> Script:
        total = sum(s.duration for s in self.scenes)
        if total > MAX_VIDEO_SECONDS:
            raise ValueError(f"scenes add up to {total:.0f} s; the maximum is {MAX_VIDEO_SECONDS:.0f} s")
        if sum(len(t) for t in self.tags) > 500:
            raise ValueError("tags add up to more than 500 characters (YouTube's limit)")
        return self


class ArtifactRef(Frozen):
    """Where an artifact lives and what it is: never the bytes themselves."""

    uri: str
    sha256: str
    size: int
    media_type: str


class FallbackStep(Frozen):
    """A provider of a fallback chain that was passed over, and why."""

    provider: str
    reason: str


class Origin(Frozen):
    """Who made an asset: the provider and model of its stage's chain that succeeded, and what it skipped."""

    provider: str
    model: str = ""
    skipped: list[FallbackStep] = []

    def describe(self) -> str:
        made = f"{self.provider} ({self.model})" if self.model else self.provider
        return made + "".join(f"; {s.provider} skipped: {s.reason}" for s in self.skipped)


class ImageAsset(Frozen):
    ref: ArtifactRef
    width: int
    height: int
    origin: Origin | None = None
    # Offline pictures: which illustration was chosen and why (set, icon, matched words or score, licence).
    illustration: dict | None = None


class ClipAsset(Frozen):
    """A scene's moving picture: a provider's clip, or (`move` set) the still at `ref` moved by the edit."""

    ref: ArtifactRef
    duration: float
    width: int
    height: int
    fps: float
    # Local motion is rendered inside the final encode, so its frames are encoded once, not twice.
    move: str | None = None
    origin: Origin | None = None


class WordTiming(Frozen):
    word: str
    start: float
    end: float


class NarrationAsset(Frozen):
    """One scene's voice-over, with word timing relative to the start of the file."""

    ref: ArtifactRef
    duration: float
    speech_end: float
    words: list[WordTiming]
    engine: str
    origin: Origin | None = None


class SoundCue(Frozen):
    """A sound the video plays under the voice: a transition's, or a scene's ambience."""

    kind: Literal["transition", "ambience"]
    scene_index: int
    prompt: str
    start: float  # in the video
    seconds: float  # how long it plays (and the length it is generated at)
    gain_db: float  # relative to the voice's level: the sound is brought to LEVEL_LUFS, then this
    fade_in: float = 0.0
    fade_out: float = 0.0

    @property
    def request(self) -> tuple[str, float, str]:
        """What it is generated from: one sound per (prompt, length, kind), however often it plays."""
        return (self.prompt, self.seconds, self.kind)


class SoundAsset(Frozen):
    """A generated sound effect or ambience, with its measured loudness (so the mix can set its level)."""

    ref: ArtifactRef
    prompt: str
    seconds: float
    loudness_lufs: float
    origin: Origin | None = None
    # Offline sounds: which synthesised recipe the prompt chose and why (matched words or score).
    recipe: dict | None = None


class SceneSlot(Frozen):
    """Where a scene sits in the final video."""

    index: int
    start: float
    duration: float
    transition_out: Transition
    transition_seconds: float
    narration_start: float


class Timeline(Frozen):
    slots: list[SceneSlot]
    total: float


class CaptionFiles(Frozen):
    srt: ArtifactRef
    vtt: ArtifactRef
    ass: ArtifactRef
    cue_count: int


Span = tuple[float, float]


class ContentMeasurements(Frozen):
    """Black, frozen and silent stretches and loudness of a rendered video, measured while it was made."""

    black: list[Span] = []
    frozen: list[Span] = []
    silent: list[Span] = []
    integrated_lufs: float | None = None
    true_peak_db: float | None = None
    # How far the music and sounds stay under the voice while it speaks (LU, the 10th percentile of the
    # momentary loudness difference); None: there was no bed.
    speech_over_bed_lu: float | None = None
    # Frozen and silent stretches shorter than this were not looked for.
    shortest_span: float = 0.0


class VideoAsset(Frozen):
    ref: ArtifactRef
    duration: float
    width: int
    height: int
    fps: float
    # The render's own frame and sound checks (the gate uses them rather than decoding the video again).
    measured: ContentMeasurements | None = None


class QualityCheck(Frozen):
    """One check of the gate; `at_seconds`/`scene_index` locate a failure in the video."""

    name: str
    passed: bool
    detail: str
    at_seconds: float | None = None
    scene_index: int | None = None


class QualityReport(Frozen):
    analyzer: str
    passed: bool
    checks: list[QualityCheck]
    measurements: dict[str, float] = Field(default_factory=dict)

    @property
    def failures(self) -> list[QualityCheck]:
        return [c for c in self.checks if not c.passed]

    def summary(self) -> str:
        """One line per failed check, or 'passed'."""
        if self.passed:
            return "passed"
        return "; ".join(f"{c.name}: {c.detail}" for c in self.failures)


class Publication(Frozen):
    """What `publish` did: where the video went, or why it did not."""

    published: bool
    location: str
    video: ArtifactRef
    manifest: ArtifactRef | None = None
    duration: float = 0.0
    quality: QualityReport | None = None
    youtube: dict | None = None  # {"video_id", "url", …} when published there
    reason: str = ""
    channel: str = ""
    topic: str = ""
    date: str = ""
    title: str = ""
