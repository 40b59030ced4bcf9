"""The picture as ffmpeg commands: every frame made and encoded once, in segments.

Each scene's source is either a provider clip (decoded once, conformed) or a still moved by Ken
Burns inside the graph (no intermediate clip). The video is cut into segments at scene bodies, so
no transition is ever cut: each segment is one ffmpeg process with its own closed-GOP x264 encode,
its memory bounded by its own scenes whatever the video's length, and segments run side by side.
A stream copy joins them with the audio (encoded beside them, `assembly.audio_encode_command`).

Each segment's graph also feeds its finished frames through blackdetect and freezedetect, so the
quality gate reads those measurements instead of decoding the video again.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from framecast.core.models import Timeline, Transition
from framecast.media import ffmpeg
from framecast.media.motion import Move, kenburns_filter

XFADE = {Transition.fade: "fade", Transition.dissolve: "dissolve"}
MAX_STRETCH = 2.0  # slow a short clip down at most this much; hold its last frame for the rest
# freezedetect reports a freeze only after this long; spans cut by a segment boundary are merged
# again afterwards, so what escapes is under 2 × this at a boundary, well under any sane limit.
FREEZE_PROBE_SECONDS = 1.0


@dataclass(frozen=True)
class SceneSource:
    """What one scene's pictures are made from: a clip of `seconds`, or a still and a Ken Burns move."""

    path: Path
    move: Move | None = None
    seconds: float | None = None


@dataclass(frozen=True)
class Segment:
    """Scenes `first`..`last` (their bodies; the transition after `last` too), frames [start, start+frames)."""

    first: int
    last: int
    start_frame: int
    frames: int


def scene_frames(timeline: Timeline, fps: int) -> list[tuple[int, int, int]]:
    """Per scene: (frames, head, tail), head/tail being the frames shared with the previous/next scene."""
    slots = timeline.slots
    return [
        (
            round(s.duration * fps),
            round(slots[s.index - 1].transition_seconds * fps) if s.index else 0,
            round(s.transition_seconds * fps),
        )
        for s in slots
    ]


def plan_segments(timeline: Timeline, fps: int, max_seconds: float, parts: int = 1) -> list[Segment]:
    """Consecutive scenes in segments of about equal length: at least `parts`, each about `max_seconds` or less.

    Cuts fall only between scenes (a scene's body and the transition it leads into stay together),
    each placed at the scene boundary nearest to its share of the video.
    """
    own = [n - head for n, head, _ in scene_frames(timeline, fps)]  # body plus the transition it leads into
    starts = [sum(own[:i]) for i in range(len(own) + 1)]
    count = min(len(own), max(parts, math.ceil(starts[-1] / (max_seconds * fps))))
    cuts = [0]
    for k in range(1, count):
        share = starts[-1] * k / count
        best = min(range(cuts[-1] + 1, len(own) - (count - k) + 1), key=lambda i: abs(starts[i] - share))
        cuts.append(best)
    cuts.append(len(own))
    return [Segment(a, b - 1, starts[a], starts[b] - starts[a]) for a, b in zip(cuts, cuts[1:])]


def _conform(
    source: SceneSource, index: int, *, frames: int, duration: float, width: int, height: int, fps: int
) -> str:
    if source.move is not None:
        return f"[{index}:v]{kenburns_filter(source.move, width=width, height=height, fps=fps, frames=frames)}"
    have = source.seconds or duration
    # Providers return fixed-length clips (e.g. 5 s): slow a short one down rather than freeze it.
    stretch = min(duration / have, MAX_STRETCH) if have < duration - 1 / fps else 1.0
    slow = f"setpts={stretch:.6f}*PTS," if stretch > 1.0 else ""
    return (
        f"[{index}:v]{slow}scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height},"
        f"setsar=1,fps={fps},format=yuv420p,"
        # A clip still shorter than its slot holds its last frame.
        f"tpad=stop_mode=clone:stop_duration={duration:.3f}"
    )


