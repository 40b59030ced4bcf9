"""Where each scene and its narration sit in the final video."""

from __future__ import annotations

import math

from framecast.core.models import Scene, SceneSlot, Timeline, Transition

TRANSITION_SECONDS = {Transition.cut: 0.0, Transition.fade: 0.6, Transition.dissolve: 0.8}
LEAD_IN = 0.35  # quiet moment before a scene's narration starts
TAIL = 0.45  # breath after the narration before the next scene's transition begins


def _frames(seconds: float, fps: float) -> float:
    """Round up to a whole number of frames so cuts land on frame boundaries."""
    return math.ceil(round(seconds * fps, 6)) / fps


def slot_seconds(scene: Scene, narration_seconds: float, fps: float, last: bool) -> float:
    """How long scene `i` is on screen: its own plan, its own narration and its own transition only.

    That is what lets scene i's motion start as soon as its image and narration exist.
    """
    transition = Transition.cut if last else scene.transition
    overlap = round(TRANSITION_SECONDS[transition] * fps) / fps
    return _frames(max(scene.duration, LEAD_IN + narration_seconds + TAIL + overlap), fps)


def plan_timeline(scenes: list[Scene], narration_seconds: list[float], fps: float) -> Timeline:
    """Lay scenes end to end, lengthening any scene whose narration would not fit."""
    if len(scenes) != len(narration_seconds):
        raise ValueError(f"{len(scenes)} scenes but {len(narration_seconds)} narrations")
    slots: list[SceneSlot] = []
    start = 0.0
    for i, (scene, voice) in enumerate(zip(scenes, narration_seconds)):
        last = i == len(scenes) - 1
        transition = Transition.cut if last else scene.transition
        overlap = round(TRANSITION_SECONDS[transition] * fps) / fps
        duration = slot_seconds(scene, voice, fps, last)
        slots.append(
            SceneSlot(
                index=i,
                start=round(start, 6),
                duration=duration,
                transition_out=transition,
                transition_seconds=overlap,
                narration_start=round(start + LEAD_IN, 6),
            )
        )
        start += duration - overlap
    total = slots[-1].start + slots[-1].duration if slots else 0.0
    return Timeline(slots=slots, total=round(total, 6))
