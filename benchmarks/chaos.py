"""Chaos: N sandbox runs under a seeded fault mix, counted on the provider side; then a kill -9 drill.

    python benchmarks/chaos.py [--runs 6] [--seed 7] [--rate 0.3]

Every run uses a cloud provider at every stage (OpenAI script and images, Runway motion, ElevenLabs
voice and sound) against the local sandbox. Before each run, each paid endpoint gets, with
probability --rate, one fault drawn from the mix below. Printed: runs completed, faults injected by
kind, extra requests per fault, early retries (sooner than the Retry-After the sandbox gave), repeated
paid Runway jobs (created beyond one per scene), and the ledger's Runway total against what the
provider side billed. The drill kills a run with SIGKILL after its first paid job, re-runs it, and
counts the jobs again. Targets (README): 0 repeated paid jobs, 0 early retries, ledger = billed,
every run completes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# (provider, endpoint) → faults that may be drawn for it (kind, extra Fault fields)
MIX = {
    ("openai", "chat.completions"): [("http", {"status": 429, "retry_after": "1"}), ("http", {"status": 503})],
    ("openai", "images.generations"): [("http", {"status": 429, "retry_after": "1"}), ("http", {"status": 500})],
    ("elevenlabs", "tts.with_timestamps"): [("http", {"status": 429, "retry_after": "1"}), ("http", {"status": 503})],
    ("elevenlabs", "sound_generation"): [("http", {"status": 503})],
    ("runway", "image_to_video"): [
        ("http", {"status": 429, "retry_after": "1"}),
        ("http", {"status": 503}),
        ("created_reset", {}),
        ("throttled", {}),
        ("failed_internal", {}),
    ],
    ("runway", "tasks"): [("http", {"status": 503}), ("malformed", {})],
    ("runway", "media"): [("truncated", {}), ("expired", {}), ("http", {"status": 503})],
}
RUNWAY_USD_PER_SECOND = 0.05


def tiny_cloud_channel(folder: Path, name: str) -> Path:
    import yaml

    from framecast.channel import ChannelConfig
    from framecast.plan.cloud import with_cloud_providers

    base = ChannelConfig.model_validate(
        {
            "name": name,
            "format": {"width": 320, "height": 180, "fps": 12, "preset": "veryfast"},
            "script": {"min_scenes": 2, "max_scenes": 3, "target_seconds": 16},
            "captions": {"max_chars_per_line": 30, "max_lines": 2, "font_scale": 0.08},
        }
    )
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(with_cloud_providers(base).model_dump(mode="json")))
    return path


def runway_billed(state) -> tuple[int, float]:
    """Jobs Runway created and what they bill (a failed or cancelled job is refunded: not billed)."""
    with state.lock:
        tasks = [
            t
            for t in state.tasks.values()
            if t.get("provider", "runway") == "runway" and "body" in t and "duration" in t["body"]
        ]
    billed = [
        t
        for t in tasks
        if t.get("fault") not in ("failed_internal", "failed_safety", "cancelled") and t.get("phase") != "CANCELLED"
    ]
    return len(tasks), round(sum(int(t["body"]["duration"]) for t in billed) * RUNWAY_USD_PER_SECOND, 4)


def ledger_runway(data_dir: Path) -> tuple[int, float]:
    from framecast.cost.ledger import default_url, open_ledger

    rows = [e for e in open_ledger(default_url(data_dir)).entries() if e["provider"] == "runway"]
    return len(rows), round(sum(e["usd"] for e in rows), 4)


def scenes_published(data_dir: Path) -> int:
    return sum(len(json.loads(p.read_text())["scenes"]) for p in (data_dir / "published").rglob("script.json"))


def chaos(args, sandbox, data_dir: Path, channel: Path) -> None:
    from flows.produce_video import produce_video
    from framecast.core.errors import FramecastError
    from framecast.sandbox import Fault

    rng = random.Random(args.seed)
    injected, completed, failures = Counter(), 0, []
    for i in range(args.runs):
        for (provider, endpoint), kinds in MIX.items():
            if rng.random() < args.rate:
                kind, extra = rng.choice(kinds)
                sandbox.state.inject(provider, endpoint, Fault(kind=kind, **extra))
                injected[
                    f"{provider}/{endpoint}:{kind}{'-' + str(extra.get('status')) if 'status' in extra else ''}"
                ] += 1
        started = time.perf_counter()
        try:
            produce_video(channel=str(channel), topic=f"Chaos topic number {i + 1}")
            completed += 1
            outcome = "completed"
        except FramecastError as exc:
            failures.append(f"run {i + 1}: {type(exc).__name__}: {str(exc)[:200]}")
            outcome = f"failed ({type(exc).__name__})"
        print(f"  run {i + 1}/{args.runs}: {outcome} in {time.perf_counter() - started:.0f} s", flush=True)
    with sandbox.state.lock:
        requests = sum(n for (p, _), n in sandbox.state.counters.items() if p in ("openai", "elevenlabs", "runway"))
        early = sum(sandbox.state.early.values())
        early_where = ", ".join(f"{p}/{e} ×{n}" for (p, e), n in sandbox.state.early.items())
    jobs, billed_usd = runway_billed(sandbox.state)
    rows, ledger_usd = ledger_runway(data_dir)
    scenes = scenes_published(data_dir)
    faults = sum(injected.values())
    print(f"runs completed            {completed}/{args.runs}  (seed {args.seed}, fault rate {args.rate})")
    for line in failures:
        print(f"  {line}")
    print(f"faults injected           {faults}: " + ", ".join(f"{k} ×{n}" for k, n in sorted(injected.items())))
    print(f"provider requests         {requests}")
    print(f"early retries             {early}   (target 0: no request before its Retry-After) {early_where}")
    print(
        f"runway jobs created       {jobs} for {scenes} published scenes "
        f"(repeated paid jobs: {max(0, jobs - scenes - injected_failed(injected))}; target 0)"
    )
    print(
        f"runway ledger vs billed   ${ledger_usd:.2f} in {rows} rows vs ${billed_usd:.2f} provider-side "
        f"({'equal' if abs(ledger_usd - billed_usd) < 0.005 else 'DIFFERENT'})"
    )


def injected_failed(injected: Counter) -> int:
    """Jobs the provider itself failed (a new job for those scenes is expected, and not billed twice)."""
    return sum(n for k, n in injected.items() if k.startswith("runway/image_to_video:failed"))


def drill(sandbox, data_dir: Path, channel: Path) -> None:
    """kill -9 a run after its first paid Runway job; re-run it; count the jobs on the provider side."""
    sandbox.state.reset()
    topic = "The kill nine drill"
    code = f"from flows.produce_video import produce_video; produce_video(channel={str(channel)!r}, topic={topic!r})"
    env = {**os.environ, **sandbox.env(), "FRAMECAST_DATA_DIR": str(data_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.time() + 300
    while sandbox.state.calls("runway", "paid") == 0 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = sandbox.state.calls("runway", "paid")
    from flows.produce_video import produce_video

    publication = produce_video(channel=str(channel), topic=topic)
    scenes = len(json.loads((Path(publication.location) / "script.json").read_text())["scenes"])
    jobs = sandbox.state.calls("runway", "paid")
    print(
        f"kill -9 drill             killed after {before} paid job(s); re-run published "
        f"{scenes} scenes with {jobs} Runway jobs in all (repeated: {jobs - scenes}; target 0)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rate", type=float, default=0.3)
    parser.add_argument("--no-drill", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="framecast-chaos-"))
    os.environ.update(
        {
            "FRAMECAST_DATA_DIR": str(work / "out"),
            "PREFECT_HOME": str(work / "prefect"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_LOGGING_LEVEL": "ERROR",
            "FRAMECAST_HTTP_TIMEOUT_SECONDS": "5",
            "FRAMECAST_POLL_SECONDS": "0.2",
            # After a POST whose answer was lost, Runway jobs wait 5 min before one more (real
            # default); the benchmark waits 5 s, so it measures the policy, not the clock.
            "FRAMECAST_RUNWAY_RESUBMIT_AFTER_SECONDS": "5",
        }
    )
    server = prefect_server(work)  # a real server: its lease service frees a killed run's channel lock
    try:
        from framecast import providers
        from framecast.sandbox import Sandbox
        from framecast.settings import reset_settings

        with Sandbox(providers.sandbox_routes(), media_scale=0.25) as sandbox:
            os.environ.update(sandbox.env())
            reset_settings()
            channel = tiny_cloud_channel(work, "chaos")
            started = time.perf_counter()
            chaos(args, sandbox, work / "out", channel)
            if not args.no_drill:
                drill(sandbox, work / "out", channel)
            print(f"wall time                 {time.perf_counter() - started:.0f} s")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return 0


def prefect_server(work: Path) -> subprocess.Popen:
    """`prefect server start` on a free 127.0.0.1 port with its own home; PREFECT_API_URL points at it."""
    import socket

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    os.environ["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
    log = (work / "prefect-server.log").open("ab")
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("prefect")), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if httpx.get(f"{os.environ['PREFECT_API_URL']}/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.5)
    raise SystemExit(f"prefect server did not start; see {work / 'prefect-server.log'}")


if __name__ == "__main__":
    sys.exit(main())
