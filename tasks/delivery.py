"""Tasks that judge the video and deliver it."""

from __future__ import annotations

from datetime import date

from prefect import get_run_logger, task
from prefect.cache_policies import DEFAULT

from framecast.context import Services
from framecast.core.models import (
    ArtifactRef,
    CaptionFiles,
    ClipAsset,
    ImageAsset,
    NarrationAsset,
    Publication,
    QualityReport,
    Script,
    Timeline,
    VideoAsset,
)
from framecast.cost.meter import Meter
from framecast.publish import publish as publishing
from framecast.publish.config import PublishConfig
from framecast.quality import check as quality
from framecast.quality.config import GateSpec
from tasks.policies import CACHED, RETRY, versioned


@task(task_run_name="make-thumbnail", cache_policy=versioned("thumbnail"), **RETRY, **CACHED)
def make_thumbnail(title: str, images: list[ImageAsset], width: int, height: int, services: Services) -> ArtifactRef:
    return publishing.make_thumbnail(title, images, width, height, services=services)


@task(task_run_name="check-quality", cache_policy=versioned("quality"), **RETRY, **CACHED)
def check_quality(
    video: VideoAsset,
    timeline: Timeline,
    captions: CaptionFiles,
    gate: GateSpec,
    script: Script,
    meter: Meter,
    services: Services,
    images: list[ImageAsset] | None = None,
) -> QualityReport:
    return quality.check(
        video, timeline, captions, gate.quality, gate.format, gate.language, meter, script, images, services=services
    )


# Prefect's default cache policy, without the Services (where results go is not an input).
@task(task_run_name="record-run", cache_policy=DEFAULT - "services", **RETRY)
def record_run(
    run_key: str,
    script: Script,
    images: list[ImageAsset],
    clips: list[ClipAsset],
    narrations: list[NarrationAsset],
    captions: CaptionFiles,
    music: ArtifactRef | None,
    video: VideoAsset,
    thumbnail: ArtifactRef,
    report: QualityReport,
    meta: dict,
    services: Services,
) -> ArtifactRef:
    return publishing.record_run(
        run_key, script, images, clips, narrations, captions, music, video, thumbnail, report, meta, services=services
    )


# Never cached: publishing is idempotent by itself and must see the store as it is now.
@task(task_run_name="publish-video", cache_policy=DEFAULT - "services", **RETRY)
def publish_video(
    script: Script,
    video: VideoAsset,
    thumbnail: ArtifactRef,
    captions: CaptionFiles,
    report: QualityReport,
    manifest: ArtifactRef,
    publish: PublishConfig,
    channel: str,
    topic: str,
    day: date,
    run_id: str,
    services: Services,
) -> Publication:
    publication = publishing.publish(
        script, video, thumbnail, captions, report, manifest, publish, channel, topic, day, run_id, services=services
    )
    for what, why in ((publication.youtube or {}).get("skipped") or {}).items():
        get_run_logger().warning("published to YouTube without its %s: %s", what, why.get("error", why))
    return publication


# Never cached. It fails on no provider error (what stays pending is logged); a store outage is retried.
@task(task_run_name="resume-pending-uploads", cache_policy=DEFAULT - "services", **RETRY)
def resume_pending_uploads(channel: str, services: Services) -> list[dict]:
    """Upload what an earlier run of `channel` left pending (YouTube quota), before this run's own video."""
    from framecast import providers

    store, log = services.store, get_run_logger()
    done = publishing.resume_pending(store, channel, lambda: providers.publisher("youtube", store=store))
    for record in done:
        log.info("uploaded pending %s to YouTube: %s", record["slot"], record.get("url", ""))
    for job in store.list_records(f"{publishing.PENDING_YOUTUBE}/{channel}").values():
        log.warning(
            "YouTube upload of %s is still pending (%s); the next run tries again",
            job.get("slot"),
            job.get("last_error") or job.get("reason", ""),
        )
    return done
