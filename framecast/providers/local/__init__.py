"""The offline providers, the default: no key, no cost. Their registry entry, factories included."""

from __future__ import annotations

from framecast.providers.registry import ProviderSpec

# Each maker is imported when a channel first asks for it: loading the registry loads none of them.


def script(cfg):
    """The offline script writer."""
    from framecast.providers.local.script import LocalScriptWriter

    return LocalScriptWriter()


def image(cfg):
    """Cards with an offline illustration (the channel's icon set, when it names one)."""
    from framecast.providers.local.image import LocalImageGenerator

    return LocalImageGenerator(cfg.icon_set() if cfg is not None else None)


def motion(cfg):
    """Camera moves over a still."""
    from framecast.providers.local.video import LocalVideoGenerator

    return LocalVideoGenerator()


def sound(cfg):
    """Synthesized transition sounds and ambience."""
    from framecast.providers.local.sound import LocalSoundGenerator

    return LocalSoundGenerator()


def voice(cfg):
    """Offline speech (piper or flite)."""
    from framecast.providers.local.tts import LocalTextToSpeech

    return LocalTextToSpeech(cfg.engine, cfg.voice or "en_US-joe-medium", cfg.speed)


def analyzer(cfg):
    """The local video analyzer (ffprobe and one ffmpeg pass)."""
    from framecast.providers.local.analyzer import LocalVideoAnalyzer

    return LocalVideoAnalyzer()


SPEC = ProviderSpec(
    name="local",
    roles=("script", "image", "motion", "voice", "quality", "sound"),
    ratings={"script": (1, 0.1), "image": (2, 0.5), "motion": (2, 0.0), "voice": (2, 1.0)},
    defaults={"voice": "en_US-joe-medium"},
    default_voice="en_US-joe-medium",
    factories={
        "script": script,
        "image": image,
        "motion": motion,
        "sound": sound,
        "voice": voice,
        "analyzer": analyzer,
    },
)
