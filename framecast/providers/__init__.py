"""Provider registry: which implementation plays each role, chosen by channel config."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from framecast.core.errors import ConfigError
from framecast.providers import connect, registry
from framecast.providers.base import (
    ImageGenerator,
    ScriptWriter,
    TextToSpeech,
    VideoAnalyzer,
    VideoGenerator,
)
from framecast.providers.chain import StageConfig
from framecast.transport import redaction


def wrap_limiters(wrapper: Callable[[str, Any], Any]) -> None:
    """Wrap each provider's in-process limiter (the orchestration layer adds cross-run limits)."""
    connect.LIMITER_WRAPPER[:] = [wrapper]


def wrap_job_slots(wrapper: Callable[[str, Any], Any]) -> None:
    """Wrap each provider's in-process job slots (the orchestration layer adds slots shared across runs)."""
    connect.JOB_SLOT_WRAPPER[:] = [wrapper]


def job_slot(provider: str):
    """Held from a paid job's submission until its media is downloaded, so the jobs in flight never exceed
    the account's parallel-task limit (`jobs` in FRAMECAST_RATE_LIMITS); a provider without jobs: no slot."""
    return connect.job_slot(provider)


def clip_seconds(provider: str, duration: float, model: str | None = None) -> int:
    """Seconds of video a provider bills for a clip of `duration`: its spec's rule (Kling: 5 or 10; Runway: the
    model's lengths), else the clip's length rounded up, at most 10."""
    found = registry.spec(provider)
    if found is not None and found.billed_seconds is not None:
        return found.billed_seconds(duration, model or found.defaults["motion"])
    return min(10, math.ceil(duration))


def sandbox_routes() -> list[registry.SandboxMount]:
    """Each vendor's wire fake, for the sandbox server to mount."""
    return [spec.sandbox for spec in registry.all_specs() if spec.sandbox is not None]


def _build(role: str, name: str, cfg: Any, **services: Any) -> Any:
    """The provider of `role` named `name`, made by its vendor's factory (`services`, e.g. store=, only when given:
    a plugin's factory may take the stage config alone)."""
    found = registry.spec(name)
    factory = found.factories.get(role) if found else None
    if factory is None:
        known = sorted(s.name for s in registry.all_specs() if role in s.factories)
        raise ConfigError(f"{role}.provider: unknown provider {name!r}; known: {', '.join(known)}")
    return factory(cfg, **services) if services else factory(cfg)


def build(cfg: StageConfig, **services: Any) -> Any:
    """The provider of one link of a stage's chain: the role is the stage config's (`cfg.ROLE`)."""
    return _build(cfg.ROLE, cfg.provider, cfg, **services)


def script_writer(cfg: StageConfig) -> ScriptWriter:
    return build(cfg)


def image_generator(cfg: StageConfig) -> ImageGenerator:
    return build(cfg)


def video_generator(cfg: StageConfig) -> VideoGenerator:
    return build(cfg)


def text_to_speech(cfg: StageConfig) -> TextToSpeech:
    return build(cfg)


def sound_effects(name: str):
    """The provider of generated sound by name (the looped ambience bed of music.source: elevenlabs)."""
    return _build("sound", name, None)


def sound_generator(cfg: StageConfig):
    """The provider of one link of the sound design's chain (transition sounds, ambience)."""
    return build(cfg)


def music_composer(name: str):
    """The provider of composed music beds of an exact length."""
    return _build("music", name, None)


def publisher(name: str, store: Any = None):
    """A publishing target beyond the artifact store (e.g. YouTube, which keeps its upload sessions in `store`)."""
    return _build("publisher", name, None, **({"store": store} if store is not None else {}))


def embedder(name: str):
    """Text embeddings (for topic de-duplication)."""
    return _build("embeddings", name, None)


def video_analyzer(name: str = "local") -> VideoAnalyzer:
    return _build("analyzer", name, None)


def video_analyzer_model(name: str, model: str | None) -> VideoAnalyzer:
    """A cloud analyzer that takes a model (Gemini): its factory is handed the model (None: its default)."""
    return _build("analyzer", name, model)


# Revisions of the offline makers, part of their identity: bumped when their output changes, so only their
# cached media is made again (a stage version bump would re-pay every cached cloud script, picture or clip).
# script 2: long notes said in parts, tags cut to 30 characters. image 2: cards draw any script without tofu.
# motion 2: camera moves keep moving on long scenes and small frames (issue 17).
LOCAL_REVISIONS = {"script": "2", "image": "2", "motion": "2"}


def identity(cfg: Any) -> str | None:
    """Who makes a stage's output, resolved: vendor, model (None = today's default, spelled out) and, for the
    local voice, the engine `auto` picks here. Part of cache keys, so a changed default never hands back old media."""
    role = getattr(cfg, "ROLE", None)  # a stage config of a provider chain (script, image, motion, voice, sound)
    if role is None:
        return None
    links = cfg.chain()
    if len(links) > 1:  # a fallback chain: who may make it, in order
        return " > ".join(identity(link) for link in links)
    from framecast.providers.registry import DEFAULT_VOICES

    # The local entry's "default" voice is a voice, not a model: it is spelled out below, as before.
    default = registry.default_model(role, cfg.provider) if cfg.provider != "local" else None
    parts = [role, cfg.provider, cfg.model or default or ""]
    if cfg.provider == "local" and role in LOCAL_REVISIONS:
        parts.append(f"rev{LOCAL_REVISIONS[role]}")
    if role == "voice":
        parts.append(cfg.voice or DEFAULT_VOICES.get(cfg.provider, ""))
        if cfg.provider == "local":
            from framecast.providers.local.tts import piper_available

            parts.append(cfg.engine if cfg.engine != "auto" else ("piper" if piper_available() else "flite"))
    if role == "sound" and cfg.provider == "local":  # a prompt matched by keywords only may find nothing
        from framecast.media.illustrations import available

        parts.append("similarity" if available() else "keywords")
    return ":".join(parts)


# Redaction (framecast.transport) sits below the providers: it is handed the one function that knows every key.
redaction.use_secrets(connect.secrets)
