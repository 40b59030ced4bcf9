"""Memory of the whole render (every process) at 60 s and at 10 min of 1080p output.

    python benchmarks/memory.py [--width 1920 --height 1080] [--long-scenes 40]

Both videos are made of the demo script's scenes, repeated for the long one (40 scenes of ~15 s,
the longest script framecast accepts), through the local stages; only the render is measured.
Each size runs in its own process, so the Python process's own growth (the voice model, the plan)
does not leak from one measurement into the other. The issue's target: the two peaks within 10 %.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from common import PeakRSS, assemble, demo_scenes, make_plan


def scenes_for(topic: str, count: int, sentences_per_scene: int):
    demo = demo_scenes(topic)
    from framecast.core.models import Scene

    out = []
    for i in range(count):
        base = demo[i % len(demo)]
        # About 15 s of speech per scene for the long video: 40 scenes make 10 minutes.
        text = " ".join(
            " ".join([base.narration] * sentences_per_scene).split()[: 38 if sentences_per_scene > 1 else None]
        )
        out.append(
            Scene(
                narration=text,
                visual_prompt=f"{base.visual_prompt} (part {i + 1})",
                motion_prompt=base.motion_prompt,
                duration=min(30.0, 6.0 * sentences_per_scene),
                transition=base.transition,
            )
        )
    return out


def measure(label: str, topic: str, count: int, sentences: int, args) -> None:
    plan = make_plan(
        topic, width=args.width, height=args.height, fps=args.fps, scenes=scenes_for(topic, count, sentences)
    )
    start = time.perf_counter()
    with PeakRSS() as rss:
        video = assemble(plan)
    seconds = time.perf_counter() - start
    print(
        f"{label:<6} {video.duration:6.1f} s of video, {len(plan.scenes):3d} scenes: render {seconds:6.1f} s "
        f"({seconds / video.duration:.2f} s/s); peak RSS: ffmpeg processes {rss.children / 2**20:5.0f} MB, "
        f"python {rss.python / 2**20:5.0f} MB, all {rss.peak / 2**20:5.0f} MB",
        flush=True,
    )
    print(f"       at the ffmpeg peak: {', '.join(f'{mb} MB {Path(arg).name}' for mb, arg in rss.at_peak)}")
    print(f"PEAKS {rss.children} {rss.peak}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--width", type=int, default=1920)
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--topic", default="How volcanoes work")
    parser.add_argument("--long-scenes", type=int, default=40)
    parser.add_argument("--only", choices=["short", "long"])
    args = parser.parse_args()
    if args.only == "short":
        return measure("60 s", args.topic, 7, 1, args)
    if args.only == "long":
        return measure("10 min", args.topic, args.long_scenes, 2, args)
    peaks = {}
    for size in ("short", "long"):
        out = subprocess.run(
            [sys.executable, __file__, *sys.argv[1:], "--only", size], capture_output=True, text=True, check=True
        ).stdout
        print("".join(line + "\n" for line in out.splitlines() if not line.startswith("PEAKS")), end="", flush=True)
        peaks[size] = [int(x) for x in next(ln for ln in out.splitlines() if ln.startswith("PEAKS")).split()[1:]]
    (short_ffmpeg, short_all), (long_ffmpeg, long_all) = peaks["short"], peaks["long"]
    print(
        f"10 min / 60 s peak RSS: ffmpeg processes {long_ffmpeg / short_ffmpeg:.2f}, all {long_all / short_all:.2f} "
        f"(target within 10 %: 0.90–1.10)"
    )


if __name__ == "__main__":
    main()
