import re
from pathlib import Path

from framecast.media.analysis import parse_ebur128
from framecast.media.assembly import audio_mix_command, loudness_filter, render_command, video_graph
from framecast.models import Scene, Transition
from framecast.timeline import plan_timeline


def timeline(*transitions, fps=30):
    scenes = [Scene(narration="n", visual_prompt="p", duration=4, transition=t) for t in transitions]
    return plan_timeline(scenes, [2.0] * len(scenes), fps)


def test_transitions_become_xfades_at_the_next_scene_start_and_cuts_become_concats():
    tl = timeline(Transition.fade, Transition.cut, Transition.dissolve, Transition.fade)
    graph = video_graph(tl, width=640, height=360, fps=30, subtitles=None)
    xfades = re.findall(r"xfade=transition=(\w+):duration=([\d.]+):offset=([\d.]+)", graph)
    assert [x[0] for x in xfades] == ["fade", "dissolve"]
    assert float(xfades[0][2]) == tl.slots[1].start
    assert float(xfades[1][2]) == tl.slots[3].start
    assert graph.count("concat=n=2") == 1
    assert "subtitles=" not in graph
    assert graph.endswith("format=yuv420p[vout]")


def test_every_clip_is_conformed_to_its_slot():
    tl = timeline(Transition.fade, Transition.fade)
    graph = video_graph(tl, width=320, height=180, fps=12, subtitles="captions.ass")
    for slot in tl.slots:
        assert f"trim=duration={slot.duration:.6f}" in graph
    assert "subtitles=filename=captions.ass:fontsdir=fonts" in graph


def test_render_command_targets_youtube_recommended_encoding():
    tl = timeline(Transition.fade, Transition.fade)
    args = render_command([Path("a.mp4"), Path("b.mp4")], Path("mix.wav"), tl, Path("out.mp4"), width=1920,
                          height=1080, fps=30, crf=20, preset="veryfast", target_lufs=-14, measured_lufs=-20,
                          subtitles=None)
    joined = " ".join(args)
    for expected in ("-profile:v high", "-pix_fmt yuv420p", "-g 15", "-bf 2", "-flags +cgop",
                     "-color_primaries bt709", "-colorspace bt709", "-c:a aac", "-ar 48000",
                     "-movflags +faststart"):
        assert expected in joined
    assert args[args.index("-i", 4) + 1] == "mix.wav"
    assert "volume=6.00dB" in joined


def test_loudness_filter_applies_the_missing_gain_and_limits_peaks():
    assert loudness_filter(-14, -18.5).startswith("volume=4.50dB,alimiter=limit=0.7943")


def test_music_is_ducked_under_the_voice_only_when_present():
    tl = timeline(Transition.fade, Transition.cut)
    without = " ".join(audio_mix_command([Path("a.wav"), Path("b.wav")], tl, Path("m.wav")))
    with_music = " ".join(audio_mix_command([Path("a.wav"), Path("b.wav")], tl, Path("m.wav"),
                                            music=Path("bed.wav"), music_gain_db=-18))
    assert "sidechaincompress" not in without
    assert "[music][voice_key]sidechaincompress" in with_music
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
