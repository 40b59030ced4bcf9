"""Recording a run and publishing only what passed the gate.

Publishing is: claim the slot (create-only), commit the files to the store in one step (the
store's marker, see framecast/storage), then upload to YouTube when the channel says so. A YouTube
upload refused for quota (the channel's 24-hour upload limit, the project's daily quota) after the
store publication is recorded as a *pending upload* (records/pending/youtube/<slot>, create-only);
`resume_pending`, which the channel's next run calls first, uploads those and clears the record.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from framecast.context import Services
from framecast.core import safe_text
from framecast.core.errors import FramecastError, QualityGateFailed, QuotaExhausted, SlotTaken
from framecast.core.models import (
    ArtifactRef,
    CaptionFiles,
    ClipAsset,
    ImageAsset,
    NarrationAsset,
    Publication,
    QualityReport,
    Script,
    VideoAsset,
)
from framecast.publish.config import PublishConfig
from framecast.report import fallback_lines, scene_origins
from framecast.transport.redaction import error_text

PENDING_YOUTUBE = "pending/youtube"  # records of uploads refused for quota, by slot
RESCHEDULE_MINUTES = 15  # a pending upload whose publishAt has passed goes public this long after its upload

log = logging.getLogger(__name__)


def slug(text: str, limit: int = 60) -> str:
    """A filesystem- and URL-safe form of a title (core.safe_text.slug: transliterated, hashed if not ASCII)."""
    return safe_text.slug(text, limit)


def make_thumbnail(title: str, images: list[ImageAsset], width: int, height: int, *, services: Services) -> ArtifactRef:
    """The video's thumbnail (framecast/publish/thumbnail.py): the strongest scene's picture, the title large."""
    from framecast.publish import thumbnail

    store = services.store
    with services.scratch() as tmp:
        path, _ = thumbnail.make(title, images, width, height, store, tmp / "thumbnail.jpg")
        return store.put(path, "image/jpeg")


def _json_ref(name: str, payload: dict, services: Services) -> ArtifactRef:
    with services.scratch() as tmp:
        path = tmp / f"{name}.json"
        path.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
        return services.store.put(path, "application/json")


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
    *,
    services: Services,
) -> ArtifactRef:
    """Write the run manifest: every artifact with size and sha256, pass or fail."""
    artifacts: dict[str, ArtifactRef] = {
        "script": _json_ref("script", script.model_dump(mode="json"), services),
        "quality_report": _json_ref("quality", report.model_dump(mode="json"), services),
        "video": video.ref,
        "thumbnail": thumbnail,
        "captions_srt": captions.srt,
        "captions_vtt": captions.vtt,
        "captions_ass": captions.ass,
    }
    for i, (im, clip, voice) in enumerate(zip(images, clips, narrations)):
        artifacts[f"scene_{i:02d}_image"] = im.ref
        artifacts[f"scene_{i:02d}_clip"] = clip.ref
        artifacts[f"scene_{i:02d}_narration"] = voice.ref
    if music is not None:
        artifacts["music"] = music
    # Who made each scene (and which providers of a fallback chain were skipped, and why).
    made = {"scenes": scene_origins(images, clips, narrations), "fallbacks": fallback_lines(images, clips, narrations)}
    return services.store.write_manifest(run_key, artifacts, {**meta, **made, "quality_passed": report.passed})


def slot_of(channel: str, day: date, topic: str) -> str:
    """The publication slot: one video per channel, date and topic."""
    return f"{channel}/{day.isoformat()}-{slug(topic)}"


def claim_slot(slot: str, video: VideoAsset, run_id: str, store) -> None:
    """Claim `slot` for this video (create-only) before anything is copied or uploaded.

    The same video may finish an interrupted publication (a re-run after a crash renders the same
    bytes from the cache); any other video for a claimed slot is refused, so a race never publishes twice.
    """
    mine = {"run": run_id, "video_sha256": video.ref.sha256, "claimed_at": datetime.now(UTC).isoformat()}
    holder = store.claim(f"publish/{slot}", mine)
    if holder.get("video_sha256") != video.ref.sha256:
        raise SlotTaken(
            f"publish: {slot} is already claimed by flow run {holder.get('run', '?')} for another video "
            f"(sha256 {str(holder.get('video_sha256', '?'))[:12]}…, at {holder.get('claimed_at', '?')}); nothing was "
            f"copied or uploaded. One channel publishes one video per date and topic: pass another topic or date."
        )


def publish(
    script: Script,
    video: VideoAsset,
    thumbnail: ArtifactRef,
    captions: CaptionFiles,
    report: QualityReport,
    manifest: ArtifactRef,
    cfg: PublishConfig,
    channel: str,
    topic: str,
    day: date,
    run_id: str = "local",
    *,
    services: Services,
) -> Publication:
    """Publish a video that passed the gate to `channel`'s targets (`cfg`); refuse a failed one (QualityGateFailed)."""
    if not report.passed:
        raise QualityGateFailed(
            f"quality gate failed, not published: {report.summary()} (video kept at {video.ref.uri}, "
            f"report in {manifest.uri})",
            report=report,
        )
    slot = slot_of(channel, day, topic)
    claim_slot(slot, video, run_id, services.store)
    files = {
        "video": video.ref,
        "thumbnail": thumbnail,
        "captions": captions.srt,
        "captions_vtt": captions.vtt,
        "script": _json_ref("script", script.model_dump(mode="json"), services),
    }
    meta = {
        "channel": channel,
        "topic": topic,
        "date": day.isoformat(),
        "title": script.title,
        "description": script.description,
        "tags": script.tags,
        "duration": video.duration,
        "quality": report.model_dump(mode="json"),
        "manifest": manifest.uri,
    }
    location = services.store.publish(slot, files, meta)
    youtube = (
        publish_youtube(slot, script, video, thumbnail, captions, cfg, channel, day, location, store=services.store)
        if "youtube" in cfg.targets
        else None
    )
    return Publication(
        published=True,
        location=location,
        video=video.ref,
        manifest=manifest,
        duration=video.duration,
        quality=report,
        youtube=youtube,
        channel=channel,
        topic=topic,
        date=day.isoformat(),
        title=script.title,
    )


