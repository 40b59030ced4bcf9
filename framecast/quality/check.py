"""The quality gate: what the video was meant to be, what the channel's analyzers found in it, and the verdict."""

from __future__ import annotations

import math

from framecast import providers
from framecast.context import Services
from framecast.core.models import CaptionFiles, QualityCheck, QualityReport, Script, Timeline, VideoAsset
from framecast.cost.meter import Meter
from framecast.edit.config import VideoFormat
from framecast.providers import chain as fallback
from framecast.providers.base import Analysis, QualityPlan
from framecast.quality import ear, gate, review
from framecast.quality.config import QualityConfig


def plan_for(
    timeline: Timeline,
    captions: CaptionFiles,
    q: QualityConfig,
    fmt: VideoFormat,
    language: str,
    script: Script | None = None,
    video_uri: str = "",
    images: list | None = None,
    caption_cues: tuple[tuple[float, float, str], ...] = (),
) -> QualityPlan:
    """What the video was meant to be: the gate's settings, the frame format, the script and the burned captions."""
    scenes = script.scenes if script else []
    return QualityPlan(
        listen=q.listen and bool(scenes),
        speech_windows=tuple(ear.speech_windows([s.narration_start for s in timeline.slots], timeline.total)),
        caption_timing=caption_cues,
        max_scene_word_error_rate=q.max_scene_word_error_rate,
        max_caption_offset_seconds=q.max_caption_offset_seconds,
        min_speech_over_floor_db=q.min_speech_over_floor_db,
        video_uri=video_uri,
        language=_bcp47(language),
        narration=tuple(s.narration for s in scenes),
        scene_prompts=tuple(s.visual_prompt for s in scenes),
        transition_seconds=tuple(s.transition_seconds for s in timeline.slots),
        shot_tolerance=q.shot_tolerance_seconds,
        explicit_fail_at=q.explicit_fail_at,
        max_word_error_rate=q.max_word_error_rate,
        require_label_match=q.require_label_match,
        deadline_seconds=q.analysis_deadline_seconds,
        width=fmt.width,
        height=fmt.height,
        fps=fmt.fps,
        duration=timeline.total,
        scene_starts=tuple(s.start for s in timeline.slots),
        loudness_lufs=q.loudness_lufs,
        loudness_tolerance=q.loudness_tolerance,
        true_peak_max_db=q.true_peak_max_db,
        duration_tolerance=q.duration_tolerance,
        max_black_seconds=q.max_black_seconds,
        max_frozen_seconds=q.max_frozen_seconds,
        max_silence_seconds=q.max_silence_seconds,
        caption_cues=captions.cue_count,
        label_similarity_min=q.label_similarity_min,
        min_speech_over_bed_lu=q.min_speech_over_bed_lu,
        scene_labels=tuple(
            tuple(im.illustration["icon"].split("-")) if getattr(im, "illustration", None) else ()
            for im in images or ()
        ),
    )


def _bcp47(language: str) -> str:
    return (
        language
        if "-" in language
        else {"en": "en-US", "es": "es-ES", "fr": "fr-FR", "de": "de-DE"}.get(language, language)
    )


def check(
    video: VideoAsset,
    timeline: Timeline,
    captions: CaptionFiles,
    q: QualityConfig,
    fmt: VideoFormat,
    language: str,
    meter: Meter,
    script: Script | None = None,
    images: list | None = None,
    *,
    services: Services,
) -> QualityReport:
    """Run every configured analyzer over the stored video; the verdict passes only if all pass."""
    path = services.store.local_path(video.ref)
    # The cues as burned into the picture (the SRT and WebVTT sidecars carry the same ones).
    cues = tuple(ear.ass_cues(services.store.local_path(captions.ass).read_text(encoding="utf-8", errors="replace")))
    plan = plan_for(timeline, captions, q, fmt, language, script, video.ref.uri, images, cues)
    reports = []
    chain = q.cloud_chain()
    for name in q.analyzers:
        if name == "local" or not q.fallback:
            reports.append(_run(name, path, plan, video, q, meter))
            continue
        report, skipped = _cloud_eye(chain, path, plan, video, q, meter)
        if report is not None:
            reports.append(report)
        elif "local" not in q.analyzers:
            reports.append(_run("local", path, plan, video, q, meter))
        if skipped:
            reports.append(_skipped_report(skipped, report))
    if len(reports) == 1:
        return reports[0]
    return QualityReport(
        analyzer="+".join(r.analyzer for r in reports if r.analyzer),
        passed=all(r.passed for r in reports),
        checks=[c for r in reports for c in r.checks],
        measurements={k: v for r in reports for k, v in r.measurements.items()},
    )


