"""Ken Burns motion for a still image: pure builders for the ffmpeg arguments."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Zoompan rounds the crop origin to whole input pixels; rendering from an upscaled copy makes
# each step a fraction of an output pixel, which is what keeps slow pans from shimmering.
OVERSAMPLE = 2
# A move travels a share of the frame, so a small frame has few whole-pixel steps to make: at 320×180 a
# 45 s rise stepped once a second or less and read as frozen. Small frames are upscaled to at least this.
MIN_OVERSAMPLED_HEIGHT = 720


def oversample(height: int) -> int:
    """How many times the still is upscaled before the move: 2, more for frames under 360 px high."""
    return max(OVERSAMPLE, -(-MIN_OVERSAMPLED_HEIGHT // max(height, 1)))


@dataclass(frozen=True)
class Move:
    """Zoom from z0 to z1 while the crop centre travels from (x0, y0) to (x1, y1) (0–1 of the frame)."""

    z0: float
    z1: float
    x0: float
    y0: float
    x1: float
    y1: float


MOVES = {
    "push-in": Move(1.0, 1.18, 0.5, 0.45, 0.5, 0.4),
    "pull-out": Move(1.2, 1.02, 0.5, 0.4, 0.5, 0.5),
    "pan-right": Move(1.15, 1.15, 0.35, 0.45, 0.65, 0.45),
    "pan-left": Move(1.15, 1.15, 0.65, 0.45, 0.35, 0.45),
    "rise": Move(1.12, 1.16, 0.5, 0.6, 0.5, 0.35),
}
KEYWORDS = [
    ("pull", "pull-out"),
    ("out", "pull-out"),
    ("right", "pan-right"),
    ("left", "pan-left"),
    ("up", "rise"),
    ("rise", "rise"),
    ("push", "push-in"),
    ("in", "push-in"),
]


def choose_move(motion_prompt: str, seed: int) -> str:
    """The move a motion prompt asks for ("slow pan left" → pan-left), else one picked by seed."""
    words = motion_prompt.lower().split()
    for key, move in KEYWORDS:
        if key in words:
            return move
    return sorted(MOVES)[seed % len(MOVES)]


def reachable(move: Move) -> Move:
    """The move with each crop centre pulled inside what its zoom can reach.

    A window 1/z of the frame wide can centre only within [1/2z, 1 - 1/2z]; a centre outside is
    clamped, so the picture stood still for the first and last third of a pan (frozen-video on long
    scenes: the smoke channel's Japanese, Arabic and long-title runs). Clamping the ends instead
    spreads the same travel over the whole scene.
    """

    def inside(c: float, z: float) -> float:
        return min(max(c, 0.5 / z), 1 - 0.5 / z)

    return Move(
        move.z0,
        move.z1,
        inside(move.x0, move.z0),
        inside(move.y0, move.z0),
        inside(move.x1, move.z1),
        inside(move.y1, move.z1),
    )


def kenburns_filter(move: Move, *, width: int, height: int, fps: int, frames: int) -> str:
    """The filter chain turning one still into `frames` frames of smooth zoom and pan."""
    move = reachable(move)
    big_w, big_h = width * oversample(height), height * oversample(height)
    t = f"(on/{max(frames - 1, 1)})"
    # Smoothstep easing, a third of it linear: starts and ends gently instead of jerking into motion, yet never
    # at rest, so a long scene's first and last seconds still move (the gate's frozen-video check).
    ease = f"({t}*{t}*(2-{t}*4/3)+{t}/3)"
    cx = f"({move.x0}+({move.x1 - move.x0})*{ease})"
    cy = f"({move.y0}+({move.y1 - move.y0})*{ease})"
    if move.z0 == move.z1:
        return _pan_filter(
            move, cx.replace("on/", "n/"), cy.replace("on/", "n/"), width=width, height=height, fps=fps, frames=frames
        )
    z = f"{move.z0}+({move.z1 - move.z0})*{ease}"
    x = f"max(0,min(iw-iw/zoom,iw*{cx}-iw/zoom/2))"
    y = f"max(0,min(ih-ih/zoom,ih*{cy}-ih/zoom/2))"
    return (
        f"scale={big_w}:{big_h}:force_original_aspect_ratio=increase:flags=lanczos,crop={big_w}:{big_h},"
        f"format=yuv420p,zoompan=z='{z}':x='{x}':y='{y}':d={frames}:s={width}x{height}:fps={fps},"
        f"setsar=1,format=yuv420p"
    )


def _pan_filter(move: Move, cx: str, cy: str, *, width: int, height: int, fps: int, frames: int) -> str:
    """A pan without zoom: a fixed window moved across the oversampled still, then one fixed scale down.

    Half the CPU of zoompan for the same half-pixel steps (zoompan rescales a different window
    every frame; here the scaler's set-up is made once), measured in benchmarks/render.py.
    """
    win_w, win_h = width * oversample(height), height * oversample(height)
    big_w, big_h = round(win_w * move.z0 / 2) * 2, round(win_h * move.z0 / 2) * 2
    x = f"max(0,min(iw-{win_w},iw*{cx}-{win_w / 2:g}))"
    y = f"max(0,min(ih-{win_h},ih*{cy}-{win_h / 2:g}))"
    return (
        f"scale={big_w}:{big_h}:force_original_aspect_ratio=increase:flags=lanczos,crop={big_w}:{big_h},"
        f"format=yuv420p,loop=loop={frames - 1}:size=1,setpts=N/{fps}/TB,fps={fps},"
        f"crop={win_w}:{win_h}:x='{x}':y='{y}':exact=1,scale={width}:{height}:flags=area,setsar=1,format=yuv420p"
    )


def animate_command(
    image: Path,
    out: Path,
    move: Move,
    *,
    width: int,
    height: int,
    fps: int,
    duration: float,
    crf: int = 18,
    preset: str = "veryfast",
) -> list[str]:
    """ffmpeg arguments rendering `image` into an H.264 clip of `duration` seconds."""
    frames = max(int(round(duration * fps)), 1)
    return [
        "-i",
        str(image),
        "-vf",
        kenburns_filter(move, width=width, height=height, fps=fps, frames=frames),
        "-frames:v",
        str(frames),
        "-r",
        str(fps),
        "-c:v",
        "libx264",
        "-preset",
        preset,
        "-crf",
        str(crf),
        "-pix_fmt",
        "yuv420p",
        "-an",
        str(out),
    ]
