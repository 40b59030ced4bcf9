"""Throughput: sixty-second 1080p videos per machine-day in sandbox mode (a batch, extrapolated).

    python benchmarks/throughput.py [--batch 3]

Runs `framecast make --sandbox` for --batch channels at once (copies of the demo channel, each its
own name: runs of one channel wait for each other by design), as an agency would on one machine —
every stage on a cloud provider, against the local sandbox at its default latencies, all against
one real `prefect server start`. Prints the batch's wall time and videos per day at
that rate. The issue's aim: ≥ 1,500 a day on 2 cores. The server's own start is not counted.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOPICS = [
    "How volcanoes work",
    "Why the sky is blue",
    "How bees make honey",
    "How tides work",
    "Why leaves change colour",
    "How glaciers carve valleys",
]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="framecast-throughput-"))
    os.environ.update(
        {
            "PREFECT_HOME": str(work / "prefect"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_LOGGING_LEVEL": "ERROR",
        }
    )
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from chaos import prefect_server

    server = prefect_server(work)
    try:
        import yaml

        demo = yaml.safe_load((Path(__file__).resolve().parents[1] / "deployments" / "demo.yaml").read_text())
        channels = []
        for i in range(args.batch):
            channels.append(work / f"bench-{i}.yaml")
            channels[-1].write_text(yaml.safe_dump({**demo, "name": f"bench-{i}"}))
        cli = str(Path(sys.executable).with_name("framecast"))
        started = time.perf_counter()
        procs = [
            subprocess.Popen(
                [
                    cli,
                    "make",
                    "--sandbox",
                    "--channel",
                    str(channels[i]),
                    TOPICS[i % len(TOPICS)],
                    "--out",
                    str(work / f"out{i}"),
                ],
                stdout=(work / f"make{i}.log").open("w"),
                stderr=subprocess.STDOUT,
            )
            for i in range(args.batch)
        ]
        codes = [p.wait() for p in procs]
        wall = time.perf_counter() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(f"batch         {args.batch} videos at once, exit codes {codes} (logs in {work})")
    if any(codes):
        print("a run failed: no throughput to report")
        return 1
    print(f"wall time     {wall:7.1f} s  ({wall / args.batch:.1f} s per video)")
    print(f"per day       {86400 * args.batch / wall:7.0f} videos per machine-day at this rate (aim ≥ 1,500)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
