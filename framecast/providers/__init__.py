"""Provider registry: which implementation plays each role, chosen by channel config."""

from __future__ import annotations

from typing import Any, Callable

from framecast.config import ImageConfig, MotionConfig, ScriptConfig, VoiceConfig
from framecast.errors import ConfigError
from framecast.providers.base import (
    ImageGenerator, ScriptWriter, TextToSpeech, VideoAnalyzer, VideoGenerator,
)

Factory = Callable[[Any], Any]
_FACTORIES: dict[tuple[str, str], Factory] = {}


def register(role: str, name: str, factory: Factory) -> None:
    """Make `name` selectable as the provider of `role` (e.g. a vendor plugin)."""
    _FACTORIES[(role, name)] = factory


def _build(role: str, name: str, cfg: Any) -> Any:
    try:
        factory = _FACTORIES[(role, name)]
    except KeyError:
        known = sorted(n for r, n in _FACTORIES if r == role)
        raise ConfigError(f"{role}.provider: unknown provider {name!r}; known: {', '.join(known)}") from None
    return factory(cfg)


def script_writer(cfg: ScriptConfig) -> ScriptWriter:
    return _build("script", cfg.provider, cfg)


def image_generator(cfg: ImageConfig) -> ImageGenerator:
    return _build("image", cfg.provider, cfg)


def video_generator(cfg: MotionConfig) -> VideoGenerator:
    return _build("motion", cfg.provider, cfg)


def text_to_speech(cfg: VoiceConfig) -> TextToSpeech:
    return _build("voice", cfg.provider, cfg)


def video_analyzer(name: str = "local") -> VideoAnalyzer:
    return _build("analyzer", name, None)


def _register_local() -> None:
    from framecast.providers.local_analyzer import LocalVideoAnalyzer
    from framecast.providers.local_image import LocalImageGenerator
    from framecast.providers.local_script import LocalScriptWriter
    from framecast.providers.local_tts import LocalTextToSpeech
    from framecast.providers.local_video import LocalVideoGenerator

    register("script", "local", lambda cfg: LocalScriptWriter())
    register("image", "local", lambda cfg: LocalImageGenerator())
    register("motion", "local", lambda cfg: LocalVideoGenerator())
    register("voice", "local", lambda cfg: LocalTextToSpeech(cfg.engine, cfg.voice, cfg.speed))
    register("analyzer", "local", lambda cfg: LocalVideoAnalyzer())


_register_local()
