"""Tasks that judge the video and deliver it."""

from __future__ import annotations

from datetime import date

from prefect import task

from framecast import publishing, quality
from framecast.config import ChannelConfig, QualityConfig, VideoFormat
from framecast.cost.meter import Meter
from framecast.models import (
    ArtifactRef, CaptionFiles, ClipAsset, ImageAsset, NarrationAsset, Publication, QualityReport, Script, Timeline,
    VideoAsset,
)
from tasks.policies import CACHED, RETRY, versioned


@task(task_run_name="make-thumbnail", cache_policy=versioned("thumbnail"), **RETRY, **CACHED)
def make_thumbnail(image: ImageAsset) -> ArtifactRef:
    return publishing.make_thumbnail(image)


@task(task_run_name="check-quality", cache_policy=versioned("quality"), **RETRY, **CACHED)
def check_quality(video: VideoAsset, timeline: Timeline, captions: CaptionFiles, gate: QualityConfig,
                  fmt: VideoFormat, language: str, script: Script, meter: Meter) -> QualityReport:
    return quality.check(video, timeline, captions, gate, fmt, language, meter, script)


@task(task_run_name="record-run", **RETRY)
def record_run(run_key: str, script: Script, images: list[ImageAsset], clips: list[ClipAsset],
               narrations: list[NarrationAsset], captions: CaptionFiles, music: ArtifactRef | None,
               video: VideoAsset, thumbnail: ArtifactRef, report: QualityReport, meta: dict) -> ArtifactRef:
    return publishing.record_run(run_key, script, images, clips, narrations, captions, music, video, thumbnail,
                                 report, meta)


# Never cached: publishing is idempotent by itself and must see the store as it is now.
@task(task_run_name="publish-video", **RETRY)
def publish_video(script: Script, video: VideoAsset, thumbnail: ArtifactRef, captions: CaptionFiles,
                  report: QualityReport, manifest: ArtifactRef, channel: ChannelConfig, topic: str,
                  day: date, run_id: str) -> Publication:
    return publishing.publish(script, video, thumbnail, captions, report, manifest, channel, topic, day, run_id)
