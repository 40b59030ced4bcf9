"""The service commands beside `make`: the provider sandbox, ElevenLabs voices, the webhook receiver."""

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

    from framecast.core.errors import FramecastError
    from framecast.providers import connect, elevenlabs
    from framecast.providers.elevenlabs.client import list_voices
    from framecast.settings import get_settings
    from framecast.transport.http import ProviderHTTP

    settings = get_settings()
    try:
        mine = elevenlabs.settings(settings)
        client = httpx.Client(
            base_url=mine.elevenlabs_base_url,
            timeout=settings.http_timeout_seconds,
            headers={"xi-api-key": mine.require("elevenlabs_api_key", "elevenlabs")},
        )
        voices = list_voices(ProviderHTTP("elevenlabs", client, secrets=connect.secrets(settings)))
    except FramecastError as exc:
        print(f"error: {redacted(str(exc))}", file=sys.stderr)
        return 2
    from framecast.core.safe_text import terminal

    # Library voices carry names their makers chose: no escape sequence reaches the terminal (review I3).
    for voice in voices:
        print(terminal(f"{voice['voice_id']}  {voice['name']}  ({voice['category']})"))
    return 0


def callbacks(args) -> int:
    from framecast import context as runtime
    from framecast.callbacks.receiver import serve
    from framecast.core.errors import FramecastError
    from framecast.settings import get_settings, reset_settings

    if args.out:
        os.environ["FRAMECAST_DATA_DIR"] = str(args.out.resolve())
        reset_settings()
    settings = get_settings()
    if settings.callback_secret is None or not settings.callback_secret.get_secret_value():
        print("error: FRAMECAST_CALLBACK_SECRET is not set (use the same value as the workers)", file=sys.stderr)
        return 2
    try:
        serve(
            runtime.store(),
            settings.callback_secret.get_secret_value(),
            host=args.host,
            port=args.port,
            max_age_seconds=settings.callback_max_age_seconds,
        )
    except FramecastError as exc:
        print(f"error: {redacted(str(exc))}", file=sys.stderr)
        return 2
    return 0
