"""Tasks that generate (and, with cloud providers, pay for) the raw material of a video."""

from __future__ import annotations

from prefect import task

from framecast import edit, narration, scripting, visuals
from framecast.cost.meter import Meter
from framecast.config import ImageConfig, MotionConfig, MusicConfig, ScriptConfig, VideoFormat, VoiceConfig
from framecast.models import ArtifactRef, ClipAsset, ImageAsset, NarrationAsset, Script
from tasks.policies import CACHED, RETRY, versioned


@task(task_run_name="write-script", cache_policy=versioned("script"), **RETRY, **CACHED)
def write_script(topic: str, cfg: ScriptConfig, language: str, notes: tuple[str, ...], meter: Meter) -> Script:
    return scripting.write(topic, cfg, meter, language, notes)


@task(task_run_name="render-scene-image-{index}", cache_policy=versioned("image"), **RETRY, **CACHED)
def render_scene_image(visual_prompt: str, index: int, cfg: ImageConfig, fmt: VideoFormat, seed: int,
                       meter: Meter) -> ImageAsset:
    return visuals.render_image(visual_prompt, index, cfg, fmt, seed, meter)


@task(task_run_name="animate-scene-{index}", cache_policy=versioned("motion"), **RETRY, **CACHED)
def animate_scene(image: ImageAsset, visual_prompt: str, motion_prompt: str, index: int, duration: float,
                  cfg: MotionConfig, fmt: VideoFormat, seed: int, meter: Meter) -> ClipAsset:
    return visuals.animate(image, visual_prompt, motion_prompt, index, duration, cfg, fmt, seed, meter)


@task(task_run_name="synthesize-narration-{index}", cache_policy=versioned("voice"), **RETRY, **CACHED)
def synthesize_narration(text: str, index: int, voice: VoiceConfig, meter: Meter) -> NarrationAsset:
    return narration.synthesize(text, voice, meter)


@task(task_run_name="prepare-music", cache_policy=versioned("music"), **RETRY, **CACHED)
def prepare_music(cfg: MusicConfig, seed: int, meter: Meter) -> ArtifactRef | None:
    return edit.prepare_music(cfg, seed, meter)
