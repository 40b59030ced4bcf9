"""The sounds in the mix (real ffmpeg): heard where they belong, kept under the voice, and measured so."""

import re
from pathlib import Path

import pytest

from framecast.core.models import ArtifactRef, ContentMeasurements, Scene, SoundAsset, Transition
from framecast.edit.timeline import plan_timeline
from framecast.media import ffmpeg
from framecast.media.analysis import parse_ebur128
from framecast.media.assembly import audio_mix_command, parse_speech_over_bed, voice_loudness_command
from framecast.media.sfx import synth_command
from framecast.providers.base import QualityPlan
from framecast.quality.gate import content_checks
from framecast.sound.config import SoundConfig
from framecast.sound.design import bed_sounds, plan_cues

RECIPE = {"whoosh": "cinematic whoosh", "swell": "soft shimmering swell", "rumble": "rumble"}


def rms_db(path: Path, start: float, seconds: float) -> float:
    proc = ffmpeg.run(
        [
            "-ss",
            f"{start}",
            "-t",
            f"{seconds}",
            "-i",
            str(path),
            "-af",
            "astats=measure_overall=RMS_level",
            "-f",
            "null",
            "-",
        ],
        what="measuring",
    )
    levels = [float(v) for v in re.findall(r"RMS level dB: (-?[\d.]+|-inf)", proc.stderr) if v != "-inf"]
    return max(levels) if levels else -120.0


@pytest.fixture(scope="module")
def scene_audio(tmp_path_factory):
    """Three flite narrations and the timeline of three scenes (fade, dissolve, end)."""
    tmp = tmp_path_factory.mktemp("mix")
    scenes = [
        Scene(narration="n", visual_prompt="a volcano", duration=4, transition=t, ambience="lava rumble")
        for t in (Transition.fade, Transition.dissolve, Transition.cut)
    ]
    timeline = plan_timeline(scenes, [2.0] * 3, 30)
    voices = []
    for i in range(3):
        voice = tmp / f"v{i}.wav"
        ffmpeg.run(
            [
                "-f",
                "lavfi",
                "-i",
                "flite=text='Lava cools into new rock, layer upon layer.':voice=slt",
                "-t",
                "2",
                str(voice),
            ],
            what="speech",
        )
        voices.append(voice)
    return tmp, scenes, timeline, voices


def mix(tmp: Path, scenes, timeline, voices, cfg: SoundConfig, name: str) -> tuple[Path, float | None]:
    """The scenes mixed with the sounds `cfg` asks for, made by the offline recipes; (mix, speech over bed)."""
    placed = []
    for cue in plan_cues(timeline, scenes, cfg):
        recipe = "rumble" if cue.kind == "ambience" else ("whoosh" if "whoosh" in cue.prompt else "swell")
        path = tmp / f"{name}-{len(placed)}.flac"
        ffmpeg.run(synth_command(recipe, cue.seconds, path, seed=len(placed)), what=recipe)
        lufs, _ = parse_ebur128(ffmpeg.run(["-i", str(path), "-af", "ebur128", "-f", "null", "-"], what="m").stderr)
        ref = ArtifactRef(uri=path.as_uri(), sha256="0" * 64, size=1, media_type="audio/flac")
        placed.append((cue, SoundAsset(ref=ref, prompt=cue.prompt, seconds=cue.seconds, loudness_lufs=lufs)))
    voice_lufs, _ = parse_ebur128(ffmpeg.run(voice_loudness_command(voices), what="voice").stderr)
    bed = bed_sounds(placed, lambda ref: Path(ref.uri.removeprefix("file://")), voice_lufs, timeline.total)
    out = tmp / f"{name}.wav"
    proc = ffmpeg.run(audio_mix_command(voices, timeline, out, sounds=bed, meter=bool(bed)), what="mix")
    return out, parse_speech_over_bed(proc.stderr)


def test_transitions_are_heard_between_the_lines_and_the_voice_is_unchanged_and_clear(scene_audio):
    tmp, scenes, timeline, voices = scene_audio
    plain, _ = mix(tmp, scenes, timeline, voices, SoundConfig(transitions={"fade": None, "dissolve": None}), "plain")
    scored, over_bed = mix(tmp, scenes, timeline, voices, SoundConfig(ambience=True), "scored")
    fade = plan_cues(timeline, scenes, SoundConfig())[0]
    gap = timeline.slots[1].narration_start - fade.start  # the sound's first part, before the next line
    assert rms_db(scored, fade.start, gap) > rms_db(plain, fade.start, gap) + 10
    line = (timeline.slots[0].narration_start + 0.3, 1.2)
    assert abs(rms_db(scored, *line) - rms_db(plain, *line)) < 1.0  # the narration sounds the same
    assert over_bed is not None and over_bed >= 10  # the default levels pass the gate's default


def test_a_bed_as_loud_as_the_voice_is_measured_so_and_fails_the_gate(scene_audio):
    tmp, scenes, timeline, voices = scene_audio
    _, over_bed = mix(tmp, scenes, timeline, voices, SoundConfig(ambience=True, ambience_gain_db=0), "loud")
    assert over_bed is not None and over_bed < 8
    plan = QualityPlan(
        width=320,
        height=180,
        fps=30,
        duration=timeline.total,
        scene_starts=(0.0,),
        loudness_lufs=-14,
        loudness_tolerance=1.5,
        true_peak_max_db=-1,
        duration_tolerance=0.5,
        max_black_seconds=0.5,
        max_frozen_seconds=4,
        max_silence_seconds=3,
        caption_cues=3,
        min_speech_over_bed_lu=10,
    )
    [check] = [
        c for c in content_checks(ContentMeasurements(speech_over_bed_lu=over_bed), plan) if c.name == "speech-over-bed"
    ]
    assert not check.passed and "sound.ambience_gain_db" in check.detail


def meter_log(speech: list[float], bed: list[float]) -> str:
    """ffmpeg's interleaved ebur128 frame lines for the two named meters of the mix."""
    line = "[ebur128@{} @ 0x55] t: {:.1f}  TARGET:-23 LUFS    M:{:6.1f} S: -30.0     I: -20.0 LUFS       LRA:   0.0 LU"
    return "\n".join(
        line.format(name, 0.1 * (i + 1), m)
        for i, (v, b) in enumerate(zip(speech, bed))
        for name, m in (("speech", v), ("bed", b))
    )


def test_the_quiet_edges_of_a_line_do_not_decide_only_steady_speech_does():
    # Each line: two quiet tenths where the voice starts (the bed not yet ducked), then steady speech 15 LU over it.
    speech, bed = [], []
    for _ in range(5):
        speech += [-36.0, -31.0] + [-20.0] * 10 + [-120.7] * 3
        bed += [-30.0, -30.0] + [-35.0] * 10 + [-30.0] * 3
    assert parse_speech_over_bed(meter_log(speech, bed)) == 15.0
    # A bed that is loud under steady speech is found however the edges look.
    assert parse_speech_over_bed(meter_log(speech, [b + 12 if v == -20.0 else b for v, b in zip(speech, bed)])) == 3.0
    assert parse_speech_over_bed(meter_log([-120.7] * 10, [-30.0] * 10)) is None  # no voice at all
