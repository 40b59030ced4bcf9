"""Tasks that cut the generated material into the finished video."""

from __future__ import annotations

from prefect import task

from framecast import edit
from framecast.context import Services
from framecast.core.models import (
    ArtifactRef,
    CaptionFiles,
    ClipAsset,
    NarrationAsset,
    Scene,
    SoundAsset,
    SoundCue,
    Timeline,
    VideoAsset,
)
from framecast.edit.config import CaptionConfig, RenderSpec, VideoFormat
from framecast.edit.timeline import slot_seconds
from tasks.policies import CACHED, RETRY, versioned


@task(task_run_name="size-scene-slot-{index}")
def size_scene_slot(scene: Scene, narration: NarrationAsset, index: int, fps: float, last: bool) -> float:
    """Scene `index`'s time on screen, from its narration alone (so its motion need not wait for the others)."""
    return slot_seconds(scene, narration.duration, fps, last)


@task(task_run_name="plan-timeline", **RETRY)
def plan_timeline(scenes: list[Scene], narrations: list[NarrationAsset], fmt: VideoFormat) -> Timeline:
    return edit.plan(scenes, narrations, fmt)


@task(task_run_name="write-captions", cache_policy=versioned("captions"), **RETRY, **CACHED)
def write_captions(
    timeline: Timeline, narrations: list[NarrationAsset], fmt: VideoFormat, cfg: CaptionConfig, services: Services
) -> CaptionFiles:
    return edit.write_captions(timeline, narrations, fmt, cfg, services=services)


@task(task_run_name="assemble-video", cache_policy=versioned("assembly"), **RETRY, **CACHED)
def assemble_video(
    timeline: Timeline,
    clips: list[ClipAsset],
    narrations: list[NarrationAsset],
    captions: CaptionFiles,
    music: ArtifactRef | None,
    spec: RenderSpec,
    sounds: list[tuple[SoundCue, SoundAsset]],
    services: Services,
) -> VideoAsset:
    # Only what shapes the render is an input (so in the cache key): a new gate threshold does not re-render.
    return edit.assemble(
        timeline,
        clips,
        narrations,
        captions,
        music,
        spec.format,
        spec.music_gain_db,
        spec.burn_in,
        spec.loudness_lufs,
        sounds,
        services=services,
    )
