"""DAG: one 12-scene sandbox video with provider latencies at realistic ratios, against its critical path.

    python benchmarks/dag.py [--scale 0.1] [--scenes 12]

Latencies (seconds × --scale): script and image 8 (OpenAI; the sandbox has one latency per provider),
text-to-speech 3 (ElevenLabs),
image-to-video ~60 (Runway: a task finishes at its second poll, so the poll interval is 30 × scale),
Video Intelligence 45. Prints the sum of every task's time (what a sequential run would take), the
flow's actual wall time, and the critical-path lower bound computed from the measured task times
(script → per scene max(image, narration) + motion → assembly → gate → publish), with the ratio.
The issue's target: actual within 15 % of the bound.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))


def seconds(run: dict) -> float:
    return (run["end"] - run["start"]).total_seconds()


def critical_path(runs: dict[str, dict], scenes: int) -> float:
    """The longest chain of measured task times through the DAG (provider limits aside)."""

    def t(name: str) -> float:
        return seconds(runs[name]) if name in runs else 0.0

    per_scene = max(
        max(t(f"render-scene-image-{i}"), t(f"synthesize-narration-{i}") + t(f"size-scene-slot-{i}"))
        + t(f"animate-scene-{i}")
        for i in range(scenes)
    )
    tail = ("assemble-video", "check-quality", "make-thumbnail", "record-run", "publish-video")
    return t("choose-topic") + t("write-script") + per_scene + max(t("plan-timeline"), 0) + sum(t(n) for n in tail)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--scenes", type=int, default=12)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="framecast-dag-"))
    k = args.scale
    os.environ.update(
        {
            "FRAMECAST_DATA_DIR": str(work / "out"),
            "PREFECT_HOME": str(work / "prefect"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_LOGGING_LEVEL": "ERROR",
            "FRAMECAST_POLL_SECONDS": str(30 * k),
        }
    )
    from chaos import prefect_server

    server = prefect_server(work)
    try:
        import yaml

        from framecast import providers
        from framecast.channel import ChannelConfig
        from framecast.plan.cloud import with_cloud_providers
        from framecast.sandbox import Sandbox
        from framecast.settings import reset_settings

        with Sandbox(providers.sandbox_routes(), media_scale=0.25) as sandbox:
            os.environ.update(sandbox.env())
            reset_settings()
            # One latency per provider in the sandbox: the OpenAI script takes an image's 8 s here.
            for provider, latency in (("openai", 8), ("elevenlabs", 3), ("videointelligence", 45)):
                sandbox.state.latency[provider] = latency * k
            base = ChannelConfig.model_validate(
                {
                    "name": "dag",
                    "format": {"width": 320, "height": 180, "fps": 12, "preset": "veryfast"},
                    "script": {"min_scenes": args.scenes, "max_scenes": args.scenes, "target_seconds": 5 * args.scenes},
                    "quality": {"analyzers": ["local", "google"]},
                }
            )
            data = with_cloud_providers(base).model_dump(mode="json")
            channel = work / "dag.yaml"
            channel.write_text(yaml.safe_dump(data))

            from flows.produce_video import produce_video
            from framecast.providers.base import ScriptBrief
            from framecast.providers.local.script import LocalScriptWriter
            from tests.flows.test_dag import task_runs

            # The sandbox's LLM writers stop at 8 scenes: a ready 12-scene script (the script stage is skipped).
            # The offline writer also stops at 8: its scenes again, each with its own picture, to 12.
            base_script = LocalScriptWriter().write(
                ScriptBrief(topic="How rivers shape valleys", min_scenes=6, max_scenes=8, target_seconds=40)
            )
            scenes = [base_script.scenes[i % len(base_script.scenes)] for i in range(args.scenes)]
            script = base_script.model_copy(
                update={
                    "scenes": [
                        s.model_copy(update={"visual_prompt": f"{s.visual_prompt}, view {i + 1}"})
                        for i, s in enumerate(scenes)
                    ]
                }
            )
            started = time.perf_counter()
            publication = produce_video(channel=str(channel), topic="How rivers shape valleys", script=script)
            actual = time.perf_counter() - started
            import json

            manifest = json.loads(Path(publication.manifest.uri.removeprefix("file://")).read_text())
            runs = task_runs(manifest["run"].rsplit("/", 1)[-1])
    finally:
        import signal

        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    sequential = sum(seconds(r) for r in runs.values())
    bound = critical_path(runs, args.scenes)
    print(f"{args.scenes} scenes, latency scale {k}: {len(runs)} task runs")
    print(f"sequential (sum of task times)  {sequential:7.1f} s")
    print(f"actual (flow wall time)         {actual:7.1f} s")
    print(f"critical-path lower bound       {bound:7.1f} s")
    print(f"actual / bound                  {actual / bound:7.2f}   (target ≤ 1.15)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