def _run(name: str, path, plan: QualityPlan, video: VideoAsset, q: QualityConfig, meter: Meter) -> QualityReport:
    """One analyzer's report, its call accounted by the meter."""
    analyzer = (
        providers.video_analyzer(name) if name != "gemini" else providers.video_analyzer_model(name, q.gemini_model)
    )
    # Video Intelligence bills per started minute, per feature; Gemini by tokens (framecast/cost/pricing.py).
    estimate = getattr(analyzer, "estimate_units", None)
    with meter.charge(
        provider=analyzer.name,
        role="quality",
        units=estimate(video.duration) if estimate else math.ceil(video.duration / 60),
        unit=getattr(analyzer, "unit", "minute"),
        model=getattr(analyzer, "model", ""),
    ) as bill:
        found = analyzer.analyze(path, plan, measured=video.measured)
        if "billed_tokens" in found.measurements:  # what the provider counted, not the estimate
            bill.units = found.measurements["billed_tokens"]
    return judge(found, plan)


def _cloud_eye(chain: list[str], path, plan, video, q: QualityConfig, meter: Meter):
    """The first cloud analyzer of the chain that runs, and what was skipped on the way and why.

    Moving on follows framecast.providers.chain: quota, credentials, a missing key or default model, a model past
    its shutdown date or gone at the provider; remembered for the run (meter.fallbacks). A chain ending in
    "local" never fails here: (None, skipped) means local checks only.
    """
    skipped: list[tuple[str, str]] = []
    for i, name in enumerate(chain):
        if name == "local":
            return None, skipped
        last = i == len(chain) - 1
        model = q.gemini_model if name == "gemini" else None
        known = meter.fallbacks.reason("quality", name) or fallback.retired("quality", name, model, meter.run_day)
        if known and not last:
            skipped.append((name, known))
            continue
        try:
            return _run(name, path, plan, video, q, meter), skipped
        except Exception as exc:
            why = fallback.reason_to_move_on(exc, "quality")
            if why is None or last:
                raise
            reason = f"{why[0]}: {fallback._short(exc)}"
            if why[1]:
                meter.fallbacks.mark("quality", name, reason)
            skipped.append((name, reason))
    raise AssertionError("unreachable: the last link either returns or raises")


def _skipped_report(skipped: list[tuple[str, str]], used: QualityReport | None) -> QualityReport:
    """A passing note in the report: which cloud analyzers were skipped and why, and who judged instead."""
    tried = "; ".join(f"{name}: {why}" for name, why in skipped)
    instead = f"{used.analyzer} judged instead" if used is not None else "local checks only"
    return QualityReport(
        analyzer="",
        passed=True,
        checks=[QualityCheck(name="cloud-eye", passed=True, detail=f"cloud eye skipped ({tried}); {instead}")],
    )


def judge(found: Analysis, plan: QualityPlan) -> QualityReport:
    """The gate's checks over what one analyzer found; the verdict passes only if every check does."""
    checks = []
    if found.probe is not None:
        checks += gate.stream_checks(found.probe, plan, found.atoms)
    if found.content is not None:
        checks += gate.content_checks(found.content, plan)
    if found.scene_labels is not None and plan.label_similarity_min is not None and gate.similarity_function():
        checks += gate.label_checks(
            found.scene_labels,
            plan.scene_prompts,
            plan.scene_starts,
            plan.require_label_match,
            plan.narration,
            plan.label_similarity_min,
            gate.similarity_function(),
        )
    measurements = dict(found.measurements)
    if found.heard is not None and plan.narration:
        heard, judged = ear.judge(found.heard, plan)
        checks += heard
        measurements |= judged
    if found.findings is not None:
        seen, narration = found.findings, " ".join(plan.narration)
        if seen.shots_known:  # Gemini gives no reliable shot times: no shot check rather than a failed one
            checks += gate.shot_checks(
                seen.shot_starts, plan.scene_starts, plan.shot_tolerance, plan.transition_seconds
            )
        checks += gate.explicit_checks(seen.explicit, plan.scene_starts, plan.explicit_fail_at)
        if plan.narration:
            checks.append(gate.speech_check(found.transcript, narration, plan.max_word_error_rate))
        checks += gate.label_checks(
            seen.labels,
            plan.scene_prompts,
            plan.scene_starts,
            plan.require_label_match,
            plan.narration,
            plan.label_similarity_min,
            gate.similarity_function(),
        )
        measurements["word_error_rate"] = gate.wer(narration, found.transcript)
    if found.scene_reviews is not None:
        checks += review.review_checks(found.scene_reviews, len(plan.scene_starts))
    return QualityReport(
        analyzer=found.analyzer, passed=all(c.passed for c in checks), checks=checks, measurements=measurements
    )
