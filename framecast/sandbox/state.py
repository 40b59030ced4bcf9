"""What the sandbox remembers: injected faults, call counters, latency, and Runway tasks."""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field


@dataclass
class Fault:
    """One injected failure, consumed by the next matching call.

    kind: "http" (status + optional Retry-After/body), "timeout" (answer after `delay` seconds),
    "malformed" (a 200 with a body that is not JSON), or a provider-specific kind:
    openai "refusal" | "length" | "invalid_script"; runway "throttled" | "failed_safety" |
    "failed_internal" | "cancelled" | "stuck"; runway image_to_video "created_reset" | "created_stall" |
    "daily_cap"; elevenlabs "busy" | "concurrent", sound_generation "silent"; runway/kling "media" downloads
    "truncated" | "expired".
    """

    kind: str = "http"
    status: int = 500
    retry_after: str | None = None
    body: dict | None = None
    delay: float = 0.0


@dataclass
class SandboxState:
    latency: dict[str, float] = field(default_factory=dict)
    # Generated media are this fraction of the requested size (tests use small media).
    media_scale: float = 1.0
    media_dir: str = ""
    counters: Counter = field(default_factory=Counter)
    faults: dict[tuple[str, str], deque] = field(default_factory=lambda: defaultdict(deque))
    tasks: dict[str, dict] = field(default_factory=dict)
    transcripts: dict[str, str] = field(default_factory=dict)  # sha256 of spoken audio → its text
    lock: threading.Lock = field(default_factory=threading.Lock)
    not_before: dict[tuple[str, str, str], float] = field(default_factory=dict)  # Retry-After per request
    early: Counter = field(default_factory=Counter)  # calls made sooner than that
    last_body: dict[tuple[str, str], dict] = field(default_factory=dict)  # the latest JSON request per endpoint

    def inject(self, provider: str, endpoint: str, fault: Fault, times: int = 1) -> None:
        """Queue `fault` for the next `times` calls to provider/endpoint."""
        with self.lock:
            self.faults[(provider, endpoint)].extend([fault] * times)

    def take(self, provider: str, endpoint: str, identity: str = "") -> Fault | None:
        """Count the call and hand out its fault, if one is queued.

        A repeat of a request (same `identity`: path and body) sooner than the Retry-After it was answered
        is counted in `early`: a client that does not wait as told (benchmarks/chaos.py reports them).
        """
        with self.lock:
            now = time.monotonic()
            self.counters[(provider, endpoint)] += 1
            if now < self.not_before.get((provider, endpoint, identity), 0.0) - 0.05:
                self.early[(provider, endpoint)] += 1
            queue = self.faults.get((provider, endpoint))
            fault = queue.popleft() if queue else None
            if fault is not None and fault.retry_after:
                try:
                    self.not_before[(provider, endpoint, identity)] = now + float(fault.retry_after)
                except ValueError:
                    pass
            return fault

    def calls(self, provider: str, endpoint: str | None = None) -> int:
        with self.lock:
            return sum(n for (p, e), n in self.counters.items() if p == provider and endpoint in (None, e))

    def reset(self) -> None:
        with self.lock:
            self.counters.clear()
            self.not_before.clear()
            self.early.clear()
            self.faults.clear()
            self.tasks.clear()
            self.latency.clear()
            self.last_body.clear()
