"""`framecast make TOPIC`: run the produce-video flow locally with progress bars."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

from framecast.commands.clierrors import BAD_INPUT_OR_FAILED_STEP, one_line, redacted, unexpected
from framecast.core.errors import FramecastError

# Offline-friendly Prefect defaults; set before Prefect is imported, and only if the user has not.
PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_RESULTS_DEFAULT_SERIALIZER": "json",  # results are JSON only (tasks/results.py refuses any other)
    # Leases on disk (PREFECT_HOME/concurrency_leases), not in the ephemeral server's memory: a `make` killed
    # mid-run leaves a lease the next local run reclaims once it expires (tasks/leases.py).
    "PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE": "prefect.server.concurrency.lease_storage.filesystem",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="framecast", description="Topic in, narrated and captioned video out.")
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("make", help="make (and publish, if it passes the quality gate) one video")
    make.add_argument(
        "topic",
        nargs="?",
        default="",
        help='what the video is about, e.g. "How volcanoes work" (default: the channel\'s topic of the day)',
    )
    make.add_argument("--channel", default="demo", help="channel name in deployments/ or path to a channel YAML")
    make.add_argument("--out", type=Path, help="output folder (artifact store); default ./framecast-output")
    make.add_argument("--script", type=Path, help="your own script file (JSON or YAML, same schema)")
    make.add_argument("--notes", type=Path, help="facts for the script writer, one per line")
    make.add_argument("--refresh", action="store_true", help="ignore cached results and regenerate every step")
    make.add_argument(
        "--verbose", action="store_true", help="show Prefect's logs, and a traceback on an unexpected error"
    )
    make.add_argument(
        "--sandbox",
        action="store_true",
        help="use a cloud provider at every stage, against the local provider sandbox (no keys, no cost)",
    )
    sub.add_parser("channels", help="list the channels in deployments/")
    ops = sub.add_parser(
        "prefect-setup",
        help="set up the Prefect server for unattended runs: work pool, crash detection, result storage (idempotent)",
    )
    ops.add_argument("--pool", default="framecast-local", help="process work pool to create or update")
    ops.add_argument(
        "--concurrency", type=int, help="videos rendered at once on the pool (default: one per two CPU cores)"
    )
    ops.add_argument(
        "--notify",
        metavar="URL",
        help="alert on failed, crashed or gate-refused runs: a webhook URL "
        '(Slack or {"text"} JSON), an Apprise URL (mailto://…), or `none` to remove the alerts',
    )
    est = sub.add_parser("estimate", help="expected cost of one run of a channel, without spending anything")
    est.add_argument("--channel", default="demo")
    est.add_argument("--cloud", action="store_true", help="as if every stage used its cloud provider")
    hooks = sub.add_parser(
        "callbacks", help="webhook receiver that completes Kling jobs (put it behind an HTTPS proxy)"
    )
    hooks_sub = hooks.add_subparsers(dest="callbacks_command", required=True)
    serve = hooks_sub.add_parser("serve", help="serve POST /kling/<job> in the foreground")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8780)
    serve.add_argument(
        "--out", type=Path, help="the artifact store the workers use (local folder); default ./framecast-output"
    )
    pre = sub.add_parser("preflight", help="check keys, model shutdown dates and the budget before a run")
    pre.add_argument("--channel", default="demo")
    pre.add_argument("--date", type=date.fromisoformat, help="the run's day, YYYY-MM-DD (default: today)")
    pre.add_argument("--offline", action="store_true", help="do not ask the providers whether the keys are accepted")
    spent = sub.add_parser("costs", help="what a channel spent in a month, from the shared cost ledger")
    spent.add_argument("--channel", help="one channel (default: every channel)")
    spent.add_argument("--month", help="YYYY-MM (default: this month)")
    spent.add_argument("--reconcile", metavar="ID", help="settle an unconfirmed reservation (listed by costs)")
    spent.add_argument("--billed", type=float, metavar="USD", help="with --reconcile: what the provider charged")
    spent.add_argument("--released", action="store_true", help="with --reconcile: the provider charged nothing")
    sub.add_parser("voices", help="list the ElevenLabs voices on your account (needs ELEVENLABS_API_KEY)")
    box = sub.add_parser("sandbox", help="run the provider sandbox in the foreground")
    box.add_argument("--port", type=int, default=8765)
    from framecast.commands import deployments as deploygen  # prefect.yaml from the channel files
    from framecast.commands import models  # each known model's price and status on a day

    deploygen.register(sub)
    models.register(sub)
    return parser


def _preflight(args) -> tuple:
    """Check everything cheap before starting Prefect: channel, topic/script, output folder, ffmpeg."""
    from framecast import context
    from framecast.media import ffmpeg
    from framecast.plan.load import load_channel
    from framecast.script import write as scripting
    from framecast.storage.local import LocalArtifactStore
    from framecast.topic import choose as topics

    channel = load_channel(args.channel)
    script = scripting.load(args.script, channel.script) if args.script else None
    notes = scripting.read_notes(args.notes)
    if not args.topic.strip() and script is not None:
        topic = scripting.script_topic(script)
    elif args.topic.strip() or not topics.backlog(channel):
        topic = scripting.clean_topic(args.topic)  # blank with a backlog: the flow takes the day's topic
    else:
        topic = ""
    LocalArtifactStore(Path(os.environ["FRAMECAST_DATA_DIR"]))
    context.services()  # points the media tools at FRAMECAST_FFMPEG / FRAMECAST_FFPROBE
    ffmpeg.tools()
    return channel, script, notes, topic


def _make(args) -> int:
    from rich.console import Console
    from rich.markup import escape

    console = Console(stderr=True, soft_wrap=True)  # never break paths in messages
    out = (args.out or Path(os.environ.get("FRAMECAST_DATA_DIR", "framecast-output"))).resolve()
    if args.sandbox:  # sandbox media, results and (fake) costs never mix with a real run's, whatever .env says
        from framecast.sandbox.isolation import isolate

        out, ignored = isolate(out)
        if ignored:
            console.print(
                f"sandbox: ignoring the configured {' and '.join(ignored)} (a sandbox run keeps everything in {out})",
                markup=False,
            )
    os.environ["FRAMECAST_DATA_DIR"] = str(out)
    for key, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)
    if args.verbose:
        os.environ["PREFECT_LOGGING_LEVEL"] = "INFO"
    if args.refresh:
        os.environ["PREFECT_TASKS_REFRESH_CACHE"] = "true"

    from framecast.core.errors import FramecastError
    from framecast.plan.load import load_channel
    from framecast.settings import reset_settings

    sandbox = None
    if args.sandbox:
        from framecast import providers
        from framecast.sandbox import Sandbox

        sandbox = Sandbox(providers.sandbox_routes()).start()
        os.environ.update(sandbox.env())
        console.print(f"sandbox: providers answered by {escape(sandbox.url)} (no keys, no cost)")
    reset_settings()
    try:
        try:
            channel, script, notes, topic = _preflight(args)
            if sandbox is not None:
                channel_file = _cloud_channel_file(channel, out)
                args.channel, channel = str(channel_file), load_channel(str(channel_file))
        except FramecastError as exc:
            console.print(f"[red]error:[/red] {escape(one_line(redacted(str(exc))))}")
            return 2
        except Exception as exc:  # noqa: BLE001 — one line naming the stage, never a traceback (unless --verbose)
            return unexpected(exc, "pre-flight", args.verbose)
        return _run(args, console, channel, script, notes, topic, out)
    finally:
        if sandbox is not None:
            sandbox.stop()


def _cloud_channel_file(channel, out: Path) -> Path:
    """Write the channel with cloud providers at every stage, for a sandbox run."""
    import yaml

    from framecast.plan.cloud import with_cloud_providers

    path = out / "channels" / f"{channel.name}-sandbox.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(with_cloud_providers(channel).model_dump(mode="json")))
    return path


def _run(args, console, channel, script, notes, topic, out: Path) -> int:
    """Run the flow with progress bars; print the verdict, the cost table and the MP4's path."""
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from flows.produce_video import produce_video
    from framecast.commands.clierrors import quiet_tracebacks
    from framecast.core import progress
    from framecast.core.errors import FramecastError, QualityGateFailed

    if not args.verbose:  # the failure's one line below is the message; --verbose shows Prefect's tracebacks
        quiet_tracebacks()
    # Every value is escaped: a topic like "How [/] works" or a provider's error body is text, not markup.
    console.print(
        f"framecast: [bold]{escape(topic or 'the topic of the day')}[/bold] for channel "
        f"[bold]{escape(channel.name)}[/bold] ({channel.format.size} @ {channel.format.fps} fps) → "
        f"{escape(str(out))}"
    )
    bars = Progress(
        TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    )
    from tasks.results import result_storage

    # JSON-only result storage; with a bucket store, results beside the artifacts so other machines resume from them
    flow = produce_video.with_options(result_storage=result_storage())
    listener = progress.RichBars(bars)
    try:
        with bars:
            progress.listen(listener)
            publication = flow(channel=args.channel, topic=topic, notes=list(notes), script=script)
    except QualityGateFailed as exc:
        console.print("[red]quality gate: FAILED[/red] — not published")
        for check in exc.report.failures if exc.report else []:
            where = (
                f" at {check.at_seconds:.1f} s (scene {check.scene_index + 1})" if check.at_seconds is not None else ""
            )
            console.print(f"  - {escape(check.name)}{where}: {escape(str(check.detail))}")
        console.print(escape(str(exc)))
        return 1
    except FramecastError as exc:
        console.print(f"[red]error:[/red] {escape(one_line(redacted(str(exc))))}")
        return 2
    except Exception as exc:  # noqa: BLE001 — exit code 1 means the gate said no; anything else is 2, one line
        return unexpected(exc, listener.current, args.verbose)
    finally:
        progress.listen(None)

    from framecast import context as runtime

    manifest = json.loads(runtime.store().local_path(publication.manifest).read_text())
    from framecast.commands.cost import cost_table

    cost_table(console, manifest["run"])
    for line in manifest.get("fallbacks", []):
        console.print(f"[yellow]fallback:[/yellow] {escape(line)}")
    report = publication.quality
    console.print(
        f"quality gate: [green]PASSED[/green] ({len(report.checks)} checks; "
        f"{report.measurements.get('integrated_lufs')} LUFS)"
    )
    console.print(f"duration: {publication.duration:.1f} s")
    if publication.youtube:
        console.print(f"youtube: {escape(str(publication.youtube.get('url')))}")
    print(f"{publication.location}/video.mp4")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _command(args)
    except KeyboardInterrupt:
        raise
    except FramecastError as exc:  # a named failure (a setting, the server's result storage): its own one line
        print(f"error: {one_line(redacted(str(exc)))}", file=sys.stderr)
        return BAD_INPUT_OR_FAILED_STEP
    except Exception as exc:  # noqa: BLE001 — never a traceback as the message a user sees (unless --verbose)
        return unexpected(exc, f"framecast {args.command}", getattr(args, "verbose", None))


def _command(args) -> int:
    if args.command == "channels":
        from framecast.channel import available_channels
        from framecast.settings import get_settings

        print("\n".join(available_channels(get_settings().resolved_channels_dir())))
        return 0
    if args.command in ("estimate", "costs"):
        from framecast.commands import cost as commands

        return getattr(commands, args.command)(args)
    if args.command == "preflight":
        from framecast.plan.preflight import command

        return command(args)
    if args.command == "prefect-setup":
        from flows.setup import prefect_setup

        return prefect_setup(args)
    if args.command in ("sandbox", "voices", "callbacks"):
        from framecast.commands import services as cli_services

        command = getattr(cli_services, args.command.replace("-", "_"))
        return command() if args.command == "voices" else command(args)
    if args.command in ("deployments", "models"):
        from framecast.commands import deployments, models

        return {"deployments": deployments, "models": models}[args.command].command(args)
    return _make(args)


if __name__ == "__main__":
    sys.exit(main())
