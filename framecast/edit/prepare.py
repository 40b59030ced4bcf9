"""What the edit needs before the render: the timeline and the captions (the music bed: framecast.sound.music)."""

from __future__ import annotations

from framecast.assets import FONT_FAMILY
from framecast.context import Services
from framecast.core.models import CaptionFiles, NarrationAsset, Scene, Timeline, WordTiming
from framecast.edit.captions import build_cues, to_ass, to_srt, to_vtt
from framecast.edit.config import CaptionConfig, VideoFormat
from framecast.edit.timeline import plan_timeline


def plan(scenes: list[Scene], narrations: list[NarrationAsset], fmt: VideoFormat) -> Timeline:
    """Scene slots sized so every narration fits its scene."""
    return plan_timeline(scenes, [n.duration for n in narrations], fmt.fps)


def timed_words(timeline: Timeline, narrations: list[NarrationAsset]) -> list[WordTiming]:
    """Every narrated word at its time in the final video."""
    return [
        WordTiming(
            word=w.word, start=round(slot.narration_start + w.start, 3), end=round(slot.narration_start + w.end, 3)
        )
        for slot, narration in zip(timeline.slots, narrations)
        for w in narration.words
    ]


def write_captions(
    timeline: Timeline, narrations: list[NarrationAsset], fmt: VideoFormat, cfg: CaptionConfig, *, services: Services
) -> CaptionFiles:
    """SRT and WebVTT sidecars plus the styled ASS file used for burn-in."""
    cues = build_cues(
        timed_words(timeline, narrations), max_chars_per_line=cfg.max_chars_per_line, max_lines=cfg.max_lines
    )
    store = services.store
    refs = {}
    with services.scratch() as tmp:
        for kind, text, media_type in (
            ("srt", to_srt(cues), "application/x-subrip"),
            ("vtt", to_vtt(cues), "text/vtt"),
            (
                "ass",
                to_ass(cues, width=fmt.width, height=fmt.height, font=FONT_FAMILY, font_scale=cfg.font_scale),
                "text/x-ssa",
            ),
        ):
            path = tmp / f"captions.{kind}"
            path.write_text(text, encoding="utf-8")
            refs[kind] = store.put(path, media_type)
    return CaptionFiles(**refs, cue_count=len(cues))
