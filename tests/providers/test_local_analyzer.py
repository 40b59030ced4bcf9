from pathlib import Path

import pytest

from framecast.media import ffmpeg
from framecast.providers.base import QualityPlan
from framecast.providers.local.analyzer import LocalVideoAnalyzer
from framecast.quality.check import judge


def checked(video: Path, plan: QualityPlan):
    """What the analyzer found, judged by the quality stage."""
    return judge(LocalVideoAnalyzer().analyze(video, plan), plan)


def plan(**kw) -> QualityPlan:
    base = dict(
        width=320,
        height=180,
        fps=12,
        duration=6.0,
        scene_starts=(0.0, 3.0),
        loudness_lufs=-14,
        loudness_tolerance=1.5,
        true_peak_max_db=-1.0,
        duration_tolerance=0.5,
        max_black_seconds=0.5,
        max_frozen_seconds=2.5,
        max_silence_seconds=1.5,
        caption_cues=3,
    )
    return QualityPlan(**{**base, **kw})


@pytest.fixture(scope="module")
def flawed_video(tmp_path_factory) -> Path:
    """2 s of black, then a moving test pattern; 3 s of silence, then a quiet tone. No faststart."""
    out = tmp_path_factory.mktemp("qa") / "flawed.mp4"
    ffmpeg.run(
        [
            "-f",
            "lavfi",
            "-i",
            "color=black:s=320x180:r=12:d=2",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=s=320x180:r=12:d=4",
            "-f",
            "lavfi",
            "-i",
            "anullsrc=r=48000:cl=stereo:d=3",
            "-f",
            "lavfi",
            "-i",
            "sine=f=440:r=48000:d=3,volume=-30dB,aformat=channel_layouts=stereo",
            "-filter_complex",
            "[0:v][1:v]concat=n=2:v=1:a=0[v];[2:a][3:a]concat=n=2:v=0:a=1[a]",
            "-map",
            "[v]",
            "-map",
            "[a]",
            "-c:v",
            "libx264",
            "-profile:v",
            "high",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-ar",
            "48000",
            str(out),
        ],
        what="making a flawed test video",
    )
    return out


def test_flawed_video_fails_with_each_problem_located(flawed_video):
    report = checked(flawed_video, plan())
    failed = {c.name: c for c in report.failures}
    assert not report.passed
    assert set(failed) == {"black-frames", "silence", "loudness", "faststart"}
    assert failed["black-frames"].at_seconds == 0.0 and failed["black-frames"].scene_index == 0
    assert failed["silence"].at_seconds == 0.0
    assert report.measurements["integrated_lufs"] < -30
    passed = {c.name for c in report.checks if c.passed}
    assert {"video-codec", "resolution", "frame-rate", "audio-codec", "duration", "true-peak"} <= passed


def test_plan_mismatches_are_reported(flawed_video):
    report = checked(flawed_video, plan(width=640, height=360, fps=30, duration=9.0, caption_cues=0))
    failed = {c.name for c in report.failures}
    assert {"resolution", "frame-rate", "duration", "captions"} <= failed


def test_frozen_video_is_detected(tmp_path):
    out = tmp_path / "frozen.mp4"
    ffmpeg.run(
        [
            "-f",
            "lavfi",
            "-i",
            "testsrc2=s=320x180:r=12:d=1",
            "-f",
            "lavfi",
            "-i",
            "sine=d=5",
            "-vf",
            "tpad=stop_mode=clone:stop_duration=4",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-shortest",
            str(out),
        ],
        what="frozen",
    )
    report = checked(out, plan(duration=5.0, scene_starts=(0.0,)))
    frozen = [c for c in report.failures if c.name == "frozen-video"]
    assert frozen and 0.5 < frozen[0].at_seconds < 1.5
