"""Provider rate and concurrency limits shared across runs and workers, via Prefect global limits.

Inside one process framecast's own RateLimiter spaces calls. When a Prefect server has global
concurrency limits named `framecast-<provider>` (concurrent calls) or `framecast-<provider>-rpm`
(with a slot decay: calls per minute), every run on every worker shares them:

    prefect gcl create framecast-runway --limit 2
    prefect gcl create framecast-openai-rpm --limit 500 --slot-decay-per-second 8.33

Limits that do not exist are skipped (strict=False), so nothing needs creating to start.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from prefect.concurrency.sync import concurrency, rate_limit

from framecast import providers
from framecast.http import RateLimiter


class PrefectGlobalLimiter:
    def __init__(self, provider: str, local: RateLimiter):
        self.provider, self.local = provider, local

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self.local.slot():
            rate_limit(f"framecast-{self.provider}-rpm", strict=False)
            with concurrency(f"framecast-{self.provider}", occupy=1, strict=False):
                yield


def install() -> None:
    """Route every provider's limiter through the Prefect global limits (idempotent)."""
    providers.wrap_limiters(PrefectGlobalLimiter)
