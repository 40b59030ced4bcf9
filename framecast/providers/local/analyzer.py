"""The local video analyzer: ffprobe for the container and streams, one ffmpeg pass for the content."""

from __future__ import annotations

from pathlib import Path

from framecast.core.models import ContentMeasurements
from framecast.media import ffmpeg, listen
from framecast.media.analysis import analysis_command, parse_analysis, top_level_atoms
from framecast.providers.base import Analysis, QualityPlan


class LocalVideoAnalyzer:
    """Reports the container, the streams, the content measurements and what each scene's picture shows."""

    name = "local"

    def analyze(self, video: Path, plan: QualityPlan, measured: ContentMeasurements | None = None) -> Analysis:
        """Probe the container; take the render's own content measurements when they cover the plan's limits."""
        info = ffmpeg.probe(video)
        duration = float(info.get("format", {}).get("duration", 0.0))
        if measured is not None and measured.shortest_span <= min(plan.max_frozen_seconds, plan.max_silence_seconds):
            m = measured
        else:  # a video made elsewhere, or limits shorter than the render looked for: decode it once
            proc = ffmpeg.run(
                analysis_command(
                    video, frozen_seconds=plan.max_frozen_seconds, silence_seconds=plan.max_silence_seconds
                ),
                what="quality analysis",
            )
            m = parse_analysis(proc.stderr, duration)
        scene_labels = None
        if plan.scene_labels:
            # Offline relevance: what each scene shows is its illustration's icon name (the gate compares it with
            # what the scene is about).
            ends = [*plan.scene_starts[1:], plan.duration]
            scene_labels = [
                (" ".join(words), a, b) for words, a, b in zip(plan.scene_labels, plan.scene_starts, ends) if words
            ]
        measurements = {"duration": duration}
        if m.integrated_lufs is not None:
            measurements["integrated_lufs"] = m.integrated_lufs
        if m.true_peak_db is not None:
            measurements["true_peak_db"] = m.true_peak_db
        if getattr(m, "speech_over_bed_lu", None) is not None:
            measurements["speech_over_bed_lu"] = m.speech_over_bed_lu
        heard = None
        if plan.listen and plan.speech_windows and listen.hears(plan.language):
            # The ear: each scene's stretch of the mix, transcribed offline (framecast.quality.ear judges it).
            heard = listen.transcribe(video, list(plan.speech_windows), list(plan.narration), ffmpeg.tools().ffmpeg)
        return Analysis(
            analyzer=self.name,
            heard=heard,
            probe=info,
            atoms=top_level_atoms(video),
            content=m,
            scene_labels=scene_labels,
            measurements=measurements,
        )
