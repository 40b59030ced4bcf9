"""The service commands beside `make`: the provider sandbox, ElevenLabs voices, Prefect set-up, the webhook receiver."""

from __future__ import annotations

import os
import sys

from framecast.commands.clierrors import redacted


def sandbox(args) -> int:
    import time

    from framecast import providers
    from framecast.sandbox import Sandbox

    with Sandbox(providers.sandbox_routes(), port=args.port) as sandbox:
        print(f"provider sandbox on {sandbox.url}; point framecast at it with:")
        for key, value in sandbox.env().items():
            print(f"  export {key}={value}")
        print(f"counters: {sandbox.url}/__sandbox/counters   faults: POST {sandbox.url}/__sandbox/faults")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


def voices() -> int:
    import httpx

    from framecast.settings import get_settings
    from framecast.core.errors import FramecastError
    from framecast.transport.http import ProviderHTTP
    from framecast.providers import connect, elevenlabs
    from framecast.providers.elevenlabs.client import list_voices

    settings = get_settings()
    try:
        mine = elevenlabs.settings(settings)
        client = httpx.Client(base_url=mine.elevenlabs_base_url, timeout=settings.http_timeout_seconds,
                              headers={"xi-api-key": mine.require("elevenlabs_api_key", "elevenlabs")})
        voices = list_voices(ProviderHTTP("elevenlabs", client, secrets=connect.secrets(settings)))
    except FramecastError as exc:
        print(f"error: {redacted(str(exc))}", file=sys.stderr)
        return 2
    from framecast.core.safe_text import terminal

    # Library voices carry names their makers chose: no escape sequence reaches the terminal (review I3).
    for voice in voices:
        print(terminal(f"{voice['voice_id']}  {voice['name']}  ({voice['category']})"))
    return 0


def prefect_setup(args) -> int:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.settings import PREFECT_API_URL

    from framecast.core.errors import FramecastError
    from tasks.operations import set_up

    if not PREFECT_API_URL.value():
        print("error: PREFECT_API_URL is not set: start a server (`prefect server start --host 127.0.0.1`) and "
              "`prefect config set PREFECT_API_URL=http://127.0.0.1:4200/api`", file=sys.stderr)
        return 2
    import httpx
    from prefect.exceptions import PrefectHTTPStatusError

    try:
        done = set_up(args.pool, args.concurrency, args.notify)
    except (httpx.HTTPError, PrefectHTTPStatusError) as exc:
        print(f"error: prefect-setup could not talk to the Prefect server at {PREFECT_API_URL.value()}: {exc} "
              "(is `prefect server start` running, and is PREFECT_API_URL right?)", file=sys.stderr)
        return 2
    except (FramecastError, OSError) as exc:
        print(f"error: {redacted(str(exc))}", file=sys.stderr)
        return 2
    print(f"work pool {done['pool']}: process, concurrency limit {done['concurrency_limit']}, "
          f"job env {', '.join(done['env'])}")
    print("secrets stored as Prefect Secret blocks (the pool's env references them): "
          + (", ".join(done["secrets"]) or "none found in this environment"))
    print(f"automation: crash flow runs without a heartbeat ({done['zombie_automation']})")
    print(f"automation: re-run a crashed run once, same day and topic ({done['rerun_automation']})")
    print(f"result storage: {done['result_storage'] or 'local (each worker keeps its own results)'}")
    print("paid job slots: " + ", ".join(f"{name} = {n}" for name, n in done["job_slots"].items()))
    from tasks.alerts import describe

    print(describe(done["alerts"]))
    from tasks.leases import lease_storage_warning

    print(f"concurrency leases: {done['lease_storage'] or 'unknown (the server does not show its settings)'}")
    if warning := lease_storage_warning(done["lease_storage"]):
        print(warning, file=sys.stderr)  # a warning, not an error: everything else is set up (exit 0)
    return 0


def callbacks(args) -> int:
    from framecast import context as runtime
    from framecast.callbacks.receiver import serve
    from framecast.settings import get_settings, reset_settings
    from framecast.core.errors import FramecastError

    if args.out:
        os.environ["FRAMECAST_DATA_DIR"] = str(args.out.resolve())
        reset_settings()
    settings = get_settings()
    if settings.callback_secret is None or not settings.callback_secret.get_secret_value():
        print("error: FRAMECAST_CALLBACK_SECRET is not set (use the same value as the workers)", file=sys.stderr)
        return 2
    try:
        serve(runtime.store(), settings.callback_secret.get_secret_value(), host=args.host, port=args.port,
              max_age_seconds=settings.callback_max_age_seconds)
    except FramecastError as exc:
        print(f"error: {redacted(str(exc))}", file=sys.stderr)
        return 2
    return 0
