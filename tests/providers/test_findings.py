"""Vendors report facts, the quality stage judges them: analyzers return findings and never import the gate."""

import grimp

from framecast.core.models import QualityReport
from framecast.providers.base import Analysis, Findings, QualityPlan
from framecast.quality.check import judge

STARTS = (0.0, 5.0, 10.0)


def plan(**kw) -> QualityPlan:
    base = dict(width=320, height=180, fps=12, duration=15.0, scene_starts=STARTS, loudness_lufs=-14,
                loudness_tolerance=1.5, true_peak_max_db=-1, duration_tolerance=0.5, max_black_seconds=0.5,
                max_frozen_seconds=4, max_silence_seconds=3, caption_cues=3,
                narration=("lava flows", "ash falls", "the sky clears"),
                scene_prompts=("Lava: flowing", "Ash: falling", "Sky: clearing"))
    return QualityPlan(**{**base, **kw})


def test_no_provider_module_imports_the_quality_stage():
    graph = grimp.build_graph("framecast")
    upward = [(m, i) for m in graph.modules if m.startswith("framecast.providers")
              for i in graph.find_modules_directly_imported_by(m) if i.startswith("framecast.quality")]
    assert upward == []


def test_a_content_analyzers_findings_are_judged_by_the_gate():
    seen = Findings(shot_starts=[0.0, 5.1, 7.5, 10.0], explicit=[(11.0, 5)],
                    labels=[("lava", 0, 5), ("ash", 5, 10), ("sky", 10, 15)])
    found = Analysis(analyzer="google", findings=seen, transcript="lava flows ash falls the sky clears",
                     measurements={"shots": 4.0})
    report = judge(found, plan())
    assert isinstance(report, QualityReport) and report.analyzer == "google" and not report.passed
    assert [c.name for c in report.checks] == ["shot-alignment", "explicit-content", "speech-transcript",
                                               "label-match"]
    assert {(c.name, c.scene_index) for c in report.failures} == {("shot-alignment", 1), ("explicit-content", 2)}
    assert report.measurements == {"shots": 4.0, "word_error_rate": 0.0}


def test_without_narration_there_is_no_speech_check():
    found = Analysis(analyzer="google", findings=Findings(shot_starts=[0.0, 5.0, 10.0]), measurements={"shots": 3.0})
    report = judge(found, plan(narration=()))
    assert "speech-transcript" not in {c.name for c in report.checks}
    assert report.measurements["word_error_rate"] == 0.0


def test_an_analysis_with_no_facts_has_no_checks_and_passes():
    assert judge(Analysis(analyzer="nothing"), plan()) == QualityReport(analyzer="nothing", passed=True, checks=[])
