import re
from pathlib import Path

import pytest

from framecast.core.models import Scene, Transition
from framecast.edit.timeline import plan_timeline
from framecast.media.motion import MOVES
from framecast.media.render import (
    SceneSource,
    concat_list,
    mux_command,
    plan_segments,
    scene_frames,
    segment_command,
    segment_graph,
)


def timeline(*transitions, fps=30, seconds=2.0):
    scenes = [Scene(narration="n", visual_prompt="p", duration=4, transition=t) for t in transitions]
    return plan_timeline(scenes, [seconds] * len(scenes), fps)


def clips(n, seconds=None):
    return [SceneSource(Path(f"c{i}.mp4"), seconds=seconds) for i in range(n)]


def whole(tl, fps=30):
    return plan_segments(tl, fps, max_seconds=10_000)[0]


def test_only_the_transition_pieces_go_through_xfade_and_one_concat_joins_everything():
    tl = timeline(Transition.fade, Transition.cut, Transition.dissolve, Transition.fade)
    _, graph = segment_graph(tl, clips(4), whole(tl), width=640, height=360, fps=30, subtitles=None)
    xfades = re.findall(r"\[t(\d)\]\[h(\d)\]xfade=transition=(\w+):duration=([\d.]+):offset=0\[", graph)
    assert [(a, b, kind) for a, b, kind, _ in xfades] == [("0", "1", "fade"), ("2", "3", "dissolve")]
    assert float(xfades[0][3]) == tl.slots[0].transition_seconds
    assert "[b0][x0][b1][b2][x2][b3]concat=n=6:v=1:a=0" in graph
    assert "subtitles=" not in graph


def test_segments_cover_every_frame_once_and_never_cut_a_transition():
    fps = 30
    tl = timeline(*[Transition.fade, Transition.dissolve, Transition.cut] * 4, fps=fps, seconds=5.0)
    segments = plan_segments(tl, fps, max_seconds=12, parts=2)
    assert len(segments) >= 2
    assert [s.first for s in segments] == [0] + [s.last + 1 for s in segments[:-1]]
    assert segments[-1].last == len(tl.slots) - 1
    assert sum(s.frames for s in segments) == round(tl.total * fps)
    assert [s.start_frame for s in segments] == [sum(x.frames for x in segments[:k]) for k in range(len(segments))]
    frames = scene_frames(tl, fps)
    for seg in segments:
        _, graph = segment_graph(tl, clips(len(tl.slots)), seg, width=320, height=180, fps=fps, subtitles=None)
        kept = sum(
            int(hi) - int(lo) for lo, hi in re.findall(r"\[b\d+in\]trim=start_frame=(\d+):end_frame=(\d+)", graph)
        )
        kept += sum(frames[i][2] for i in range(seg.first, seg.last + 1))  # the transitions it leads into
        assert kept == seg.frames
        # A segment ending in a transition borrows the next scene's head, and only that.
        if seg.last + 1 < len(tl.slots) and frames[seg.last][2]:
            assert f"[h{seg.last + 1}in]trim=start_frame=0:end_frame={frames[seg.last][2]}," in graph
            assert f"[b{seg.last + 1}in]" not in graph


def test_segments_are_about_equal_and_at_least_one_per_core():
    tl = timeline(*[Transition.fade] * 12, seconds=5.0)
    lengths = [s.frames for s in plan_segments(tl, 30, max_seconds=1000, parts=4)]
    assert len(lengths) == 4
    assert max(lengths) - min(lengths) <= max(n for n, _, _ in scene_frames(tl, 30))
    assert len(plan_segments(tl, 30, max_seconds=1000, parts=50)) == 12  # never more than one per scene


def test_captions_are_burned_at_the_segments_time_in_the_whole_video():
    tl = timeline(*[Transition.fade] * 4, fps=12)
    second = plan_segments(tl, 12, max_seconds=1000, parts=2)[1]
    _, graph = segment_graph(tl, clips(4), second, width=320, height=180, fps=12, subtitles="captions.ass")
    offset = second.start_frame / 12
    assert f"setpts=PTS+{offset:.6f}/TB,subtitles=filename=captions.ass:fontsdir=fonts," in graph
    assert "[enc]setpts=PTS-STARTPTS[vout]" in graph


def test_stills_are_moved_inside_the_graph_and_clips_conformed():
    tl = timeline(Transition.fade, Transition.fade, fps=24)
    sources = [SceneSource(Path("still.png"), move=MOVES["push-in"]), SceneSource(Path("c.mp4"), seconds=1.0)]
    inputs, graph = segment_graph(tl, sources, whole(tl, 24), width=320, height=180, fps=24, subtitles=None)
    assert inputs == [Path("still.png"), Path("c.mp4")]
    first, second = graph.split("[1:v]")
    assert "zoompan=" in first and f":d={round(tl.slots[0].duration * 24)}:" in first
    assert second.startswith("setpts=2.000000*PTS,")  # a short clip is slowed down (capped at 2x), not frozen


def test_segment_encode_targets_youtube_recommended_encoding():
    tl = timeline(Transition.fade, Transition.fade)
    seg = whole(tl)
    inputs, graph = segment_graph(tl, clips(2), seg, width=1920, height=1080, fps=30, subtitles=None)
    joined = " ".join(segment_command(inputs, graph, seg, Path("s.mp4"), fps=30, crf=20, preset="veryfast"))
    for expected in (
        "-profile:v high",
        "-pix_fmt yuv420p",
        "-g 15",
        "-bf 2",
        "-flags +cgop",
        "-color_primaries bt709",
        "-colorspace bt709",
        f"-frames:v {seg.frames}",
        "-an",
    ):
        assert expected in joined
    mux = " ".join(mux_command(Path("list.txt"), Path("a.m4a"), Path("out.mp4"), total=4.0))
    assert "-c copy" in mux and "-movflags +faststart" in mux


def test_concat_list_refuses_names_that_would_need_escaping():
    assert concat_list(["segment0000.mp4"], [7.5]) == "file 'segment0000.mp4'\nduration 7.500000\n"
    with pytest.raises(ValueError):
        concat_list(["it's.mp4"], [1.0])
