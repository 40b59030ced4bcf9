"""Tasks that generate (and, with cloud providers, pay for) the raw material of a video."""

from __future__ import annotations

from prefect import get_run_logger, task

from framecast import visuals
from framecast.context import Services
from framecast.core.models import ArtifactRef, ClipAsset, ImageAsset, NarrationAsset, Origin, Script, SoundAsset
from framecast.cost.meter import Meter
from framecast.edit.config import VideoFormat
from framecast.script import write as scripting
from framecast.script.config import ScriptConfig
from framecast.sound import generate as sound
from framecast.sound import music
from framecast.sound.config import MusicConfig, SoundSource
from framecast.visuals.config import ImageConfig, MotionConfig
from framecast.voice import narration
from framecast.voice.config import VoiceConfig
from tasks.policies import CACHED, RETRY, versioned


@task(task_run_name="write-script", cache_policy=versioned("script"), **RETRY, **CACHED)
def write_script(topic: str, cfg: ScriptConfig, language: str, notes: tuple[str, ...], meter: Meter) -> Script:
    script, origin = scripting.write(topic, cfg, meter, language, notes)
    report_fallback("script", origin)
    return script


@task(task_run_name="render-scene-image-{index}", cache_policy=versioned("image"), **RETRY, **CACHED)
def render_scene_image(
    visual_prompt: str,
    index: int,
    cfg: ImageConfig,
    fmt: VideoFormat,
    seed: int,
    meter: Meter,
    services: Services,
    narration: str = "",
) -> ImageAsset:
    image = visuals.render_image(visual_prompt, index, cfg, fmt, seed, meter, narration, services=services)
    return report_fallback(f"image of scene {index + 1}", image)


@task(task_run_name="animate-scene-{index}", cache_policy=versioned("motion"), **RETRY, **CACHED)
def animate_scene(
    image: ImageAsset,
    visual_prompt: str,
    motion_prompt: str,
    index: int,
    duration: float,
    cfg: MotionConfig,
    fmt: VideoFormat,
    seed: int,
    meter: Meter,
    services: Services,
) -> ClipAsset:
    clip = visuals.animate(
        image, visual_prompt, motion_prompt, index, duration, cfg, fmt, seed, meter, services=services
    )
    return report_fallback(f"motion of scene {index + 1}", clip)


@task(task_run_name="synthesize-narration-{index}", cache_policy=versioned("voice"), **RETRY, **CACHED)
def synthesize_narration(text: str, index: int, voice: VoiceConfig, meter: Meter, services: Services) -> NarrationAsset:
    return report_fallback(
        f"narration of scene {index + 1}", narration.synthesize(text, voice, meter, services=services)
    )


@task(task_run_name="compose-music", cache_policy=versioned("music"), **RETRY, **CACHED)
def compose_music(cfg: MusicConfig, seconds: float, meter: Meter, services: Services) -> ArtifactRef:
    return music.compose_music(cfg, seconds, meter, services=services)


@task(task_run_name="prepare-music", cache_policy=versioned("music"), **RETRY, **CACHED)
def prepare_music(cfg: MusicConfig, seed: int, meter: Meter, services: Services) -> ArtifactRef | None:
    return music.prepare_music(cfg, seed, meter, services=services)


# Cached per (prompt, length, kind, who makes it) only: the same whoosh serves every fade of every video, and
# `label` (the first cue that asked for it, for the run's name) is not part of the key.
@task(task_run_name="generate-sound-{label}", cache_policy=versioned("sound", exclude=("label",)), **RETRY, **CACHED)
def generate_sound(
    prompt: str, seconds: float, kind: str, cfg: SoundSource, meter: Meter, services: Services, label: str = ""
) -> SoundAsset | None:
    return report_fallback(
        f"{kind} sound {label}", sound.generate(prompt, seconds, kind, cfg, meter, services=services)
    )


def report_fallback(what: str, made):
    """Log, as the stage happens, which provider of a fallback chain made `what` and why others were skipped."""
    origin = made if isinstance(made, Origin) else getattr(made, "origin", None)
    if origin is not None and origin.skipped:
        get_run_logger().warning("%s fell back: made by %s", what, origin.describe())
    return made
