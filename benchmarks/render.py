"""Render benchmark: times each stage of the local pipeline and the peak memory of ffmpeg.

Runs the stages directly (no Prefect, no cache) so the numbers are the media work itself.
Usage: python benchmarks/render.py [--width 1920 --height 1080 --fps 30] [--topic "..."]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--width", type=int, default=1920)
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--topic", default="How volcanoes work")
    args = parser.parse_args()
    os.environ["FRAMECAST_DATA_DIR"] = tempfile.mkdtemp(prefix="framecast-bench-")

    from framecast import edit, narration, quality, runtime, scripting, visuals
    from framecast.config import ChannelConfig, VideoFormat
    from framecast.cost.ledger import default_url
    from framecast.cost.meter import Meter

    channel = ChannelConfig(name="bench", format=VideoFormat(width=args.width, height=args.height, fps=args.fps))
    meter = Meter.open(default_url(Path(os.environ["FRAMECAST_DATA_DIR"])), run="bench/2026-12-01/bench",
                       channel="bench", day="2026-12-01")
    times: dict[str, float] = {}

    def timed(name, fn):
        start = time.perf_counter()
        result = fn()
        times[name] = time.perf_counter() - start
        return result

    pool = ThreadPoolExecutor(args.workers)
    script = timed("script", lambda: scripting.write(args.topic, channel.script, meter))
    scenes = script.scenes
    images = timed("images", lambda: list(pool.map(
        lambda i: visuals.render_image(scenes[i].visual_prompt, i, channel.image, channel.format, 0, meter), range(len(scenes)))))
    voices = timed("narration", lambda: [narration.synthesize(s.narration, channel.voice, meter) for s in scenes])
    timeline = edit.plan(scenes, voices, channel.format)
    clips = timed("motion", lambda: list(pool.map(
        lambda i: visuals.animate(images[i], scenes[i].visual_prompt, scenes[i].motion_prompt, i, timeline.slots[i].duration, channel.motion,
                                  channel.format, 0, meter), range(len(scenes)))))
    captions = edit.write_captions(timeline, voices, channel.format, channel.captions)
    music = timed("music", lambda: edit.prepare_music(channel.music, 0, meter))
    video = timed("assembly", lambda: edit.assemble(timeline, clips, voices, captions, music, channel.format,
                                                    channel.music.gain_db, channel.captions.burn_in,
                                                    channel.quality.loudness_lufs))
    report = timed("quality", lambda: quality.check(video, timeline, captions, channel.quality, channel.format, channel.language, meter))

    floor = encoder_floor(runtime.store().local_path(video.ref), channel.format)

    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"format        {args.width}x{args.height}@{args.fps}, {len(scenes)} scenes, {video.duration:.1f} s video")
    for name, seconds in times.items():
        print(f"{name:<13} {seconds:7.1f} s")
    total = sum(times.values())
    print(f"{'total':<13} {total:7.1f} s  ({total / video.duration:.2f} s per second of video)")
    render = times["motion"] + times["assembly"]
    print(f"encoder floor {floor:7.1f} s  (x264 re-encoding the finished frames, decoding subtracted)")
    print(f"render/floor  {render / floor:7.2f}   (motion + assembly {render:.1f} s; target ≤ 1.5)")
    print(f"peak RSS      ffmpeg {peak_mb:.0f} MB, python {self_mb:.0f} MB")
    print(f"quality       {'passed' if report.passed else 'FAILED: ' + report.summary()}; "
          f"{report.measurements.get('integrated_lufs')} LUFS, {report.measurements.get('true_peak_db')} dBTP")


def encoder_floor(video, fmt) -> float:
    """Seconds x264 needs for these frames with the render's settings: encode-from-decode minus decode alone."""
    from framecast.media import ffmpeg

    def timed_run(args: list[str]) -> float:
        start = time.perf_counter()
        ffmpeg.run(["-i", str(video), "-map", "0:v", *args, "-f", "null", "-"], what="measuring the encoder floor")
        return time.perf_counter() - start

    decode = timed_run([])
    encode = timed_run(["-c:v", "libx264", "-profile:v", "high", "-preset", fmt.preset, "-crf", str(fmt.crf),
                        "-pix_fmt", "yuv420p", "-g", str(max(fmt.fps // 2, 1)), "-bf", "2", "-flags", "+cgop"])
    return max(encode - decode, 1e-3)


if __name__ == "__main__":
    main()
