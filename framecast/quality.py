"""The quality gate: what the video was meant to be, checked by the channel's analyzers."""

from __future__ import annotations

from framecast import providers, runtime
from framecast.config import ChannelConfig
from framecast.models import CaptionFiles, QualityReport, Timeline, VideoAsset
from framecast.providers.base import QualityPlan


def plan_for(timeline: Timeline, captions: CaptionFiles, channel: ChannelConfig) -> QualityPlan:
    q, fmt = channel.quality, channel.format
    return QualityPlan(
        width=fmt.width, height=fmt.height, fps=fmt.fps, duration=timeline.total,
        scene_starts=tuple(s.start for s in timeline.slots), loudness_lufs=q.loudness_lufs,
        loudness_tolerance=q.loudness_tolerance, true_peak_max_db=q.true_peak_max_db,
        duration_tolerance=q.duration_tolerance, max_black_seconds=q.max_black_seconds,
        max_frozen_seconds=q.max_frozen_seconds, max_silence_seconds=q.max_silence_seconds,
        caption_cues=captions.cue_count,
    )


def check(video: VideoAsset, timeline: Timeline, captions: CaptionFiles, channel: ChannelConfig,
          analyzer: str = "local") -> QualityReport:
    """Run the analyzer over the stored video and return its report."""
    path = runtime.store().local_path(video.ref)
    return providers.video_analyzer(analyzer).analyze(path, plan_for(timeline, captions, channel))
