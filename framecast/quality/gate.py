"""Quality-gate policy over what a video analyzer found: pure functions, each failure located."""

from __future__ import annotations

import bisect
import re

from framecast.core.models import QualityCheck
from framecast.media import ffmpeg
from framecast.providers.base import QualityPlan

LIKELIHOOD = ["UNKNOWN", "VERY_UNLIKELY", "UNLIKELY", "POSSIBLE", "LIKELY", "VERY_LIKELY"]


def _scene(starts: tuple[float, ...], t: float) -> int:
    return max(bisect.bisect_right(starts, t) - 1, 0)


def shot_checks(
    found: list[float], scene_starts: tuple[float, ...], tolerance: float, transition_seconds: tuple[float, ...] = ()
) -> list[QualityCheck]:
    """Every planned cut has a detected shot change nearby, and no unplanned cut appears."""
    checks = []
    planned = list(scene_starts[1:])
    for i, cut in enumerate(planned, start=1):
        # A crossfade is detected anywhere inside its overlap: widen the window by its length.
        width = tolerance + (transition_seconds[i - 1] if i - 1 < len(transition_seconds) else 0.0)
        if not any(cut - width <= s <= cut + width for s in found):
            checks.append(
                QualityCheck(
                    name="shot-alignment",
                    passed=False,
                    at_seconds=round(cut, 2),
                    scene_index=i,
                    detail=f"no shot change within {width:.2f} s of the planned cut at {cut:.2f} s",
                )
            )
    for s in found:
        if s > tolerance and not any(abs(s - cut) <= tolerance + 1.0 for cut in planned):
            checks.append(
                QualityCheck(
                    name="shot-alignment",
                    passed=False,
                    at_seconds=round(s, 2),
                    scene_index=_scene(scene_starts, s),
                    detail=f"unplanned shot change at {s:.2f} s",
                )
            )
    return checks or [
        QualityCheck(
            name="shot-alignment", passed=True, detail=f"{len(planned)} planned cuts matched within {tolerance} s"
        )
    ]


