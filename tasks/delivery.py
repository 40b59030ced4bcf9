"""Tasks that judge the video and deliver it."""

from __future__ import annotations

from datetime import date

from prefect import get_run_logger, task

from framecast.publish import publish as publishing
from framecast.quality import check as quality
from framecast import context as runtime
from framecast.channel import ChannelConfig
from framecast.quality.config import QualityConfig
from framecast.edit.config import VideoFormat
from framecast.cost.meter import Meter
from framecast.core.models import (
    ArtifactRef, CaptionFiles, ClipAsset, ImageAsset, NarrationAsset, Publication, QualityReport, Script, Timeline, VideoAsset,
)
from tasks.policies import CACHED, RETRY, versioned


@task(task_run_name="make-thumbnail", cache_policy=versioned("thumbnail"), **RETRY, **CACHED)
def make_thumbnail(title: str, images: list[ImageAsset], width: int, height: int) -> ArtifactRef:
    return publishing.make_thumbnail(title, images, width, height)


@task(task_run_name="check-quality", cache_policy=versioned("quality"), **RETRY, **CACHED)
def check_quality(video: VideoAsset, timeline: Timeline, captions: CaptionFiles, gate: QualityConfig,
                  fmt: VideoFormat, language: str, script: Script, meter: Meter,
                  images: list[ImageAsset] | None = None) -> QualityReport:
    return quality.check(video, timeline, captions, gate, fmt, language, meter, script, images)


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
    publication = publishing.publish(script, video, thumbnail, captions, report, manifest, channel, topic, day, run_id)
    for what, why in ((publication.youtube or {}).get("skipped") or {}).items():
        get_run_logger().warning("published to YouTube without its %s: %s", what, why.get("error", why))
    return publication


# Never cached. It fails on no provider error (what stays pending is logged); a store outage is retried.
@task(task_run_name="resume-pending-uploads", **RETRY)
def resume_pending_uploads(channel: str) -> list[dict]:
    """Upload what an earlier run of `channel` left pending (YouTube quota), before this run's own video."""
    from framecast import providers

    store, log = runtime.store(), get_run_logger()
    done = publishing.resume_pending(store, channel, lambda: providers.publisher("youtube", store=store))
    for record in done:
        log.info("uploaded pending %s to YouTube: %s", record["slot"], record.get("url", ""))
    for job in store.list_records(f"{publishing.PENDING_YOUTUBE}/{channel}").values():
        log.warning("YouTube upload of %s is still pending (%s); the next run tries again", job.get("slot"),
                    job.get("last_error") or job.get("reason", ""))
    return done
