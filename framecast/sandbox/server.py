"""The sandbox: one local HTTP server on 127.0.0.1 with a prefix per provider.

`with Sandbox(providers.sandbox_routes()) as sb:` starts it on a free port with the wire fakes it is handed
(each vendor's `SPEC.sandbox`: a name, its router and its settings; this module names no vendor);
`sb.base_url("openai")` is what a client's base URL becomes; `sb.state` holds counters and the fault
queue; `sb.env()` gives the settings that point every provider at it.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from collections.abc import Sequence
from typing import Any

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel

from framecast.sandbox.state import Fault, SandboxState

SANDBOX_KEY = "sandbox-key-not-a-secret-0123456789abcdef"


class FaultRequest(BaseModel):
    provider: str
    endpoint: str
    times: int = 1
    kind: str = "http"
    status: int = 500
    retry_after: str | None = None
    delay: float = 0.0


class Sandbox:
    """The fakes of `routes` (each with .name, .prefix, .router(state, url) and .env(base_url, key)) on one port."""

    def __init__(self, routes: Sequence[Any], port: int = 0, media_scale: float = 1.0):
        self.routes = list(routes)
        self.port = port or _free_port()
        self._media = tempfile.TemporaryDirectory(prefix="framecast-sandbox-")
        self.state = SandboxState(media_scale=media_scale, media_dir=self._media.name)
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = self._build()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def _build(self) -> FastAPI:
        app = FastAPI(title="framecast sandbox", docs_url=None, redoc_url=None)
        for mount in self.routes:
            app.include_router(mount.router(self.state, self.url), prefix=mount.prefix)

        @app.post("/__sandbox/faults")
        def add_fault(req: FaultRequest):
            self.state.inject(
                req.provider,
                req.endpoint,
                Fault(kind=req.kind, status=req.status, retry_after=req.retry_after, delay=req.delay),
                req.times,
            )
            return {"queued": req.times}

        @app.post("/__sandbox/latency")
        def set_latency(provider: str, seconds: float):
            self.state.latency[provider] = seconds
            return {"provider": provider, "seconds": seconds}

        @app.post("/__sandbox/reset")
        def reset():
            self.state.reset()
            return {"reset": True}

        @app.get("/__sandbox/counters")
        def counters():
            return {f"{p}:{e}": n for (p, e), n in sorted(self.state.counters.items())}

        return app

    def base_url(self, provider: str) -> str:
        return self.url + next(mount.prefix for mount in self.routes if mount.name == provider)

    def env(self) -> dict[str, str]:
        """Settings that point every provider client at this sandbox."""
        env = {}
        for mount in self.routes:
            env.update(mount.env(self.url + mount.prefix, SANDBOX_KEY))
        return {**env, "FRAMECAST_POLL_SECONDS": "0.05"}

    def start(self) -> Sandbox:
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="framecast-sandbox", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"sandbox did not start on 127.0.0.1:{self.port}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._media.cleanup()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
