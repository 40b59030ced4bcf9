"""Where the video's sounds go: a whoosh or swell per transition, an ambience per scene, as cues.

Pure functions from the timeline and the script to `SoundCue`s, and from cues and their generated
sounds to the bed the mix plays (framecast.media.assembly.BedSound). A cue's (prompt, length, kind)
is what is generated and cached, so six fades of one length cost one sound, once, for every video
of every channel; lengths are rounded up to a tenth of a second so that near-equal ones share it.
"""

from __future__ import annotations

import math

from framecast.core.models import Scene, SoundAsset, SoundCue, Timeline, Transition
from framecast.media.assembly import BedSound
from framecast.sound.config import SoundConfig

CUT_FADE = 0.12  # an ambience changes at a cut, without a click
EDGE_FADE = 0.8  # and comes in at the start and goes at the end more slowly
AMBIENCE_HINT = "ambient background sound, no music, no speech"
PEAK_AT = 0.55  # where in its length a transition sound peaks (framecast.media.sfx's envelopes)
PEAK_AFTER_START = 0.1  # seconds after the next scene starts


def _tenths(seconds: float) -> float:
    return math.ceil(round(seconds * 10, 6)) / 10


def transition_cues(timeline: Timeline, cfg: SoundConfig) -> list[SoundCue]:
    """A sound per transition whose kind has a level, peaking as the picture starts to change.

    The quiet between two lines is short (the last words end at least TAIL before the next scene
    starts, the next line begins LEAD_IN after it) and the visual overlap runs into the next line,
    where the voice ducks the bed: a sound centred on the overlap is half lost under the speech.
    Peaking just after the next scene starts puts most of it in the quiet, where it is heard.
    """
    cues = []
    for slot, nxt in zip(timeline.slots, timeline.slots[1:]):
        level = cfg.transitions.of(slot.transition_out)
        if level is None:
            continue
        if slot.transition_out == Transition.cut:
            seconds, start = 0.8, nxt.start - 0.05  # an impact lands on the cut
        else:
            seconds = _tenths(max(slot.transition_seconds + 0.4, 1.0))
            start = nxt.start + PEAK_AFTER_START - PEAK_AT * seconds
        cues.append(
            SoundCue(
                kind="transition",
                scene_index=slot.index,
                prompt=cfg.transition_prompts.of(slot.transition_out),
                start=round(max(start, 0.0), 3),
                seconds=seconds,
                gain_db=level,
            )
        )
    return cues


def ambience_prompt(scene: Scene) -> str:
    """What a scene's ambience is asked for: its own words, else what it shows (without the style)."""
    intent = scene.ambience.strip() or scene.visual_prompt.partition(";")[0].strip()
    return f"{intent}; {AMBIENCE_HINT}"


def ambience_cues(timeline: Timeline, scenes: list[Scene], cfg: SoundConfig) -> list[SoundCue]:
    """One ambience per scene across its whole slot, crossfaded with its neighbours over their transitions."""
    if not cfg.ambience:
        return []
    cues = []
    for i, (slot, scene) in enumerate(zip(timeline.slots, scenes)):
        before = timeline.slots[i - 1] if i else None
        fade_in = EDGE_FADE if before is None else (before.transition_seconds or CUT_FADE)
        last = i == len(timeline.slots) - 1
        fade_out = EDGE_FADE if last else (slot.transition_seconds or CUT_FADE)
        cues.append(
            SoundCue(
                kind="ambience",
                scene_index=i,
                prompt=ambience_prompt(scene),
                start=slot.start,
                seconds=_tenths(slot.duration),
                gain_db=cfg.ambience_gain_db,
                fade_in=round(fade_in, 3),
                fade_out=round(fade_out, 3),
            )
        )
    return cues


def plan_cues(timeline: Timeline, scenes: list[Scene], cfg: SoundConfig) -> list[SoundCue]:
    """Every sound of the video: ambiences first (the beds), then the transitions over them."""
    return ambience_cues(timeline, scenes, cfg) + transition_cues(timeline, cfg)


def requests(cues: list[SoundCue]) -> list[tuple[str, float, str]]:
    """The sounds to generate, each once, in order of first use."""
    return list(dict.fromkeys(cue.request for cue in cues))


def bed_sounds(placed: list[tuple[SoundCue, SoundAsset]], path_of, voice_lufs: float, total: float) -> list[BedSound]:
    """The bed's sounds for the mix: each at its cue's level against the voice, looped if generated shorter."""
    bed = []
    for cue, asset in placed:
        seconds = min(cue.seconds, max(total - cue.start, 0.0))
        if seconds <= 0.05:
            continue
        bed.append(
            BedSound(
                path=path_of(asset.ref),
                start=cue.start,
                seconds=round(seconds, 3),
                gain_db=round(cue.gain_db + voice_lufs - asset.loudness_lufs, 2),
                fade_in=cue.fade_in,
                fade_out=min(cue.fade_out, seconds / 2),
                loop=asset.seconds + 0.1 < seconds,
            )
        )  # a 30-s generation under a longer scene
    return bed


def manifest_entries(placed: list[tuple[SoundCue, SoundAsset]]) -> list[dict]:
    """What the manifest says of each sound: where it plays, what it was asked for, who made it and how."""
    return [
        {
            "kind": cue.kind,
            "scene": cue.scene_index,
            "start": cue.start,
            "seconds": cue.seconds,
            "prompt": cue.prompt,
            "gain_db": cue.gain_db,
            "sha256": asset.ref.sha256,
            "made_by": asset.origin.describe() if asset.origin else "",
            **({"recipe": asset.recipe} if asset.recipe else {}),
        }
        for cue, asset in placed
    ]
