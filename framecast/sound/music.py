"""The music bed: none, the channel's file, a generated pad, looped sound generation, or a composed bed."""

from __future__ import annotations

from framecast import providers
from framecast.context import Services
from framecast.core.errors import ConfigError
from framecast.core.models import ArtifactRef
from framecast.cost.meter import Meter
from framecast.media import ffmpeg
from framecast.media.music import music_command
from framecast.sound.config import MusicConfig

AMBIENCE_SECONDS = 30.0  # the longest sound generation; looped (seamlessly, loop=true) under the video


def prepare_music(cfg: MusicConfig, seed: int, meter: Meter, *, services: Services) -> ArtifactRef | None:
    """The music bed: none, the channel's file, or a generated pad (looped under the video by the mix)."""
    if cfg.source in ("none", "elevenlabs-music"):  # composed once the video's length is known: compose_music
        return None
    store = services.store
    if cfg.source == "file":
        if cfg.path is None or not cfg.path.is_file():
            raise ConfigError(f"music.path: {cfg.path} does not exist; fix the path or set music.source: none")
        ffmpeg.probe(cfg.path)  # fail here, clearly, rather than deep inside the render
        return store.put(cfg.path, "audio/" + (cfg.path.suffix.lstrip(".") or "wav"))
    if cfg.source == "elevenlabs":
        sfx = providers.sound_effects("elevenlabs")
        with services.scratch() as tmp:
            with meter.charge(provider=sfx.name, role="sound", units=AMBIENCE_SECONDS, unit="second", model=sfx.model):
                path = sfx.generate(cfg.prompt, seconds=AMBIENCE_SECONDS, out=tmp / "ambience.mp3")
            ref = store.put(path, "audio/mpeg")
        return ref  # the mix loops it under the whole video
    with services.scratch() as tmp:
        out = tmp / "music.wav"
        ffmpeg.run(music_command(out, seed), what="generating the music bed")
        return store.put(out, "audio/wav")


def compose_music(cfg: MusicConfig, seconds: float, meter: Meter, *, services: Services) -> ArtifactRef:
    """A composed instrumental bed exactly `seconds` long (music.source: elevenlabs-music), stored."""
    composer = providers.music_composer("elevenlabs")
    with services.scratch() as tmp:
        with meter.charge(
            provider=composer.name, role="music", units=round(seconds, 1), unit="second", model=composer.model
        ):
            path = composer.compose(cfg.prompt, seconds=seconds, out=tmp / "music.mp3")
        return services.store.put(path, "audio/mpeg")