def segment_graph(
    timeline: Timeline,
    sources: list[SceneSource],
    segment: Segment,
    *,
    width: int,
    height: int,
    fps: int,
    subtitles: str | None,
    frozen_seconds: float = FREEZE_PROBE_SECONDS,
) -> tuple[list[Path], str]:
    """The segment's inputs and filter graph, output [vout] (plus the frame checks into a nullsink).

    Each scene is split into head / body / tail (frame-exact trims); only the short tail+head
    pairs go through xfade and one concat joins everything — a chain of xfades over whole clips
    cost twice the CPU here (ffmpeg 5.1, 1080p) for the same picture.
    """
    frames = scene_frames(timeline, fps)
    slots = timeline.slots
    # The scene after the last one lends its head to the closing transition, if there is one.
    end = segment.last + 1 if segment.last + 1 < len(slots) and frames[segment.last][2] else segment.last
    inputs, parts, order = [], [], []
    for k, i in enumerate(range(segment.first, end + 1)):
        count, head, tail = frames[i]
        inputs.append(sources[i].path)
        if i > segment.last:
            pieces = {"h": (0, head)}
        else:
            pieces = {
                name: span
                for name, span, keep in (
                    ("h", (0, head), head and i > segment.first),
                    ("b", (head, count - tail), True),
                    ("t", (count - tail, count), tail),
                )
                if keep
            }
        # Only what this segment shows is made: a lent head stops the scene's source early.
        stop = max(hi for _, hi in pieces.values())
        parts.append(
            _conform(sources[i], k, frames=count, duration=slots[i].duration, width=width, height=height, fps=fps)
            + f",trim=end_frame={stop},setpts=PTS-STARTPTS,settb=AVTB,split={len(pieces)}"
            + "".join(f"[{p}{i}in]" for p in pieces)
        )
        for p, (lo, hi) in pieces.items():
            parts.append(f"[{p}{i}in]trim=start_frame={lo}:end_frame={hi},setpts=PTS-STARTPTS[{p}{i}]")
        if i <= segment.last:
            order.append(f"[b{i}]")
            if tail:
                kind = XFADE[slots[i].transition_out]
                parts.append(
                    f"[t{i}][h{i + 1}]xfade=transition={kind}:duration={slots[i].transition_seconds:.6f}:offset=0[x{i}]"
                )
                order.append(f"[x{i}]")
    offset = segment.start_frame / fps
    # Frames carry their time in the whole video from here on: captions and detections line up.
    burn = f",subtitles=filename={subtitles}:fontsdir=fonts" if subtitles else ""
    parts.append(
        f"{''.join(order)}concat=n={len(order)}:v=1:a=0,setpts=PTS+{offset:.6f}/TB{burn},"
        f"format=yuv420p,split=2[enc][chk]"
    )
    parts.append("[enc]setpts=PTS-STARTPTS[vout]")
    # Every other frame at a quarter size: a black or frozen stretch of a tenth of a second still shows, at a
    # fifth of the cost of checking full frames (benchmarks/render.py).
    parts.append(
        f"[chk]select='not(mod(n,2))',scale=480:-2:flags=fast_bilinear,"
        f"blackdetect=d=0.1:pic_th=0.98:pix_th=0.08,freezedetect=n=-60dB:d={frozen_seconds},nullsink"
    )
    return inputs, ";".join(parts)


def x264_args(*, fps: int, crf: int, preset: str, threads: int | None = None) -> list[str]:
    """H.264 High yuv420p, closed GOP of fps/2, 2 B-frames, BT.709 (YouTube's recommended encoding)."""
    return [
        "-c:v",
        "libx264",
        "-profile:v",
        "high",
        "-preset",
        preset,
        "-crf",
        str(crf),
        "-pix_fmt",
        "yuv420p",
        "-g",
        str(max(fps // 2, 1)),
        "-bf",
        "2",
        "-flags",
        "+cgop",
        *(["-threads", str(threads)] if threads else []),
        "-colorspace",
        "bt709",
        "-color_primaries",
        "bt709",
        "-color_trc",
        "bt709",
        "-color_range",
        "tv",
    ]


def segment_command(
    inputs: list[Path],
    graph: str,
    segment: Segment,
    out: Path,
    *,
    fps: int,
    crf: int,
    preset: str,
    threads: int | None = None,
) -> list[str]:
    """One segment's encode: video only, exactly its frames."""
    args: list[str] = []
    for path in inputs:  # each read as its extension says, from a plain file (provider clips: review M3)
        args += ffmpeg.input_args(path)
    return [
        *args,
        "-filter_complex",
        graph,
        "-map",
        "[vout]",
        *x264_args(fps=fps, crf=crf, preset=preset, threads=threads),
        "-frames:v",
        str(segment.frames),
        "-an",
        str(out),
    ]


def concat_list(names: list[str], seconds: list[float]) -> str:
    """The concat demuxer's list: plain names relative to its folder (no path escaping) and exact lengths.

    Without the lengths the demuxer offsets each segment by its container duration, rounded, which
    put every join a third of a millisecond late here — drift against the audio over a long video.
    """
    for name in names:
        if not re.fullmatch(r"[\w.-]+", name):
            raise ValueError(f"segment file name {name!r} must be a plain file name")
    return "".join(f"file '{name}'\nduration {length:.6f}\n" for name, length in zip(names, seconds, strict=True))


def mux_command(segment_list: Path, audio: Path, out: Path, *, total: float) -> list[str]:
    """Segments joined by stream copy, with the encoded audio, moov first (faststart)."""
    return [
        "-f",
        "concat",
        "-safe",
        "0",
        "-i",
        str(segment_list),
        "-i",
        str(audio),
        "-map",
        "0:v",
        "-map",
        "1:a",
        "-c",
        "copy",
        "-t",
        f"{total:.6f}",
        "-movflags",
        "+faststart",
        str(out),
    ]
