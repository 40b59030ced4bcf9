"""Tasks that cut the generated material into the finished video."""

from __future__ import annotations

from prefect import task

from framecast import edit
from framecast.config import CaptionConfig, ChannelConfig, VideoFormat
from framecast.models import ArtifactRef, CaptionFiles, ClipAsset, NarrationAsset, Scene, Timeline, VideoAsset
from tasks.policies import CACHED, RETRY, versioned


@task(**RETRY)
def plan_timeline(scenes: list[Scene], narrations: list[NarrationAsset], fmt: VideoFormat) -> Timeline:
    return edit.plan(scenes, narrations, fmt)


@task(cache_policy=versioned("captions"), **RETRY, **CACHED)
def write_captions(timeline: Timeline, narrations: list[NarrationAsset], fmt: VideoFormat,
                   cfg: CaptionConfig) -> CaptionFiles:
    return edit.write_captions(timeline, narrations, fmt, cfg)


@task(cache_policy=versioned("assembly"), **RETRY, **CACHED)
def assemble_video(timeline: Timeline, clips: list[ClipAsset], narrations: list[NarrationAsset],
                   captions: CaptionFiles, music: ArtifactRef | None, channel: ChannelConfig) -> VideoAsset:
    return edit.assemble(timeline, clips, narrations, captions, music, channel)
