"""produce-video: one topic in, one published (or rejected and kept) video out."""

from __future__ import annotations

from datetime import date

from prefect import flow, unmapped
from prefect.futures import as_completed
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner

from framecast import gate, progress, redaction, scripting, usage
from framecast.config import get_settings, load_channel
from framecast.models import Publication, Script
from tasks.delivery import check_quality, make_thumbnail, publish_video, record_run
from tasks.editing import assemble_video, plan_timeline, write_captions
from tasks.generation import animate_scene, prepare_music, render_scene_image, synthesize_narration, write_script


def _gather(futures, stage: str) -> list:
    """Wait for every future, reporting progress as each finishes; results in submission order."""
    for _ in as_completed(futures):
        progress.advance(stage)
    return [f.result() for f in futures]


@flow(name="produce-video", task_runner=ThreadPoolTaskRunner(max_workers=4), log_prints=True)
def produce_video(
    channel: str = "demo",
    topic: str = "",
    notes: list[str] | None = None,
    script: Script | None = None,
    publish_date: date | None = None,
) -> Publication:
    """Make a narrated, captioned video about `topic` for `channel` and publish it if it passes the gate.

    Args:
        channel: channel name (deployments/NAME.yaml) or path to a channel YAML file.
        topic: what the video is about, e.g. "How volcanoes work" (default: the channel's topic of the day).
        notes: optional facts for the script writer, one per item.
        script: a ready script (same schema the writer produces) to use instead of writing one.
        publish_date: the date the video is published under (default: today).
    """
    redaction.install(get_settings().secrets())
    cfg = load_channel(channel)
    day = publish_date or date.today()
    run_key = f"{cfg.name}/{day.isoformat()}/{flow_run.get_id() or 'local'}"
    usage.current_run.set(run_key)  # tasks inherit both: Prefect copies the context into task threads
    usage.run_budget.set(cfg.budget.max_usd_per_run)
    if script is not None:
        script = scripting.check_for_channel(script, cfg.script, "the script parameter")
        topic = topic.strip() or script.title
    else:
        topic = scripting.clean_topic(topic or scripting.scheduled_topic(cfg, day))  # fail before spending
    progress.stage("script", 1)
    if script is None:
        script = write_script(topic, cfg.script, cfg.language, tuple(notes or ()))
    progress.advance("script")

    scenes, indices = script.scenes, list(range(len(script.scenes)))
    progress.stage("images", len(scenes))
    progress.stage("narration", len(scenes))
    images = render_scene_image.map(scenes, indices, unmapped(cfg.image), unmapped(cfg.format), unmapped(cfg.seed))
    voices = synthesize_narration.map([s.narration for s in scenes], indices, unmapped(cfg.voice))
    music = prepare_music.submit(cfg.music, cfg.seed)
    narrations = _gather(voices, "narration")
    timeline = plan_timeline(scenes, narrations, cfg.format)

    progress.stage("motion", len(scenes))
    clips = animate_scene.map(images, scenes, indices, [s.duration for s in timeline.slots],
                              unmapped(cfg.motion), unmapped(cfg.format), unmapped(cfg.seed))
    captions = write_captions.submit(timeline, narrations, cfg.format, cfg.captions)
    stills = _gather(images, "images")
    clip_assets = _gather(clips, "motion")

    progress.stage("assembly", 1)
    render = (cfg.format, cfg.music.gain_db, cfg.captions.burn_in, cfg.quality.loudness_lufs)
    video = assemble_video(timeline, clip_assets, narrations, captions.result(), music.result(), *render)
    progress.advance("assembly")
    progress.stage("quality", 1)
    report = check_quality(video, timeline, captions.result(), cfg, script)
    progress.advance("quality")
    regenerated: list[int] = []
    for attempt in range(1, cfg.quality.max_regenerations + 1):
        bad = [] if report.passed else gate.scenes_to_regenerate(report.failures)
        if not bad:
            break
        # New seeds for the offending scenes only; every other result comes from the cache.
        seed = cfg.seed + 7919 * attempt
        for i in bad:
            stills[i] = render_scene_image(scenes[i], i, cfg.image, cfg.format, seed)
            clip_assets[i] = animate_scene(stills[i], scenes[i], i, timeline.slots[i].duration, cfg.motion,
                                           cfg.format, seed)
        regenerated += bad
        video = assemble_video(timeline, clip_assets, narrations, captions.result(), music.result(), *render)
        report = check_quality(video, timeline, captions.result(), cfg, script)

    thumbnail = make_thumbnail(stills[0])  # after any regeneration: never a rejected picture
    manifest = record_run(run_key, script, stills, clip_assets, narrations, captions.result(), music.result(),
                          video, thumbnail, report,
                          {"channel": cfg.name, "topic": topic, "regenerated_scenes": regenerated})
    progress.stage("publish", 1)
    publication = publish_video(script, video, thumbnail, captions.result(), report, manifest, cfg,
                                topic, day)
    progress.advance("publish")
    return publication
