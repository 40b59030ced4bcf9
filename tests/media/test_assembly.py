import re
from pathlib import Path

from framecast.core.models import Scene, Transition
from framecast.edit.timeline import plan_timeline
from framecast.media.analysis import parse_ebur128
from framecast.media.assembly import audio_encode_command, audio_mix_command, loudness_filter


def timeline(*transitions, fps=30):
    scenes = [Scene(narration="n", visual_prompt="p", duration=4, transition=t) for t in transitions]
    return plan_timeline(scenes, [2.0] * len(scenes), fps)


def test_soundtrack_encode_applies_the_missing_gain_and_targets_youtube_audio():
    args = " ".join(audio_encode_command(Path("mix.wav"), Path("a.m4a"), target_lufs=-14, measured_lufs=-20))
    for expected in ("volume=6.00dB", "alimiter=limit=0.7943", "-c:a aac", "-ar 48000", "-ac 2", "-vn"):
        assert expected in args


def test_loudness_filter_applies_the_missing_gain_and_limits_peaks():
    assert loudness_filter(-14, -18.5).startswith("volume=4.50dB,alimiter=limit=0.7943")


def test_music_is_ducked_under_the_voice_only_when_present():
    tl = timeline(Transition.fade, Transition.cut)
    without = " ".join(audio_mix_command([Path("a.wav"), Path("b.wav")], tl, Path("m.wav")))
    with_music = " ".join(
        audio_mix_command([Path("a.wav"), Path("b.wav")], tl, Path("m.wav"), music=Path("bed.wav"), music_gain_db=-18)
    )
    assert "sidechaincompress" not in without
    assert "[music]amix=inputs=1" in with_music and "[bed][voice_key]sidechaincompress" in with_music
    assert "volume=-18dB" in with_music
    delays = re.findall(r"adelay=(\d+):all=1", with_music)
    assert [int(d) for d in delays] == [round(s.narration_start * 1000) for s in tl.slots]


def test_parse_ebur128_summary():
    log = """[Parsed_ebur128_0 @ 0x1] Summary:

  Integrated loudness:
    I:         -14.2 LUFS
    Threshold: -24.6 LUFS

  True peak:
    Peak:       -1.8 dBFS"""
    assert parse_ebur128(log) == (-14.2, -1.8)
    assert parse_ebur128("no summary") == (None, None)
