"""Checks over a content analyzer's own per-scene judgements (Gemini): scene match, captions, legible text."""

from __future__ import annotations

from framecast.core.models import QualityCheck
from framecast.providers.base import SceneReview


def review_checks(reviews: list[SceneReview], scenes: int) -> list[QualityCheck]:
    """A failure per scene whose picture does not match its intent, whose picture text cannot be read, or whose
    burned captions do not match what is said; each located at its scene (a scene-match or text-legibility
    failure sends the scene back for a new picture, framecast.quality.gate.VISUAL_CHECKS)."""
    checks = []
    missing = sorted(set(range(scenes)) - {r.index for r in reviews})
    if missing:
        checks.append(
            QualityCheck(
                name="scene-match",
                passed=False,
                scene_index=missing[0],
                detail=f"the analyzer judged no picture for scene(s) {', '.join(map(str, missing))}",
            )
        )
    for r in reviews:
        seen = ", ".join(r.visible[:6]) or "nothing named"
        if not r.matches:
            checks.append(
                QualityCheck(
                    name="scene-match",
                    passed=False,
                    at_seconds=round(r.start, 2),
                    scene_index=r.index,
                    detail=f"the picture does not match the scene's intent: {r.reason[:160]} (seen: {seen})",
                )
            )
        if r.text and not r.text_legible:
            checks.append(
                QualityCheck(
                    name="text-legibility",
                    passed=False,
                    at_seconds=round(r.start, 2),
                    scene_index=r.index,
                    detail=f"text in the picture is not legible: {r.text[:80]!r}",
                )
            )
        if not r.captions_match:
            checks.append(
                QualityCheck(
                    name="caption-match",
                    passed=False,
                    at_seconds=round(r.start, 2),
                    scene_index=r.index,
                    detail="the burned captions do not match what is said in this scene",
                )
            )
    names = {c.name for c in checks}
    passed = {
        "scene-match": f"every one of {scenes} scenes matches its intent",
        "text-legibility": "all text in the pictures is legible",
        "caption-match": "the burned captions match the speech",
    }
    return checks + [QualityCheck(name=n, passed=True, detail=d) for n, d in passed.items() if n not in names]
