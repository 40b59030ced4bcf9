"""Ken Burns motion: CPU per frame and smoothness of framecast's filters against zoompan on a 2x still.

    python benchmarks/motion.py [--frames 240]

Smoothness is measured, not eyeballed only: the horizontal shift between consecutive frames is
estimated to a hundredth of a pixel (phase correlation of column profiles, in the left and right
quarters of the frame) and compared with its own 9-frame moving average; the RMS of the difference
is the jitter a viewer sees as shimmer. 1080p, one still from the local image provider.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
W, H = 1920, 1080


def frames(still: Path, vf: str, count: int) -> np.ndarray:
    raw = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(still),
            "-vf",
            f"{vf},format=gray",
            "-frames:v",
            str(count),
            "-f",
            "rawvideo",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, H, W).astype(np.float32)


def cpu_ms_per_frame(still: Path, vf: str, count: int) -> float:
    before = os.times()
    subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(still), "-vf", vf, "-frames:v", str(count), "-f", "null", "-"],
        check=True,
        capture_output=True,
    )
    after = os.times()
    return 1000 * (after.children_user - before.children_user + after.children_system - before.children_system) / count


def _shift(a: np.ndarray, b: np.ndarray) -> float:
    fa, fb = np.fft.rfft(a - a.mean()), np.fft.rfft(b - b.mean())
    cross = fa * np.conj(fb)
    corr = np.fft.irfft(cross / (np.abs(cross) + 1e-9), n=len(a))
    k = int(np.argmax(corr))
    y0, y1, y2 = corr[k - 1], corr[k], corr[(k + 1) % len(a)]
    d = k + 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2)
    return d - len(a) if d > len(a) / 2 else d


def jitter_px(video: np.ndarray) -> float:
    """RMS deviation of the frame-to-frame shift from its moving average, left and right quarters."""
    result = []
    for part in (slice(0, W // 4), slice(3 * W // 4, W)):
        steps = np.array([_shift(a[:, part].mean(0), b[:, part].mean(0)) for a, b in zip(video, video[1:])])
        result.append((steps - np.convolve(steps, np.ones(9) / 9, mode="same"))[8:-8].std())
    return float(np.mean(result))


def zoompan(move, count: int) -> str:
    """The previous way, for every move: zoompan on a 2x upscale of the still."""
    t = f"(on/{count - 1})"
    ease = f"({t}*{t}*(3-2*{t}))"
    cx, cy = f"({move.x0}+({move.x1 - move.x0})*{ease})", f"({move.y0}+({move.y1 - move.y0})*{ease})"
    return (
        f"scale={2 * W}:{2 * H}:flags=lanczos,format=yuv420p,zoompan=z='{move.z0}+({move.z1 - move.z0})*{ease}'"
        f":x='max(0,min(iw-iw/zoom,iw*{cx}-iw/zoom/2))':y='max(0,min(ih-ih/zoom,ih*{cy}-ih/zoom/2))'"
        f":d={count}:s={W}x{H}:fps=30"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=240)
    args = parser.parse_args()
    from framecast.media.motion import MOVES, kenburns_filter
    from framecast.providers.local.image import LocalImageGenerator

    still = Path(tempfile.mkdtemp()) / "still.png"
    LocalImageGenerator().generate("A volcano erupting at night; cinematic", width=W, height=H, seed=7, out=still)
    print(f"{'move':<10} {'filter':<14} {'CPU ms/frame':>12} {'jitter px rms':>14}")
    for name in ("push-in", "pan-left"):
        move = MOVES[name]
        ours = kenburns_filter(move, width=W, height=H, fps=30, frames=args.frames)
        for label, vf in (("zoompan 2x", zoompan(move, args.frames)), ("framecast", ours)):
            print(
                f"{name:<10} {label:<14} {cpu_ms_per_frame(still, vf, args.frames):12.2f} "
                f"{jitter_px(frames(still, vf, args.frames)):14.3f}"
            )


if __name__ == "__main__":
    main()
