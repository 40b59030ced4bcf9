"""The roles a provider can play. Local implementations are the default; vendors plug in later."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from framecast.core.errors import InvalidRequest, RetryableError
from framecast.core.models import Script, WordTiming


@dataclass(frozen=True)
class ScriptBrief:
    """What a script writer is asked for."""

    topic: str
    min_scenes: int
    max_scenes: int
    target_seconds: float
    language: str = "en"
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Speech:
    """A synthesized voice file and when each word is spoken in it."""

    path: Path
    duration: float
    words: list[WordTiming]
    engine: str


@dataclass(frozen=True)
class QualityPlan:
    """What the video was meant to be, for the analyzer to compare against."""

    width: int
    height: int
    fps: float
    duration: float
    scene_starts: tuple[float, ...]
    loudness_lufs: float
    loudness_tolerance: float
    true_peak_max_db: float
    duration_tolerance: float
    max_black_seconds: float
    max_frozen_seconds: float
    max_silence_seconds: float
    caption_cues: int
    # For content analyzers:
    video_uri: str = ""
    language: str = "en-US"
    narration: tuple[str, ...] = ()
    scene_prompts: tuple[str, ...] = ()
    transition_seconds: tuple[float, ...] = ()
    shot_tolerance: float = 0.5
    explicit_fail_at: str = "LIKELY"
    max_word_error_rate: float = 0.25
    require_label_match: bool = False
    deadline_seconds: float = 900
    # Relevance: each scene's own labels known before analysis (the words of its offline illustration), and the
    # least embedding similarity between a scene's labels and its intent (None: "shares a word").
    scene_labels: tuple[tuple[str, ...], ...] = ()
    label_similarity_min: float | None = None
    min_speech_over_bed_lu: float | None = None
    # The ear: listen to each scene's speech window (start, end) and compare with the narration and with the
    # burned captions' cues (start, end, text); the limits are the channel's.
    listen: bool = False
    speech_windows: tuple[tuple[float, float], ...] = ()
    caption_timing: tuple[tuple[float, float, str], ...] = ()
    max_scene_word_error_rate: float = 0.6
    max_caption_offset_seconds: float = 0.3
    min_speech_over_floor_db: float | None = 23.0


@dataclass
class Findings:
    """What a content analyzer (e.g. Google Video Intelligence) reported about a video."""

    shot_starts: list[float] = field(default_factory=list)  # seconds where a new shot begins
    explicit: list[tuple[float, int]] = field(default_factory=list)  # (time, likelihood 0-5)
    words: list[str] = field(default_factory=list)  # the transcript
    labels: list[tuple[str, float, float]] = field(default_factory=list)  # (label, start, end)
    # False: the analyzer reports no reliable shot times (Gemini), so the shot checks are not run on these findings.
    shots_known: bool = True


@dataclass(frozen=True)
class SceneReview:
    """A content analyzer's own judgement of one planned scene (Gemini): does the picture match the intent,
    is the text in the picture legible, do the burned captions match the speech."""

    index: int
    start: float
    matches: bool
    reason: str = ""
    visible: tuple[str, ...] = ()
    text: str = ""  # text in the picture itself ("" when none)
    text_legible: bool = True
    captions_match: bool = True


@dataclass
class Analysis:
    """What one analyzer found in a video: facts, no verdict (the quality stage judges them against the plan).

    Each part is None when the analyzer did not look for it, so the stage runs only the checks it has facts for.
    """

    analyzer: str
    probe: dict | None = None  # the container and its streams as ffprobe reports them
    atoms: list[str] = field(default_factory=list)  # the MP4's top-level boxes in file order
    # Black, frozen and silent stretches and loudness (core.models.ContentMeasurements or media.analysis.Measurements).
    content: Any = None
    findings: Findings | None = None  # a content analyzer's shots, explicit frames, words and labels
    transcript: str = ""  # what the content analyzer heard, as one text
    # What each scene's offline illustration shows (its icon's words, start, end); None: no scene has one.
    scene_labels: list[tuple[str, float, float]] | None = None
    measurements: dict[str, float] = field(default_factory=dict)  # reported as they are (duration, loudness, shots)
    # What the offline ear heard in each of the plan's speech windows (framecast.media.listen.Heard); None: not
    # listened (the plan did not ask, another language, or the recogniser is not installed).
    heard: list[list[Any]] | None = None
    scene_reviews: list[SceneReview] | None = None  # per scene judgements (None: the analyzer makes none)


class ScriptWriter(Protocol):
    name: str

    def write(self, brief: ScriptBrief) -> Script:
        """A script for the brief (validated by the caller against the channel's bounds)."""

    # LLM writers also offer `propose_topics(TopicRequest) -> list[str]` (a channel's topic_ideas).


class ImageGenerator(Protocol):
    name: str

    def generate(self, prompt: str, *, width: int, height: int, seed: int, out: Path) -> Path:
        """Write a PNG for `prompt` at `out` and return its path."""


class JobRecord:
    """Where a paid asynchronous job's id is kept once the provider accepted it.

    A retry or a re-run with the same inputs finds the id and resumes that job instead of paying
    for a new one (the YouTube upload records its session the same way). In memory by default;
    `visuals.animate` passes one backed by the artifact store.
    """

    def __init__(self, load=None, save=None, on_accept=None, key: str | None = None, on_clear=None):
        self._memory: dict = {}
        self._load, self._save, self._on_accept, self._on_clear = load, save, on_accept, on_clear
        self.key = key  # the store record's key (jobs/<provider>/<sha256>): names the job in callback URLs

    def get(self) -> dict:
        return dict((self._load() if self._load else self._memory) or {})

    def put(self, data: dict) -> None:
        if self._save:
            self._save(dict(data))
        else:
            self._memory = dict(data)
        if data and self._on_accept:  # recorded first, then billed: a crash in between re-bills nothing twice
            self._on_accept(dict(data))

    def clear(self) -> None:
        """The job ended without a clip (failed, cancelled, gone): the next attempt starts a new one."""
        ended = self.get()
        self.put({})
        if ended and self._on_clear:  # the provider does not bill a job that made nothing
            self._on_clear(ended)

    def forget(self) -> None:
        """The provider no longer knows the job (404): drop it, refunding nothing (it may have been billed)."""
        self.put({})


def api_endpoint(client) -> str:
    """An httpx client's base URL without credentials or query: where its jobs live (safe to log and to store)."""
    return str(client.base_url.copy_with(username=None, password=None, query=None, fragment=None)).rstrip("/")


class JobGone(InvalidRequest):
    """The provider says the recorded job does not exist (any more): 404, or cancelled (its record is forgotten)."""


class JobVanished(RetryableError):
    """A job recorded by an earlier attempt is gone at the provider: forgotten, so the retry submits one new job."""


class VideoGenerator(Protocol):
    name: str

    def animate(
        self,
        image: Path,
        *,
        prompt: str,
        duration: float,
        width: int,
        height: int,
        fps: int,
        seed: int,
        out: Path,
        job: JobRecord | None = None,
    ) -> Path:
        """Write an MP4 clip that brings `image` to life for `duration` seconds (resuming `job` if it has one)."""


class TextToSpeech(Protocol):
    name: str

    def synthesize(self, text: str, *, out: Path) -> Speech:
        """Speak `text` into a WAV file at `out`, with word timings."""


class VideoAnalyzer(Protocol):
    name: str

    def analyze(self, video: Path, plan: QualityPlan, measured=None) -> Analysis:
        """What a rendered video holds, looked for as the plan asks (framecast.quality.check judges it)."""
