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


CHANNEL_LOCK_LEASE_SECONDS = 60  # a crashed holder's slot frees itself this long after its last renewal


def channel_lock_name(channel: str) -> str:
    return f"framecast-channel-{channel}"


@contextmanager
def channel_lock(channel: str, wait_seconds: float | None = None) -> Iterator[None]:
    """Hold the channel's one slot for the whole run, whichever deployment or custom run started it.

    A Prefect global concurrency limit of 1, created on first use; its lease is renewed while the run
    lives, so a run killed with its host frees the channel about a minute later.
    """
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    name = channel_lock_name(channel)
    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate

            try:
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=1))
            except Exception:  # another run created it meanwhile (409): the limit exists, which is all we need
                client.read_global_concurrency_limit_by_name(name)
    with concurrency(name, occupy=1, timeout_seconds=wait_seconds, lease_duration=CHANNEL_LOCK_LEASE_SECONDS,
                     strict=True):
        yield
