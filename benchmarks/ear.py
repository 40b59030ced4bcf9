"""The gate's ear on demo-sized videos and on deliberately broken copies of their mix (issue 20).

For each topic: the offline writer's script at the demo's length (6-10 scenes, ~60 s), the offline voice,
the generated music bed and framecast's own render (320x180: the ear hears the soundtrack only), then the
real gate on the clean video and on four broken mixes — music brought up to the voice's loudness, scenes
3 and 4 swapped, captions 0.5 s late, captions 0.5 s early. Prints, per mix, the verdict, the ear's
measurements and the checks that failed, and the time the ear took. No network.

    .venv/bin/python benchmarks/ear.py [--topics "How volcanoes work" "Why the sky is blue"]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

EAR = ("speech-heard", "caption-timing", "speech-over-floor")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", nargs="+", default=["How volcanoes work", "Why the sky is blue"])
    args = parser.parse_args()
    os.environ["FRAMECAST_DATA_DIR"] = tempfile.mkdtemp(prefix="framecast-ear-bench-")
    from framecast import context
    from tests.quality import ear_mixes as em

    services = context.services()
    verdicts = []
    for topic in args.topics:
        made = em.make(services, topic, (6, 10), 60, 1.05)
        print(f"\n{topic}: {len(made.script.scenes)} scenes, {made.video.duration:.1f} s")
        mixes = {
            "clean": {},
            "music as loud as the voice": {"video": em.music_as_loud(made)},
            "scenes 3 and 4 swapped": {"video": em.swapped(made, 2, 3)},
            "captions 0.5 s late": {"captions": em.shifted_captions(made, 0.5)},
            "captions 0.5 s early": {"captions": em.shifted_captions(made, -0.5)},
        }
        for name, broken in mixes.items():
            started = time.perf_counter()
            report = em.judge(made, **broken)
            took = time.perf_counter() - started
            m = report.measurements
            ear_failed = sorted({f"{c.name}@{c.scene_index + 1}" for c in report.failures if c.name in EAR})
            other = sorted({c.name for c in report.failures if c.name not in EAR})
            verdicts.append((name == "clean") == report.passed and (name == "clean" or bool(ear_failed)))
            wer, lag, floor = (
                m.get(k, 0) for k in ("heard_word_error_rate", "caption_offset_seconds", "speech_over_floor_db")
            )
            print(
                f"  {name:28} {'PASS' if report.passed else 'FAIL'}  word error {wer:.1%}"
                f"  captions {lag:+.2f} s  floor {floor:.1f} dB"
                f"  gate {took:.1f} s  ear failed: {', '.join(ear_failed) or '-'}"
                + (f"  other: {', '.join(other)}" if other else "")
            )
    print(f"\n{sum(verdicts)} of {len(verdicts)} mixes judged as intended (clean passes, each broken one fails by ear)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
