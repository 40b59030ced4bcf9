import re
from pathlib import Path

from framecast.media.analysis import parse_ebur128
from framecast.media.assembly import audio_mix_command, loudness_filter, render_command, video_graph
from framecast.models import Scene, Transition
from framecast.timeline import plan_timeline


def timeline(*transitions, fps=30):
    scenes = [Scene(narration="n", visual_prompt="p", duration=4, transition=t) for t in transitions]
    return plan_timeline(scenes, [2.0] * len(scenes), fps)


def test_only_the_transition_segments_go_through_xfade_and_one_concat_joins_everything():
    tl = timeline(Transition.fade, Transition.cut, Transition.dissolve, Transition.fade)
    graph = video_graph(tl, width=640, height=360, fps=30, subtitles=None)
    xfades = re.findall(r"\[t(\d)\]\[h(\d)\]xfade=transition=(\w+):duration=([\d.]+):offset=0\[", graph)
    assert [(a, b, kind) for a, b, kind, _ in xfades] == [("0", "1", "fade"), ("2", "3", "dissolve")]
    assert float(xfades[0][3]) == tl.slots[0].transition_seconds
    assert "[b0][x0][b1][b2][x2][b3]concat=n=6:v=1:a=0" in graph
    assert "subtitles=" not in graph
    assert graph.endswith("format=yuv420p[vout]")


def test_segments_add_up_to_the_timeline_in_whole_frames():
    fps = 30
    tl = timeline(Transition.fade, Transition.dissolve, Transition.cut, fps=fps)
    graph = video_graph(tl, width=640, height=360, fps=fps, subtitles=None)
    kept = 0
    for seg, lo, hi in re.findall(r"\[(\w)\d in\]trim=start_frame=(\d+):end_frame=(\d+)".replace(" ", ""), graph):
        if seg == "b":
            kept += int(hi) - int(lo)
    kept += sum(round(s.transition_seconds * fps) for s in tl.slots)
    assert kept == round(tl.total * fps)
    for slot in tl.slots:
        assert f"trim=end_frame={round(slot.duration * fps)}," in graph


def test_captions_are_burned_after_the_join():
    tl = timeline(Transition.fade, Transition.fade)
    graph = video_graph(tl, width=320, height=180, fps=12, subtitles="captions.ass")
    assert "concat=n=3:v=1:a=0,subtitles=filename=captions.ass:fontsdir=fonts," in graph


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


def test_a_clip_shorter_than_its_slot_is_slowed_down_not_frozen():
    tl = timeline(Transition.fade, Transition.fade, fps=24)
    graph = video_graph(tl, width=320, height=180, fps=24, subtitles=None,
                        clip_seconds=[tl.slots[0].duration / 1.5, tl.slots[1].duration])
    first, second = graph.split("[1:v]")
    assert first.startswith("[0:v]setpts=1.500000*PTS,")
    assert second.startswith("scale=")  # the full-length clip is not touched


def test_stretch_is_capped():
    tl = timeline(Transition.cut, Transition.cut)
    graph = video_graph(tl, width=320, height=180, fps=24, subtitles=None, clip_seconds=[1.0, 1.0])
    assert graph.startswith("[0:v]setpts=2.000000*PTS,")
