"""A cold `framecast make` of the demo, end to end, against the encoder floor of what it made.

    python benchmarks/make.py [-- extra framecast make arguments]

Cold: a fresh output folder and a fresh Prefect home, so Prefect's start (its ephemeral server),
every stage and the gate are all counted. The issue's target: ≤ 2.2× the encoder floor.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import encoder_floor


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="framecast-make-"))
    env = {**os.environ, "PREFECT_HOME": str(work / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    cli = str(Path(sys.executable).with_name("framecast"))
    start = time.perf_counter()
    subprocess.run(
        [cli, "make", "--out", str(work / "out"), *sys.argv[1:]], env=env, check=True, stdout=subprocess.DEVNULL
    )
    wall = time.perf_counter() - start
    video = max((p for p in (work / "out").rglob("*.mp4") if "work" not in p.parts), key=lambda p: p.stat().st_size)
    from framecast.edit.config import VideoFormat
    from framecast.media import ffmpeg

    info = ffmpeg.probe(video)
    stream = ffmpeg.stream(info, "video")
    fmt = VideoFormat(width=int(stream["width"]), height=int(stream["height"]), fps=round(ffmpeg.frame_rate(stream)))
    floor = encoder_floor(video, fmt)
    print(f"video         {fmt.width}x{fmt.height}@{fmt.fps}, {float(info['format']['duration']):.1f} s ({video.name})")
    print(f"cold make     {wall:7.1f} s  (Prefect start, every stage, the gate, publish)")
    print(f"encoder floor {floor:7.1f} s")
    print(f"make/floor    {wall / floor:7.2f}   (target ≤ 2.2)")


if __name__ == "__main__":
    main()