def pending_key(slot: str) -> str:
    return f"{PENDING_YOUTUBE}/{slot}"


def publish_youtube(
    slot: str,
    script: Script,
    video: VideoAsset,
    thumbnail: ArtifactRef,
    captions: CaptionFiles,
    publish_cfg: PublishConfig,
    channel: str,
    day: date,
    location: str = "",
    *,
    store,
) -> dict:
    """Upload to YouTube at most once per channel + date + topic (the slot).

    Refused for quota: the upload is recorded as pending (for `resume_pending`) and QuotaExhausted says so.
    """
    from framecast import providers
    from framecast.providers.youtube.client import video_resource

    cfg = publish_cfg.youtube
    publish_at = f"{day.isoformat()}T{cfg.publish_at_utc}:00Z" if cfg.publish_at_utc else None
    meta = video_resource(script.title, script.description, script.tags, cfg.privacy, cfg.category_id, publish_at)
    job = {
        "slot": slot,
        "channel": channel,
        "key": f"youtube/{slot}",
        "location": location,
        "video": video.ref.model_dump(mode="json"),
        "thumbnail": thumbnail.model_dump(mode="json"),
        "captions": captions.srt.model_dump(mode="json"),
        "meta": meta,
        "caption_language": cfg.caption_language,
    }
    try:
        record = _upload(store, providers.publisher("youtube", store=store), job)
    except QuotaExhausted as exc:
        store.create_record(
            pending_key(slot), {**job, "reason": error_text(exc), "recorded_at": datetime.now(UTC).isoformat()}
        )
        raise QuotaExhausted(
            f"{exc}. The video is published in the store ({location}) and recorded as a pending YouTube upload "
            f"(records/{pending_key(slot)}): the next run of channel {channel} uploads it first "
            f"(publishing.resume_pending), once YouTube accepts uploads again.",
            provider=exc.provider or "youtube",
            status=exc.status,
        ) from exc
    store.delete_record(pending_key(slot))  # uploaded: whatever was pending for this slot is done
    return record


def _upload(store, publisher, job: dict) -> dict:
    from framecast.storage.refs import stored_ref

    # The job may come back from a record: each reference must name an object of this store.
    video, thumbnail, captions = (
        store.local_path(stored_ref(store, job[name], f"publish: youtube upload of {job.get('slot', '?')}: {name}"))
        for name in ("video", "thumbnail", "captions")
    )
    return publisher.publish(job["key"], video, thumbnail, captions, job["meta"], job["caption_language"])


def _rescheduled(job: dict, now: datetime) -> dict:
    """The job with a publishAt that has passed moved to shortly after now (YouTube refuses one in the past)."""
    status = job["meta"].get("status", {})
    when = status.get("publishAt")
    if not when or datetime.fromisoformat(when.replace("Z", "+00:00")) > now + timedelta(minutes=5):
        return job
    later = (now + timedelta(minutes=RESCHEDULE_MINUTES)).strftime("%Y-%m-%dT%H:%M:00Z")
    log.warning(
        "publish: pending YouTube upload of %s was scheduled for %s, which has passed; it goes public at %s",
        job["slot"],
        when,
        later,
    )
    return {**job, "meta": {**job["meta"], "status": {**status, "publishAt": later}}}


def resume_pending(store, channel: str, make_publisher: Callable[[], Any], now: datetime | None = None) -> list[dict]:
    """Upload the channel's pending YouTube uploads (oldest slot first) and clear each record once it is up.

    Call it at the start of a run, under the channel's lock. `make_publisher` is called only when
    something is pending. A failure never fails the run: a quota refusal stops for today, any other
    error is logged and recorded on the pending record, which stays for the next run. Returns the
    YouTube records of what was uploaded, each with its "slot".
    """
    pending = store.list_records(f"{PENDING_YOUTUBE}/{channel}")
    if not pending:
        return []
    publisher, done = make_publisher(), []
    for key, job in sorted(pending.items()):
        job = _rescheduled(job, now or datetime.now(UTC))
        try:
            record = _upload(store, publisher, job)
        except QuotaExhausted as exc:
            log.warning(
                "publish: %d pending YouTube upload(s) of channel %s wait for the next run: %s",
                len(pending) - len(done),
                channel,
                exc,
            )
            break
        except FramecastError as exc:
            log.warning("publish: pending YouTube upload of %s failed, it stays pending: %s", job["slot"], exc)
            store.put_record(key, {**job, "last_error": error_text(exc), "last_attempt": datetime.now(UTC).isoformat()})
            continue
        store.delete_record(key)
        log.info("publish: uploaded pending %s to YouTube: %s", job["slot"], record.get("url", ""))
        done.append({**record, "slot": job["slot"]})
    return done
