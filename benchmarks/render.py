"""Render benchmark: each local stage timed, the render against the encoder floor, peak memory.

Runs the stages directly (no Prefect, no cache) so the numbers are the media work itself.
Usage: python benchmarks/render.py [--width 1920 --height 1080 --fps 30] [--topic "..."]
"""

from __future__ import annotations

import argparse
import time

from common import PeakRSS, assemble, encoder_floor, make_plan


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--width", type=int, default=1920)
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--topic", default="How volcanoes work")
    args = parser.parse_args()

    from framecast import context as runtime
    from framecast.quality import check as quality

    plan = make_plan(args.topic, width=args.width, height=args.height, fps=args.fps, workers=args.workers)
    ch, times = plan.channel, plan.times
    start = time.perf_counter()
    with PeakRSS() as rss:
        video = assemble(plan)
    times["render"] = time.perf_counter() - start
    start = time.perf_counter()
    report = quality.check(
        video, plan.timeline, plan.captions, ch.quality, ch.format, ch.language, plan.meter, services=runtime.services()
    )
    times["quality gate"] = time.perf_counter() - start
    floor = encoder_floor(runtime.store().local_path(video.ref), ch.format)

    print(
        f"format        {args.width}x{args.height}@{args.fps}, {len(plan.scenes)} scenes, {video.duration:.1f} s video"
    )
    for name, seconds in times.items():
        print(f"{name:<13} {seconds:7.1f} s")
    total = sum(times.values())
    print(f"{'total':<13} {total:7.1f} s  ({total / video.duration:.2f} s per second of video)")
    render = times["motion"] + times["render"]
    print(f"encoder floor {floor:7.1f} s  (x264 re-encoding the finished frames, decoding subtracted)")
    print(f"render/floor  {render / floor:7.2f}   (motion + render {render:.1f} s; target ≤ 1.5)")
    print(f"peak RSS      {rss.peak / 2**20:.0f} MB, every process of the render together")
    print(
        f"quality       {'passed' if report.passed else 'FAILED: ' + report.summary()}; "
        f"{report.measurements.get('integrated_lufs')} LUFS, {report.measurements.get('true_peak_db')} dBTP"
    )


if __name__ == "__main__":
    main()