def explicit_checks(
    frames: list[tuple[float, int]], scene_starts: tuple[float, ...], fail_at: str
) -> list[QualityCheck]:
    """No frame at or above the configured explicit-content likelihood."""
    limit = LIKELIHOOD.index(fail_at)
    bad = [(t, v) for t, v in frames if v >= limit]
    if not bad:
        return [QualityCheck(name="explicit-content", passed=True, detail=f"{len(frames)} frames below {fail_at}")]
    return [
        QualityCheck(
            name="explicit-content",
            passed=False,
            at_seconds=round(t, 2),
            scene_index=_scene(scene_starts, t),
            detail=f"{LIKELIHOOD[v]} explicit content (fails at {fail_at})",
        )
        for t, v in bad
    ]


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate: word-level edit distance over the reference length."""
    ref, hyp = _tokens(reference), _tokens(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1] / len(ref)


def speech_check(transcript: str, narration: str, max_wer: float) -> QualityCheck:
    rate = wer(narration, transcript)
    return QualityCheck(
        name="speech-transcript",
        passed=rate <= max_wer,
        detail=f"word error rate {rate:.1%} against the narration (max {max_wer:.0%})",
    )


def label_checks(
    labels: list[tuple[str, float, float]],
    prompts: tuple[str, ...],
    scene_starts: tuple[float, ...],
    required: bool,
    narration: tuple[str, ...] = (),
    min_similarity: float | None = None,
    similarity=None,
) -> list[QualityCheck]:
    """Does what is seen in each scene match what the scene is about? A failure only when required.

    With `similarity` (texts → 0..1) and `min_similarity`: the best label seen in the scene's time must be at
    least that similar to its intent (visual prompt and narration), so "lava" matches a volcano scene that
    shares no word with it; without: some label shares a word with the visual prompt.
    """
    checks = []
    for i, prompt in enumerate(prompts):
        start = scene_starts[i]
        end = scene_starts[i + 1] if i + 1 < len(scene_starts) else float("inf")
        seen = sorted({label for label, a, b in labels if a < end and b > start})
        if similarity is not None and min_similarity is not None:
            intent = f"{prompt.partition(';')[0]} {narration[i] if i < len(narration) else ''}"
            best = max((similarity(label, intent) for label in seen), default=0.0)
            if best < min_similarity:
                checks.append(
                    QualityCheck(
                        name="label-match",
                        passed=not required,
                        at_seconds=round(start, 2),
                        scene_index=i,
                        detail=f"what is seen ({', '.join(seen[:6]) or 'nothing'}) is {best:.2f} similar to the intent "
                        f"{prompt[:60]!r}, under {min_similarity:.2f}",
                    )
                )
            continue
        words = set(_tokens(prompt))
        seen_words = {w for label in seen for w in _tokens(label)}
        if not words & seen_words:
            checks.append(
                QualityCheck(
                    name="label-match",
                    passed=not required,
                    at_seconds=round(start, 2),
                    scene_index=i,
                    detail=f"no label matched the intent {prompt[:60]!r} "
                    f"(saw: {', '.join(sorted(seen_words)[:6]) or 'nothing'})",
                )
            )
    return checks or [QualityCheck(name="label-match", passed=True, detail="every scene has a matching label")]


def similarity_function():
    """The embedding similarity the label check uses, or None when the `illustrate` extra is not installed."""
    from framecast.media import illustrations

    return illustrations.similarity if illustrations.available() else None


def _plan_scene(plan: QualityPlan, t: float) -> int | None:
    return max(bisect.bisect_right(plan.scene_starts, t) - 1, 0) if plan.scene_starts else None


def stream_checks(info: dict, plan: QualityPlan, atoms: list[str]) -> list[QualityCheck]:
    """Container, codec, size, rate and duration (ffprobe's `info`) against the plan, YouTube's recommended encoding."""
    checks = []
    video, audio = ffmpeg.stream(info, "video"), ffmpeg.stream(info, "audio")
    if video is None:
        return [QualityCheck(name="video-stream", passed=False, detail="no video stream")]
    fmt = (video.get("codec_name"), video.get("profile"), video.get("pix_fmt"))
    checks.append(
        QualityCheck(
            name="video-codec",
            passed=fmt == ("h264", "High", "yuv420p"),
            detail=f"{fmt[0]} {fmt[1]} {fmt[2]} (want h264 High yuv420p)",
        )
    )
    size = (video.get("width"), video.get("height"))
    checks.append(
        QualityCheck(
            name="resolution",
            passed=size == (plan.width, plan.height),
            detail=f"{size[0]}x{size[1]} (planned {plan.width}x{plan.height})",
        )
    )
    fps = ffmpeg.frame_rate(video)
    checks.append(
        QualityCheck(name="frame-rate", passed=abs(fps - plan.fps) < 0.01, detail=f"{fps:.3f} fps (planned {plan.fps})")
    )
    if audio is None:
        checks.append(QualityCheck(name="audio-stream", passed=False, detail="no audio stream"))
    else:
        spec = (audio.get("codec_name"), int(audio.get("sample_rate", 0)), audio.get("channels"))
        checks.append(
            QualityCheck(
                name="audio-codec",
                passed=spec == ("aac", 48000, 2),
                detail=f"{spec[0]} {spec[1]} Hz {spec[2]} ch (want aac 48000 Hz 2 ch)",
            )
        )
    duration = float(info.get("format", {}).get("duration", 0.0))
    checks.append(
        QualityCheck(
            name="duration",
            passed=abs(duration - plan.duration) <= plan.duration_tolerance,
            detail=f"{duration:.2f} s (planned {plan.duration:.2f} ± {plan.duration_tolerance} s)",
        )
    )
    faststart = "moov" in atoms and "mdat" in atoms and atoms.index("moov") < atoms.index("mdat")
    checks.append(QualityCheck(name="faststart", passed=faststart, detail=f"top-level boxes {' '.join(atoms)}"))
    return checks


def content_checks(m, plan: QualityPlan) -> list[QualityCheck]:
    """Black, frozen, silent stretches and loudness, each failure located in time and scene."""
    checks = []
    for name, spans, limit in (
        ("black-frames", m.black, plan.max_black_seconds),
        ("frozen-video", m.frozen, plan.max_frozen_seconds),
        ("silence", m.silent, plan.max_silence_seconds),
    ):
        bad = [(a, b) for a, b in spans if b - a >= limit]
        if not bad:
            checks.append(QualityCheck(name=name, passed=True, detail=f"no stretch of {limit} s or more"))
        for a, b in bad:
            checks.append(
                QualityCheck(
                    name=name,
                    passed=False,
                    at_seconds=round(a, 2),
                    scene_index=_plan_scene(plan, a),
                    detail=f"{b - a:.2f} s from {a:.2f} s (limit {limit} s)",
                )
            )
    lufs, peak = m.integrated_lufs, m.true_peak_db
    checks.append(
        QualityCheck(
            name="loudness",
            passed=lufs is not None and abs(lufs - plan.loudness_lufs) <= plan.loudness_tolerance,
            detail=f"{lufs} LUFS integrated (target {plan.loudness_lufs} ± {plan.loudness_tolerance})",
        )
    )
    checks.append(
        QualityCheck(
            name="true-peak",
            passed=peak is not None and peak <= plan.true_peak_max_db,
            detail=f"{peak} dBTP (max {plan.true_peak_max_db})",
        )
    )
    checks.append(QualityCheck(name="captions", passed=plan.caption_cues > 0, detail=f"{plan.caption_cues} cues"))
    over_bed = getattr(m, "speech_over_bed_lu", None)  # measured on the stems by the render only
    if over_bed is not None and plan.min_speech_over_bed_lu is not None:
        checks.append(
            QualityCheck(
                name="speech-over-bed",
                passed=over_bed >= plan.min_speech_over_bed_lu,
                detail=f"the music and sounds stay {over_bed:.1f} LU under the voice for 90 % of the speech (at least "
                f"{plan.min_speech_over_bed_lu:g}; lower music.gain_db, sound.ambience_gain_db or the transition "
                f"levels)",
            )
        )
    return checks


# Failures that a new picture for the scene can fix (a new voice cannot fix a wrong script).
# scene-match and text-legibility: a content analyzer's own judgement of the picture (framecast/quality/review.py).
VISUAL_CHECKS = {
    "explicit-content",
    "label-match",
    "black-frames",
    "frozen-video",
    "shot-alignment",
    "scene-match",
    "text-legibility",
}


def scenes_to_regenerate(failures: list[QualityCheck]) -> list[int]:
    """Scenes whose visuals failed a check, in order; empty when no failure is a scene's picture."""
    return sorted({c.scene_index for c in failures if c.name in VISUAL_CHECKS and c.scene_index is not None})
