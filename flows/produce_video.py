"""produce-video: one topic in, one published (or rejected and kept) video out."""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger, unmapped
from prefect.runtime import flow_run
from prefect.utilities.hashing import file_hash

from flows import steps
from framecast import context, visuals
from framecast.context import Services
from framecast.core import progress
from framecast.core.errors import FramecastError
from framecast.core.models import Publication, Script
from framecast.cost.meter import Meter
from framecast.plan.prepare import ChannelName, open_meter, prepare
from framecast.providers import connect
from framecast.quality import gate
from framecast.report import fallback_lines, made_by
from framecast.sound import design
from framecast.transport import redaction
from tasks import limits, reporting, reruns
from tasks.alerts import scrubbed_errors
from tasks.delivery import check_quality, make_thumbnail, publish_video, record_run, resume_pending_uploads
from tasks.editing import assemble_video, plan_timeline, size_scene_slot, write_captions
from tasks.generation import (
    animate_scene,
    compose_music,
    prepare_music,
    render_scene_image,
    synthesize_narration,
    write_script,
)
from tasks.limits import channel_lock
from tasks.planning import preflight_channel
from tasks.runner import TaskWorkers


# Parameters are checked by framecast (plan.prepare), not by Prefect, so that a bad custom run
# fails with a first log line naming the field and the fix rather than a pydantic dump.
@flow(
    name="produce-video",
    task_runner=TaskWorkers(),
    log_prints=True,
    persist_result=True,
    result_serializer="json",
    validate_parameters=False,
    version=file_hash(__file__),
)  # Prefect's default, which the wrapper below would make alerts.py's hash
@scrubbed_errors  # the run's state message (UI, alerts) is made from the error: no secret in it
def produce_video(
    channel: ChannelName = "demo",
    topic: str = "",
    notes: list[str] | None = None,
    script: Script | None = None,
    publish_date: date | None = None,
    rerun_of: str = "",
) -> Publication:
    """Make a narrated, captioned video about `topic` for `channel` and publish it if it passes the gate.

    Args:
        channel: channel name (deployments/NAME.yaml) or path to a channel YAML file.
        topic: what the video is about, e.g. "How volcanoes work" (blank: the channel's next unpublished topic).
        notes: optional facts for the script writer, one per item.
        script: a ready script (same schema the writer produces) to use instead of writing one.
        publish_date: the day the video is for (blank: the run's scheduled start, in the channel's timezone).
        rerun_of: a crashed run's id: make its video again, same topic and day (set by the re-run automation).
    """
    log = get_run_logger()
    services = context.services()  # this process's settings, store and media tools, handed to every task
    limits.install()  # provider limits shared with every run through Prefect's global limits
    redaction.install(connect.secrets(services.settings))
    try:  # bad input fails the run before anything is locked or spent, with the field and the fix first
        start = flow_run.scheduled_start_time
        if str(rerun_of or "").strip():  # a crashed run made again: its inputs and its day (tasks/reruns.py)
            (channel, topic, notes, script, publish_date), start = reruns.crashed_inputs(
                rerun_of, channel, topic, notes, script, publish_date
            )
            log.info("re-run of crashed run %s: its topic and day, finished steps from the cache", rerun_of)
        request = prepare(steps.deployed_channel(channel), topic, notes, script, publish_date, start, services=services)
    except FramecastError as exc:
        log.error("%s", exc)
        raise
    if request.stale_scratch:
        log.info(
            "removed %d scratch folder(s) left by crashed runs: %s",
            len(request.stale_scratch),
            ", ".join(request.stale_scratch),
        )
    cfg, day = request.channel, request.day
    reporting.name_flow_run(f"{cfg.name} · {day.isoformat()}")  # the topic follows once the channel is ours
    preflight_channel(cfg, day)  # everything that would stop the run, before anything is locked or spent
    with channel_lock(cfg.name):
        run_key = f"{cfg.name}/{day.isoformat()}/{flow_run.get_id() or 'local'}"
        context.artifact_scope.set(run_key)  # where new GCS artifacts go (a layout hint only)
        # Who pays and within which limits, handed to every paying task (not in their cache keys).
        meter = open_meter(request, run_key, services=services)
        if "youtube" in cfg.publish.targets:
            resume_pending_uploads(cfg.name, services)  # uploads an earlier run could not make (YouTube quota) go first
        topic = steps.run_topic(request, meter, services, log)
        reporting.name_flow_run(f"{cfg.name} · {day.isoformat()} · {topic}")
        return _produce(cfg, topic, day, request.script, request.notes, meter, services, log)


