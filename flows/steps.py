"""The flow's steps between its tasks: fan-in with progress, one narrator, the sound design, the day's topic."""

from __future__ import annotations

from prefect import unmapped
from prefect.futures import as_completed

from framecast.context import Services
from framecast.core.errors import BudgetExceeded, ConfigError
from framecast.core.models import FallbackStep, NarrationAsset
from framecast.cost.meter import Meter
from framecast.plan.prepare import RunRequest
from framecast.script import write as scripting
from framecast.sound import design
from framecast.transport import redaction
from framecast.voice import narration
from framecast.voice.config import VoiceConfig
from tasks import reporting
from tasks.generation import (
    generate_sound,
    synthesize_narration,
)
from tasks.planning import choose_topic


def gather(futures, stage: str, tracker: reporting.RunProgress) -> list:
    """Wait for every future, reporting progress as each finishes; results in submission order."""
    for _ in as_completed(futures):
        tracker.advance(stage)
    return [f.result() for f in futures]


def one_voice(
    narrations: list[NarrationAsset], scenes, voice: VoiceConfig, meter: Meter, services: Services, log
) -> list[NarrationAsset]:
    """Scenes a fallback left on another voice than the video's, spoken again with the video's voice."""
    final, odd = narration.odd_ones_out(narrations, voice)
    if not odd:
        return narrations
    log.warning(
        "narration: scene(s) %s re-spoken by %s so the whole video has one voice",
        ", ".join(str(i + 1) for i in odd),
        final.provider,
    )
    redone = synthesize_narration.map(
        [scenes[i].narration for i in odd], odd, unmapped(final), unmapped(meter), unmapped(services)
    )
    why = FallbackStep(provider=voice.provider, reason=f"one voice per video: another scene needed {final.provider}")
    for i, again in zip(odd, redone.result()):
        origin = again.origin.model_copy(update={"skipped": [why]}) if again.origin else None
        narrations[i] = again.model_copy(update={"origin": origin})
    return narrations


def design_sound(timeline, scenes, cfg, meter, services) -> tuple[list, dict]:
    """The video's sound cues, and each distinct sound submitted once (a whoosh shared by every fade)."""
    cues = design.plan_cues(timeline, scenes, cfg.sound)
    first = {}
    for cue in cues:
        first.setdefault(cue.request, f"{cue.kind}-{cue.scene_index + 1}")
    return cues, {
        req: generate_sound.submit(*req, cfg.sound.source(), meter, services, label) for req, label in first.items()
    }


def placed_sounds(cues, made, log) -> tuple[list, list[dict]]:
    """(cue, sound) for every cue that has a sound, and the sounds that failed (for the manifest).

    A sound is a finish, not the video: one that failed for good (its whole chain tried) is left out with a
    warning, so a refused prompt does not throw away pictures and voice already paid for. A budget still stops.
    """
    placed, failed = [], {}
    for cue in cues:
        try:
            asset = made[cue.request].result()
        except BudgetExceeded:
            raise
        except Exception as exc:  # noqa: BLE001 — the task's own error, already logged by Prefect with its trace
            failed.setdefault(
                cue.request,
                {"kind": cue.kind, "prompt": cue.prompt, "error": redaction.error_text(exc)[:300], "scenes": []},
            )["scenes"].append(cue.scene_index)
            continue
        placed.append((cue, asset))
    for miss in failed.values():
        log.warning(
            "sound: the %s sound %r failed for scene(s) %s and is left out: %s",
            miss["kind"],
            miss["prompt"][:60],
            ", ".join(str(i + 1) for i in miss["scenes"]),
            miss["error"],
        )
    quiet = [cue.scene_index + 1 for cue, asset in placed if asset is None and cue.kind == "ambience"]
    if quiet:
        log.info("sound: no ambience for scene(s) %s (nothing offline sounds like them)", ", ".join(map(str, quiet)))
    return [(cue, asset) for cue, asset in placed if asset is not None], list(failed.values())


def deployed_channel(channel: str) -> str:
    """The channel to run: a deployment runs its own channel only (its tag and lock name it)."""
    deployed = reporting.deployment_channel()
    if deployed and deployed[1] and channel != deployed[1]:
        name, own = deployed
        raise ConfigError(
            f"channel: deployment {name!r} runs channel {own!r}, not {channel!r}; "
            f"start the {channel!r} deployment instead (one deployment per channel)"
        )
    return channel


def run_topic(request: RunRequest, meter: Meter, services: Services, log) -> str:
    """The run's topic: as given, the script's title, or the day's topic from the backlog (the channel is ours)."""
    cfg, topic = request.channel, request.topic
    if request.script is not None:
        topic = topic.strip() or request.script.title
    elif not topic.strip():
        choice = choose_topic(
            cfg.name,
            request.day,
            list(request.backlog),
            cfg.topic_similarity_max,
            cfg.topic_ideas,
            cfg.script,
            cfg.title,
            cfg.language,
            meter,
            services,
        )
        topic = choice.topic
        log.info("topic of %s for channel %s: %r (%s)", request.day.isoformat(), cfg.name, topic, choice.reason)
    return scripting.clean_topic(topic)
