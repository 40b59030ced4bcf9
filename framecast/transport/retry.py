"""When a provider call is tried again: bounded attempts, backoff with jitter, never sooner than Retry-After.

The rule that keeps attempts from multiplying: this layer retries short blips inside the call and marks
the error `attempts_exhausted` when it gives up, which the Prefect task retry respects. A Retry-After
longer than `max_wait` is handed to the task (slept once there, see tasks/policies.py). `RateLimiter`
is the per-process pace of one provider account.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from framecast.core.errors import ProviderError, RateLimited, RetryableError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 20.0
    jitter: float = 0.5
    max_wait: float = 60.0  # longer Retry-After: hand over to the task-level retry
    # A rate-limited call keeps trying (beyond `attempts`) until it has waited this long: a provider's
    # window is often a minute, and four fast attempts would give up after ~10 s.
    rate_limit_budget: float = 120.0


class RateLimiter:
    """Requests per minute (token bucket) and concurrent requests, shared by every call in a process."""

    def __init__(self, rpm: float, concurrency: int):
        self.interval = 60.0 / rpm if rpm > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max(concurrency, 1))

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._slots:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next)
                self._next = start + self.interval
            if start > now:
                time.sleep(start - now)
            yield

    def pause(self, seconds: float) -> None:
        """The provider said "not before `seconds`" (a 429's Retry-After): every call of this process waits,
        not only the one that was told, so parallel scene calls do not hammer a limited account."""
        with self._lock:
            self._next = max(self._next, time.monotonic() + seconds)


@contextmanager
def _null() -> Iterator[None]:
    yield


def with_retries(
    attempt: Callable[[], T],
    policy: RetryPolicy = RetryPolicy(),
    sleep: Callable[[float], None] = time.sleep,
    limiter=None,
) -> T:
    """Call `attempt` until it succeeds, retrying only RetryableErrors, with backoff ≥ Retry-After.

    `attempt` must raise framecast errors (translated once, where the call is made). A rate limit is
    waited out up to `policy.rate_limit_budget` seconds in all, however many attempts that takes.
    """
    n, waited = 0, 0.0
    while True:
        try:
            with limiter.slot() if limiter else _null():  # each attempt takes its turn; waiting holds no slot
                return attempt()
        except RetryableError as error:
            if limiter is not None and getattr(error, "retry_after", None) and hasattr(limiter, "pause"):
                limiter.pause(error.retry_after)
            n += 1
            error.attempts, error.waited = n, waited  # what this call spent (messages cite it)
            backoff = min(policy.max_delay, policy.base_delay * 2 ** (n - 1)) * (1 + random.uniform(0, policy.jitter))
            wait = max(backoff, getattr(error, "retry_after", None) or 0.0)
            limited = isinstance(error, RateLimited) and waited + wait <= policy.rate_limit_budget
            if n >= policy.attempts and not limited:
                error.attempts_exhausted = True  # the task must not multiply these attempts
                raise
            if wait > policy.max_wait:
                raise  # a long wait: the task-level retry sleeps it, not this thread
            sleep(wait)
            waited += wait
        except ProviderError as error:
            error.attempts, error.waited = n + 1, waited
            raise
