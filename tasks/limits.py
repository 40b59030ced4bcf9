"""Provider rate and concurrency limits shared across runs and workers, via Prefect global limits.

Inside one process framecast's own RateLimiter spaces calls. When a Prefect server has global
concurrency limits named `framecast-<provider>` (concurrent calls) or `framecast-<provider>-rpm`
(with a slot decay: calls per minute), every run on every worker shares them:

    prefect gcl create framecast-runway --limit 2
    prefect gcl create framecast-openai-rpm --limit 500 --slot-decay-per-second 8.33

A paid generation job (Runway, Kling) also holds a slot of `framecast-<provider>-jobs` from submission
until its media is downloaded; `framecast prefect-setup` creates those with the account's `jobs` limit.
Limits that do not exist are skipped (reported once per process), so nothing needs creating to start.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from prefect.concurrency.sync import concurrency, rate_limit

from framecast import providers
from framecast.transport.retry import RateLimiter

EXISTS_TTL_SECONDS = 300  # how long "this limit exists / does not" is believed before asking the server again
JOB_LEASE_SECONDS = 120  # a crashed worker's job slot frees itself this long after its last renewal
_known: dict[str, tuple[bool, float]] = {}
_known_lock = threading.Lock()
log = logging.getLogger("framecast.limits")


def limit_exists(name: str) -> bool:
    """Whether the server has the global limit `name`, asked at most every few minutes per process.

    Prefect would otherwise ask on every acquisition and warn "do not exist" on every request; a missing
    limit is reported once per process, with the command that creates it.
    """
    now = time.monotonic()
    with _known_lock:
        cached = _known.get(name)
        if cached and now - cached[1] < EXISTS_TTL_SECONDS:
            return cached[0]
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    try:
        with get_client(sync_client=True) as client:
            client.read_global_concurrency_limit_by_name(name)
        exists = True
    except ObjectNotFound:
        exists = False
    except Exception:  # no server reachable (a plain local run): limit in-process only
        exists = False
    with _known_lock:
        first = name not in _known
        _known[name] = (exists, now)
    if not exists and first:
        log.info(
            "global concurrency limit %s is not set: limiting in this process only "
            "(`prefect gcl create %s --limit N` shares it across runs and workers)",
            name,
            name,
        )
    return exists


class PrefectGlobalLimiter:
    """Requests: the in-process limiter, then the shared per-minute and in-flight limits when they exist."""

    def __init__(self, provider: str, local: RateLimiter):
        self.provider, self.local = provider, local

    def pause(self, seconds: float) -> None:
        self.local.pause(seconds)

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self.local.slot():
            rpm, inflight = f"framecast-{self.provider}-rpm", f"framecast-{self.provider}"
            if limit_exists(rpm):
                rate_limit(rpm, strict=False)
            with concurrency(inflight, occupy=1, strict=False) if limit_exists(inflight) else nullcontext():
                yield


@contextmanager
def prefect_job_slot(provider: str, local: threading.BoundedSemaphore) -> Iterator[None]:
    """A paid job's slot: the process's own, then `framecast-<provider>-jobs` shared by every run (leased,
    so a worker killed mid-job frees its slot) when it exists; `framecast prefect-setup` creates it."""
    with local:
        name = f"framecast-{provider}-jobs"
        if not limit_exists(name):
            yield
            return
        with concurrency(name, occupy=1, strict=False, lease_duration=JOB_LEASE_SECONDS):
            yield


def install() -> None:
    """Route every provider's limiter and job slots through the Prefect global limits (idempotent)."""
    providers.wrap_limiters(PrefectGlobalLimiter)
    providers.wrap_job_slots(prefect_job_slot)


CHANNEL_LOCK_LEASE_SECONDS = 60  # a crashed holder's slot frees itself this long after its last renewal


def channel_lock_name(channel: str) -> str:
    return f"framecast-channel-{channel}"


@contextmanager
def channel_lock(channel: str, wait_seconds: float | None = None) -> Iterator[None]:
    """Hold the channel's one slot for the whole run, whichever deployment or custom run started it.

    A Prefect global concurrency limit of 1, created on first use; its lease is renewed while the run
    lives, so a run killed with its host frees the channel about a minute later (tasks/leases.py). A run
    waits at most `wait_seconds` (FRAMECAST_CHANNEL_WAIT_SECONDS) for it, then fails naming the fix.
    """
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    from framecast.settings import get_settings
    from tasks.leases import hold

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
    with hold(channel, name, wait_seconds or get_settings().channel_wait_seconds, CHANNEL_LOCK_LEASE_SECONDS):
        yield
