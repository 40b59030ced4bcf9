"""The offline providers, the default: no key, no cost. Their registry entry and their factories."""

from __future__ import annotations

from typing import Any, Callable

from framecast.providers.registry import ProviderSpec

SPEC = ProviderSpec(
    name="local", roles=("script", "image", "motion", "voice", "quality", "sound"),
    ratings={"script": (1, 0.1), "image": (2, 0.5), "motion": (2, 0.0), "voice": (2, 1.0)},
    defaults={"voice": "en_US-joe-medium"})


def register_factories(register: Callable[[str, str, Callable[[Any], Any]], None]) -> None:
    """Make each offline maker selectable as provider `local` of its role."""
    # Imported here, not above: a module that needs one maker (the sandbox's script writer) loads only that one.
    from framecast.providers.local.analyzer import LocalVideoAnalyzer
    from framecast.providers.local.image import LocalImageGenerator
    from framecast.providers.local.script import LocalScriptWriter
    from framecast.providers.local.sound import LocalSoundGenerator
    from framecast.providers.local.tts import LocalTextToSpeech
    from framecast.providers.local.video import LocalVideoGenerator

    register("script", "local", lambda cfg: LocalScriptWriter())
    register("image", "local", lambda cfg: LocalImageGenerator(cfg.icon_set() if cfg is not None else None))
    register("motion", "local", lambda cfg: LocalVideoGenerator())
    register("sound", "local", lambda cfg: LocalSoundGenerator())
    register("voice", "local", lambda cfg: LocalTextToSpeech(cfg.engine, cfg.voice or "en_US-joe-medium", cfg.speed))
    register("analyzer", "local", lambda cfg: LocalVideoAnalyzer())
