"""The local quality gate: ffprobe for the container and streams, one ffmpeg pass for the content."""

from __future__ import annotations

import bisect
from pathlib import Path

from framecast.quality import gate
from framecast.media import ffmpeg
from framecast.media.analysis import analysis_command, parse_analysis, top_level_atoms
from framecast.core.models import ContentMeasurements, QualityCheck, QualityReport
from framecast.providers.base import QualityPlan


def _scene(plan: QualityPlan, t: float) -> int | None:
    return max(bisect.bisect_right(plan.scene_starts, t) - 1, 0) if plan.scene_starts else None


def stream_checks(info: dict, plan: QualityPlan, atoms: list[str]) -> list[QualityCheck]:
    """Container, codec, size, rate and duration against the plan (YouTube's recommended encoding)."""
    checks = []
    video, audio = ffmpeg.stream(info, "video"), ffmpeg.stream(info, "audio")
    if video is None:
        return [QualityCheck(name="video-stream", passed=False, detail="no video stream")]
    fmt = (video.get("codec_name"), video.get("profile"), video.get("pix_fmt"))
    checks.append(QualityCheck(name="video-codec", passed=fmt == ("h264", "High", "yuv420p"),
                               detail=f"{fmt[0]} {fmt[1]} {fmt[2]} (want h264 High yuv420p)"))
    size = (video.get("width"), video.get("height"))
    checks.append(QualityCheck(name="resolution", passed=size == (plan.width, plan.height),
                               detail=f"{size[0]}x{size[1]} (planned {plan.width}x{plan.height})"))
    fps = ffmpeg.frame_rate(video)
    checks.append(QualityCheck(name="frame-rate", passed=abs(fps - plan.fps) < 0.01,
                               detail=f"{fps:.3f} fps (planned {plan.fps})"))
    if audio is None:
        checks.append(QualityCheck(name="audio-stream", passed=False, detail="no audio stream"))
    else:
        spec = (audio.get("codec_name"), int(audio.get("sample_rate", 0)), audio.get("channels"))
        checks.append(QualityCheck(name="audio-codec", passed=spec == ("aac", 48000, 2),
                                   detail=f"{spec[0]} {spec[1]} Hz {spec[2]} ch (want aac 48000 Hz 2 ch)"))
    duration = float(info.get("format", {}).get("duration", 0.0))
    checks.append(QualityCheck(name="duration", passed=abs(duration - plan.duration) <= plan.duration_tolerance,
                               detail=f"{duration:.2f} s (planned {plan.duration:.2f} ± {plan.duration_tolerance} s)"))
    faststart = "moov" in atoms and "mdat" in atoms and atoms.index("moov") < atoms.index("mdat")
    checks.append(QualityCheck(name="faststart", passed=faststart, detail=f"top-level boxes {' '.join(atoms)}"))
    return checks


def content_checks(m, plan: QualityPlan) -> list[QualityCheck]:
    """Black, frozen, silent stretches and loudness, each failure located in time and scene."""
    checks = []
    for name, spans, limit in (("black-frames", m.black, plan.max_black_seconds),
                               ("frozen-video", m.frozen, plan.max_frozen_seconds),
                               ("silence", m.silent, plan.max_silence_seconds)):
        bad = [(a, b) for a, b in spans if b - a >= limit]
        if not bad:
            checks.append(QualityCheck(name=name, passed=True, detail=f"no stretch of {limit} s or more"))
        for a, b in bad:
            checks.append(QualityCheck(name=name, passed=False, at_seconds=round(a, 2), scene_index=_scene(plan, a),
                                       detail=f"{b - a:.2f} s from {a:.2f} s (limit {limit} s)"))
    lufs, peak = m.integrated_lufs, m.true_peak_db
    checks.append(QualityCheck(
        name="loudness",
        passed=lufs is not None and abs(lufs - plan.loudness_lufs) <= plan.loudness_tolerance,
        detail=f"{lufs} LUFS integrated (target {plan.loudness_lufs} ± {plan.loudness_tolerance})"))
    checks.append(QualityCheck(name="true-peak", passed=peak is not None and peak <= plan.true_peak_max_db,
                               detail=f"{peak} dBTP (max {plan.true_peak_max_db})"))
    checks.append(QualityCheck(name="captions", passed=plan.caption_cues > 0, detail=f"{plan.caption_cues} cues"))
    over_bed = getattr(m, "speech_over_bed_lu", None)  # measured on the stems by the render only
    if over_bed is not None and plan.min_speech_over_bed_lu is not None:
        checks.append(QualityCheck(
            name="speech-over-bed", passed=over_bed >= plan.min_speech_over_bed_lu,
            detail=f"the music and sounds stay {over_bed:.1f} LU under the voice for 90 % of the speech (at least "
                   f"{plan.min_speech_over_bed_lu:g}; lower music.gain_db, sound.ambience_gain_db or the transition "
                   f"levels)"))
    return checks


class LocalVideoAnalyzer:
    """Runs every local check; the verdict passes only when all of them do."""

    name = "local"

    def analyze(self, video: Path, plan: QualityPlan, measured: ContentMeasurements | None = None) -> QualityReport:
        """Probe the container; take the render's own content measurements when they cover the plan's limits."""
        info = ffmpeg.probe(video)
        duration = float(info.get("format", {}).get("duration", 0.0))
        if measured is not None and measured.shortest_span <= min(plan.max_frozen_seconds, plan.max_silence_seconds):
            m = measured
        else:  # a video made elsewhere, or limits shorter than the render looked for: decode it once
            proc = ffmpeg.run(analysis_command(video, frozen_seconds=plan.max_frozen_seconds,
                                               silence_seconds=plan.max_silence_seconds), what="quality analysis")
            m = parse_analysis(proc.stderr, duration)
        checks = stream_checks(info, plan, top_level_atoms(video)) + content_checks(m, plan)
        if plan.scene_labels and plan.label_similarity_min is not None and gate.similarity_function():
            # Offline relevance: each scene's illustration (its icon's name) against what the scene is about.
            ends = [*plan.scene_starts[1:], plan.duration]
            labels = [(" ".join(words), a, b) for words, a, b in zip(plan.scene_labels, plan.scene_starts, ends) if words]
            checks += gate.label_checks(labels, plan.scene_prompts, plan.scene_starts, plan.require_label_match,
                                        plan.narration, plan.label_similarity_min, gate.similarity_function())
        measurements = {"duration": duration}
        if m.integrated_lufs is not None:
            measurements["integrated_lufs"] = m.integrated_lufs
        if m.true_peak_db is not None:
            measurements["true_peak_db"] = m.true_peak_db
        if getattr(m, "speech_over_bed_lu", None) is not None:
            measurements["speech_over_bed_lu"] = m.speech_over_bed_lu
        return QualityReport(analyzer=self.name, passed=all(c.passed for c in checks), checks=checks,
                             measurements=measurements)
