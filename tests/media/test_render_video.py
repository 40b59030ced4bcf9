"""The render for real (ffmpeg, small frames): segments joined seamlessly, the gate fed by the render's checks."""

import json
import subprocess

import pytest
from PIL import Image

from framecast import context as runtime
from framecast import edit
from framecast.core.models import ClipAsset, NarrationAsset, Scene, Transition, WordTiming
from framecast.cost.ledger import default_url
from framecast.cost.meter import Meter
from framecast.edit.config import CaptionConfig, VideoFormat
from framecast.media import ffmpeg
from framecast.providers.local.image import LocalImageGenerator
from framecast.quality import check as quality
from framecast.quality.config import QualityConfig
from framecast.settings import reset_settings

FMT = VideoFormat(width=320, height=180, fps=12, preset="veryfast")


@pytest.fixture
def pieces(data_dir, tmp_path):
    """Four scenes: stills (the third one black) with Ken Burns moves, and spoken tones."""
    store = runtime.store()
    scenes, voices = [], []
    moves = ["push-in", "pan-left", "pull-out", "pan-right"]
    for i, move in enumerate(moves):
        still = tmp_path / f"still{i}.png"
        if i == 2:
            Image.new("RGB", (320, 180), "black").save(still)
        else:
            LocalImageGenerator().generate(f"scene {i} about rivers", width=320, height=180, seed=i, out=still)
        wav = tmp_path / f"voice{i}.wav"
        ffmpeg.run(
            ["-f", "lavfi", "-i", f"sine=f={300 + 100 * i}:r=48000:d=2.5", "-ac", "1", str(wav)],
            what="making a test voice",
        )
        voices.append(
            NarrationAsset(
                ref=store.put(wav, "audio/wav"),
                duration=2.5,
                speech_end=2.5,
                engine="test",
                words=[WordTiming(word=f"word{i}", start=0.2, end=1.0)],
            )
        )
        scenes.append(Scene(narration=f"word{i}", visual_prompt="p", duration=4, transition=Transition.fade))
    timeline = edit.plan(scenes, voices, FMT)
    clips = [
        ClipAsset(
            ref=store.put(tmp_path / f"still{i}.png", "image/png"),
            duration=timeline.slots[i].duration,
            width=320,
            height=180,
            fps=12,
            move=move,
        )
        for i, move in enumerate(moves)
    ]
    captions = edit.write_captions(
        timeline, voices, FMT, CaptionConfig(max_chars_per_line=30, max_lines=2), services=runtime.services()
    )
    return timeline, clips, voices, captions


def render(pieces, monkeypatch, segment_seconds):
    monkeypatch.setenv("FRAMECAST_RENDER_SEGMENT_SECONDS", str(segment_seconds))
    reset_settings()  # the settings are read once per process: this test's process starts again
    timeline, clips, voices, captions = pieces
    return edit.assemble(timeline, clips, voices, captions, None, FMT, -16.0, True, -14.0, services=runtime.services())


def frame_times(path):
    out = subprocess.run(
        [
            ffmpeg.tools().ffprobe,
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "packet=pts_time",
            "-of",
            "json",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return sorted(float(p["pts_time"]) for p in json.loads(out.stdout)["packets"])


def test_segments_join_into_one_seamless_video_of_the_planned_frames(pieces, monkeypatch):
    timeline = pieces[0]
    video = render(pieces, monkeypatch, segment_seconds=3)
    path = runtime.store().local_path(video.ref)
    times = frame_times(path)
    assert len(times) == round(timeline.total * FMT.fps)
    steps = [b - a for a, b in zip(times, times[1:])]
    assert all(abs(x - 1 / FMT.fps) < 1e-4 for x in steps)  # no frame lost, doubled or shifted at a join
    assert abs(video.duration - timeline.total) < 0.1
    info = ffmpeg.probe(path)
    assert ffmpeg.stream(info, "audio")["codec_name"] == "aac"


def test_the_gate_reads_the_renders_own_checks_and_finds_the_black_scene(pieces, monkeypatch, data_dir):
    timeline = pieces[0]
    video = render(pieces, monkeypatch, segment_seconds=3)
    black = [(a, b) for a, b in video.measured.black if b - a >= 0.5]
    assert len(black) == 1
    slot = timeline.slots[2]
    # Black from the end of the fade into scene 2 to the start of the fade out of it.
    end = slot.start + slot.duration
    assert slot.start < black[0][0] < slot.start + 1.0 and end - 1.0 < black[0][1] <= end + 0.1
    assert video.measured.integrated_lufs == pytest.approx(-14, abs=1)

    runs = []
    real_run = ffmpeg.run
    monkeypatch.setattr(ffmpeg, "run", lambda args, **kw: runs.append(kw["what"]) or real_run(args, **kw))
    meter = Meter.open(default_url(data_dir), run="t/2026-12-02/t", channel="t", day="2026-12-02")
    report = quality.check(video, timeline, pieces[3], QualityConfig(), FMT, "en", meter, services=runtime.services())
    failed = {c.name: c for c in report.failures}
    assert set(failed) == {"black-frames"} and failed["black-frames"].scene_index == 2
    assert "quality analysis" not in runs  # the video was not decoded again

    # A limit shorter than the render looked for: the gate decodes the video itself rather than trust it.
    strict = QualityConfig(max_frozen_seconds=0.2)
    quality.check(video, timeline, pieces[3], strict, FMT, "en", meter, services=runtime.services())
    assert "quality analysis" in runs