def _produce(
    cfg, topic: str, day: date, script: Script | None, notes: tuple[str, ...], meter: Meter, services: Services, log
) -> Publication:
    """The DAG of one video, in order: script, scenes in parallel, assembly, gate, publication."""
    progress.stage("script", 1)
    if script is None:
        script = write_script(topic, cfg.script, cfg.language, notes, meter)
    scenes, indices = script.scenes, list(range(len(script.scenes)))
    tracker = reporting.RunProgress(cfg.name, total=1 + 3 * len(scenes) + 3)
    tracker.advance("script", f"{script.title!r}, {len(scenes)} scenes")
    reporting.show_script(cfg.name, script)
    log.info("script: %r, %d scenes, %.0f s planned", script.title, len(scenes), sum(s.duration for s in scenes))

    tracker.stage("images", len(scenes))
    tracker.stage("narration", len(scenes))
    # The narration is an input of the pictures only when they are illustrated from it (the local provider).
    said = [s.narration if visuals.uses_narration(cfg.image) else "" for s in scenes]
    images = render_scene_image.map(
        [s.visual_prompt for s in scenes],
        indices,
        unmapped(cfg.image),
        unmapped(cfg.format),
        unmapped(cfg.seed),
        unmapped(meter),
        unmapped(services),
        said,
    )
    voices = synthesize_narration.map(
        [s.narration for s in scenes], indices, unmapped(cfg.voice), unmapped(meter), unmapped(services)
    )
    music = prepare_music.submit(cfg.music, cfg.seed, meter, services)
    spoken = None
    if len(cfg.voice.chain()) > 1:  # one voice per video: motion is sized once every scene has the video's voice
        voices = spoken = steps.one_voice(
            steps.gather(voices, "narration", tracker), scenes, cfg.voice, meter, services, log
        )
    # Scene i's motion waits only for its own image and narration, not for every narration.
    durations = size_scene_slot.map(
        scenes, voices, indices, unmapped(cfg.format.fps), [i == len(scenes) - 1 for i in indices]
    )
    tracker.stage("motion", len(scenes))
    clips = animate_scene.map(
        images,
        [s.visual_prompt for s in scenes],
        [s.motion_prompt for s in scenes],
        indices,
        durations,
        unmapped(cfg.motion),
        unmapped(cfg.format),
        unmapped(cfg.seed),
        unmapped(meter),
        unmapped(services),
    )
    narrations = spoken if spoken is not None else steps.gather(voices, "narration", tracker)
    log.info(
        "narration: %d scenes, %.1f s of speech (%s)",
        len(narrations),
        sum(n.duration for n in narrations),
        made_by(narrations),
    )
    timeline = plan_timeline(scenes, narrations, cfg.format)

    captions = write_captions.submit(timeline, narrations, cfg.format, cfg.captions, services)
    cues, made = steps.design_sound(timeline, scenes, cfg, meter, services)  # generated beside the pictures
    if cfg.music.source == "elevenlabs-music":  # a bed of the video's exact length, so it needs the timeline
        music = compose_music.submit(cfg.music, round(timeline.total, 1), meter, services)
    stills = steps.gather(images, "images", tracker)
    reporting.show_contact_sheet(cfg.name, stills)
    clip_assets = steps.gather(clips, "motion", tracker)
    log.info(
        "images and motion: %d scenes (images: %s; motion: %s)", len(clip_assets), made_by(stills), made_by(clip_assets)
    )

    tracker.stage("assembly", 1)
    sounds, sounds_failed = steps.placed_sounds(cues, made, log)
    render = cfg.render_spec()  # what the render depends on: a new gate threshold does not re-render
    video = assemble_video(
        timeline, clip_assets, narrations, captions.result(), music.result(), render, sounds, services
    )
    tracker.advance("assembly", f"{video.duration:.1f} s")
    log.info("assembly: %.1f s of %dx%d video", video.duration, video.width, video.height)
    tracker.stage("quality", 1)
    judge = cfg.gate_spec()  # what the gate depends on: never topics or publish settings
    report = check_quality(video, timeline, captions.result(), judge, script, meter, services, stills)
    regenerated: list[int] = []
    for attempt in range(1, cfg.quality.max_regenerations + 1):
        bad = [] if report.passed else gate.scenes_to_regenerate(report.failures)
        if not bad:
            break
        log.warning(
            "quality gate failed on scene(s) %s: regenerating them (attempt %d)",
            ", ".join(str(i + 1) for i in bad),
            attempt,
        )
        # New seeds for the offending scenes only; every other result comes from the cache.
        seed = cfg.seed + 7919 * attempt
        # The bad scenes together, not one after another.
        redone = render_scene_image.map(
            [scenes[i].visual_prompt for i in bad],
            bad,
            unmapped(cfg.image),
            unmapped(cfg.format),
            unmapped(seed),
            unmapped(meter),
            unmapped(services),
            [said[i] for i in bad],
        )
        moved = animate_scene.map(
            redone,
            [scenes[i].visual_prompt for i in bad],
            [scenes[i].motion_prompt for i in bad],
            bad,
            [timeline.slots[i].duration for i in bad],
            unmapped(cfg.motion),
            unmapped(cfg.format),
            unmapped(seed),
            unmapped(meter),
            unmapped(services),
        )
        for i, still, clip in zip(bad, redone.result(), moved.result()):
            stills[i], clip_assets[i] = still, clip
        regenerated += bad
        video = assemble_video(
            timeline, clip_assets, narrations, captions.result(), music.result(), render, sounds, services
        )
        report = check_quality(video, timeline, captions.result(), judge, script, meter, services, stills)
    tracker.advance("quality", "passed" if report.passed else "failed")
    reporting.show_quality(cfg.name, report, script.title)
    log.info(
        "quality gate: %s (%d checks)%s",
        "PASSED" if report.passed else "FAILED",
        len(report.checks),
        "" if report.passed else f": {report.summary()}",
    )

    # After any regeneration: never a rejected picture; the strongest scene, not simply the first.
    thumbnail = make_thumbnail(script.title, stills, cfg.format.width, cfg.format.height, services)
    manifest = record_run(
        meter.run,
        script,
        stills,
        clip_assets,
        narrations,
        captions.result(),
        music.result(),
        video,
        thumbnail,
        report,
        {
            "channel": cfg.name,
            "topic": topic,
            "regenerated_scenes": regenerated,
            "sounds": design.manifest_entries(sounds),
            "sounds_failed": sounds_failed,
        },
        services,
    )
    fell_back = fallback_lines(stills, clip_assets, narrations)
    for line in fell_back:
        log.warning("fallback: %s", line)
    reporting.show_cost(cfg.name, meter, fell_back)
    tracker.stage("publish", 1)
    credited = visuals.credits(stills)  # what the pictures' licences ask for goes into the description
    if credited:
        script = script.model_copy(update={"description": "\n\n".join([script.description, *credited]).strip()})
    publication = publish_video(
        script,
        video,
        thumbnail,
        captions.result(),
        report,
        manifest,
        cfg.publish,
        cfg.name,
        topic,
        day,
        meter.run.rsplit("/", 1)[-1],
        services,
    )
    tracker.advance("publish", "published")
    reporting.show_publication(cfg.name, publication)
    log.info(
        "published %r to %s%s",
        script.title,
        publication.location,
        f" and {publication.youtube.get('url')}" if publication.youtube else "",
    )
    return publication
