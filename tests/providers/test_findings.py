"""Vendors report facts, the quality stage judges them: analyzers return findings and never import the gate."""

import grimp

from framecast.core.models import QualityReport
from framecast.providers.base import Analysis, Findings, QualityPlan
from framecast.quality.check import judge

STARTS = (0.0, 5.0, 10.0)


def plan(**kw) -> QualityPlan:
    base = dict(
        width=320,
        height=180,
        fps=12,
        duration=15.0,
        scene_starts=STARTS,
        loudness_lufs=-14,
        loudness_tolerance=1.5,
        true_peak_max_db=-1,
        duration_tolerance=0.5,
        max_black_seconds=0.5,
        max_frozen_seconds=4,
        max_silence_seconds=3,
        caption_cues=3,
        narration=("lava flows", "ash falls", "the sky clears"),
        scene_prompts=("Lava: flowing", "Ash: falling", "Sky: clearing"),
    )
    return QualityPlan(**{**base, **kw})


def test_no_provider_module_imports_the_quality_stage():
    graph = grimp.build_graph("framecast")
    upward = [
        (m, i)
        for m in graph.modules
        if m.startswith("framecast.providers")
        for i in graph.find_modules_directly_imported_by(m)
        if i.startswith("framecast.quality")
    ]
    assert upward == []


def test_a_content_analyzers_findings_are_judged_by_the_gate():
    seen = Findings(
        shot_starts=[0.0, 5.1, 7.5, 10.0],
        explicit=[(11.0, 5)],
        labels=[("lava", 0, 5), ("ash", 5, 10), ("sky", 10, 15)],
    )
    found = Analysis(
        analyzer="google", findings=seen, transcript="lava flows ash falls the sky clears", measurements={"shots": 4.0}
    )
    report = judge(found, plan())
    assert isinstance(report, QualityReport) and report.analyzer == "google" and not report.passed
    assert [c.name for c in report.checks] == ["shot-alignment", "explicit-content", "speech-transcript", "label-match"]
    assert {(c.name, c.scene_index) for c in report.failures} == {("shot-alignment", 1), ("explicit-content", 2)}
    assert report.measurements == {"shots": 4.0, "word_error_rate": 0.0}


def test_without_narration_there_is_no_speech_check():
    found = Analysis(analyzer="google", findings=Findings(shot_starts=[0.0, 5.0, 10.0]), measurements={"shots": 3.0})
    report = judge(found, plan(narration=()))
    assert "speech-transcript" not in {c.name for c in report.checks}
    assert report.measurements["word_error_rate"] == 0.0


def test_an_analysis_with_no_facts_has_no_checks_and_passes():
    assert judge(Analysis(analyzer="nothing"), plan()) == QualityReport(analyzer="nothing", passed=True, checks=[])


def test_the_stage_judges_what_each_configured_analyzer_found(data_dir, tmp_path, monkeypatch):
    from framecast import context as runtime
    from framecast import providers
    from framecast.core.models import CaptionFiles, Timeline, VideoAsset
    from framecast.cost.ledger import default_url
    from framecast.cost.meter import Meter
    from framecast.edit.config import VideoFormat
    from framecast.quality import check as quality
    from framecast.quality.config import QualityConfig

    (tmp_path / "v.mp4").write_bytes(b"not looked at")
    ref = runtime.store().put(tmp_path / "v.mp4", "video/mp4")
    video = VideoAsset(ref=ref, duration=10.0, width=320, height=180, fps=12)

    class Reporting:  # reports facts only; the stage turns them into checks
        def __init__(self, name, found):
            self.name, self.found = name, found

        def analyze(self, video, plan, measured=None):
            return self.found

    fakes = {
        "local": Reporting("local", Analysis(analyzer="local", measurements={"duration": 10.0})),
        "google": Reporting(
            "google",
            Analysis(analyzer="google", findings=Findings(shot_starts=[0.0, 7.0]), measurements={"shots": 2.0}),
        ),
    }
    monkeypatch.setattr(providers, "video_analyzer", fakes.__getitem__)
    meter = Meter.open(default_url(data_dir), run="t/2026-12-02/t", channel="t", day="2026-12-02")
    captions = CaptionFiles(srt=ref, vtt=ref, ass=ref, cue_count=1)
    report = quality.check(
        video,
        Timeline(slots=[], total=10.0),
        captions,
        QualityConfig(analyzers=["local", "google"]),
        VideoFormat(),
        "en",
        meter,
        services=runtime.services(),
    )
    assert report.analyzer == "local+google" and not report.passed
    assert [c.name for c in report.checks] == ["shot-alignment", "explicit-content", "label-match"]
    assert report.failures[0].detail == "unplanned shot change at 7.00 s"
    assert report.measurements == {"duration": 10.0, "shots": 2.0, "word_error_rate": 0.0}
