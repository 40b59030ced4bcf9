"""The sandbox: one local HTTP server on 127.0.0.1 with a prefix per provider.

`with Sandbox() as sb:` starts it on a free port; `sb.base_url("openai")` is what a client's
base URL becomes; `sb.state` holds counters and the fault queue; `sb.env()` gives the
FRAMECAST_* settings that point every provider at it.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel

from framecast.sandbox import (
    anthropic_api, elevenlabs_api, kling_api, openai_api, runway_api, stability_api, videointelligence_api,
    youtube_api,
)
from framecast.sandbox.state import Fault, SandboxState

PREFIXES = {"openai": "/openai", "anthropic": "/anthropic", "runway": "/runway", "kling": "/kling",
            "elevenlabs": "/elevenlabs", "stability": "/stability", "videointelligence": "/videointelligence",
            "youtube": "/youtube"}
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
    def __init__(self, port: int = 0, media_scale: float = 1.0):
        self.port = port or _free_port()
        self._media = tempfile.TemporaryDirectory(prefix="framecast-sandbox-")
        self.state = SandboxState(media_scale=media_scale, media_dir=self._media.name)
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = self._build()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def _build(self) -> FastAPI:
        app = FastAPI(title="framecast sandbox", docs_url=None, redoc_url=None)
        app.include_router(openai_api.router(self.state), prefix=PREFIXES["openai"])
        app.include_router(runway_api.router(self.state, self.url), prefix=PREFIXES["runway"])
        app.include_router(elevenlabs_api.router(self.state), prefix=PREFIXES["elevenlabs"])
        app.include_router(anthropic_api.router(self.state), prefix=PREFIXES["anthropic"])
        app.include_router(stability_api.router(self.state), prefix=PREFIXES["stability"])
        app.include_router(kling_api.router(self.state, self.url), prefix=PREFIXES["kling"])
        app.include_router(videointelligence_api.router(self.state), prefix=PREFIXES["videointelligence"])
        app.include_router(youtube_api.router(self.state, self.url), prefix=PREFIXES["youtube"])

        @app.post("/__sandbox/faults")
        def add_fault(req: FaultRequest):
            self.state.inject(req.provider, req.endpoint, Fault(kind=req.kind, status=req.status,
                                                                retry_after=req.retry_after, delay=req.delay), req.times)
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
        return self.url + PREFIXES[provider]

    def env(self) -> dict[str, str]:
        """Settings that point every provider client at this sandbox."""
        return {
            "FRAMECAST_OPENAI_BASE_URL": self.base_url("openai") + "/v1",
            "FRAMECAST_RUNWAY_BASE_URL": self.base_url("runway"),
            "FRAMECAST_ELEVENLABS_BASE_URL": self.base_url("elevenlabs"),
            "FRAMECAST_ANTHROPIC_BASE_URL": self.base_url("anthropic"),
            "FRAMECAST_STABILITY_BASE_URL": self.base_url("stability"),
            "FRAMECAST_KLING_BASE_URL": self.base_url("kling"),
            "FRAMECAST_VIDEOINTELLIGENCE_ENDPOINT": self.base_url("videointelligence"),
            "FRAMECAST_YOUTUBE_BASE_URL": self.base_url("youtube"),
            "FRAMECAST_GOOGLE_TOKEN_URL": self.base_url("youtube") + "/token",
            "YOUTUBE_CLIENT_ID": "sandbox-client", "YOUTUBE_CLIENT_SECRET": SANDBOX_KEY,
            "YOUTUBE_REFRESH_TOKEN": "sandbox-refresh-token",
            "OPENAI_API_KEY": SANDBOX_KEY, "RUNWAYML_API_SECRET": SANDBOX_KEY, "ELEVENLABS_API_KEY": SANDBOX_KEY,
            "ANTHROPIC_API_KEY": SANDBOX_KEY, "STABILITY_API_KEY": SANDBOX_KEY,
            "KLING_ACCESS_KEY": "sandbox-access", "KLING_SECRET_KEY": SANDBOX_KEY,
            "FRAMECAST_POLL_SECONDS": "0.05",
        }

    def start(self) -> "Sandbox":
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

    def __enter__(self) -> "Sandbox":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
