"""What the sandbox remembers: injected faults, call counters, latency, and Runway tasks."""

from __future__ import annotations

import threading
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field


@dataclass
class Fault:
    """One injected failure, consumed by the next matching call.

    kind: "http" (status + optional Retry-After/body), "timeout" (answer after `delay` seconds),
    "malformed" (a 200 with a body that is not JSON), or a provider-specific kind:
    openai "refusal" | "length" | "invalid_script"; runway "throttled" | "failed_safety" |
    "failed_internal" | "cancelled"; elevenlabs "busy" | "concurrent"; runway/kling "media" downloads
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

    def inject(self, provider: str, endpoint: str, fault: Fault, times: int = 1) -> None:
        """Queue `fault` for the next `times` calls to provider/endpoint."""
        with self.lock:
            self.faults[(provider, endpoint)].extend([fault] * times)

    def take(self, provider: str, endpoint: str) -> Fault | None:
        """Count the call and hand out its fault, if one is queued."""
        with self.lock:
            self.counters[(provider, endpoint)] += 1
            queue = self.faults.get((provider, endpoint))
            return queue.popleft() if queue else None

    def calls(self, provider: str, endpoint: str | None = None) -> int:
        with self.lock:
            return sum(n for (p, e), n in self.counters.items() if p == provider and endpoint in (None, e))

    def reset(self) -> None:
        with self.lock:
            self.counters.clear()
            self.faults.clear()
            self.tasks.clear()
            self.latency.clear()
