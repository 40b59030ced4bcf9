"""Concurrency leases that outlive a crash: the channel lock's wait, and reclaiming what dead runs held.

A Prefect server keeps each held slot of a global limit as a lease that its holder renews. With the
filesystem lease storage (`PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE=prefect.server.concurrency.lease_storage
.filesystem`, leases under PREFECT_HOME/concurrency_leases) a restart keeps them, and the server's Repossessor
service frees the slots of leases nobody renews any more (a run killed with its host).

`framecast make` without PREFECT_API_URL runs against Prefect's ephemeral server, which runs no Repossessor:
a `make` killed with -9 would keep its channel's slot for every later local run. So a local run does the
Repossessor's work itself while it waits for its channel, with Prefect's own code (`read_expired_lease_ids`,
`revoke_expired_lease`) against the database and lease folder it shares with that ephemeral server. Only
expired leases are revoked: a live run renews its lease every 45 s, so it keeps its channel.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from framecast.core.errors import ChannelBusy

FILESYSTEM_LEASES = "prefect.server.concurrency.lease_storage.filesystem"
MEMORY_LEASES = "prefect.server.concurrency.lease_storage.memory"  # Prefect's default: lost on a restart
RECLAIM_EVERY_SECONDS = 10.0  # a local run waiting for its channel looks for expired leases this often
log = logging.getLogger("framecast.leases")


def reclaims_locally() -> bool:
    """Whether this process talks to the ephemeral server it started (no PREFECT_API_URL), with leases on disk."""
    from prefect.settings import get_current_settings

    settings = get_current_settings()
    return not settings.api.url and settings.server.concurrency.lease_storage == FILESYSTEM_LEASES


def reclaim_expired_leases() -> int:
    """Free the slots of every expired lease in the local server's storage, as its Repossessor would."""
    from prefect.server.concurrency.lease_storage import get_concurrency_lease_storage
    from prefect.server.database import provide_database_interface
    from prefect.server.services.repossessor import revoke_expired_lease
    from prefect.utilities.asyncutils import run_coro_as_sync

    async def reclaim() -> int:
        storage, db = get_concurrency_lease_storage(), provide_database_interface()
        expired = await storage.read_expired_lease_ids()
        for lease_id in expired:  # re-checks each lease: one renewed meanwhile is left alone
            await revoke_expired_lease(lease_id, db=db, lease_storage=storage)
        return len(expired)

    count = run_coro_as_sync(reclaim())
    if count:
        log.info("freed the slots of %d expired concurrency lease(s) left by runs that died", count)
    return count


def busy_message(channel: str, limit: str, waited: float) -> str:
    """The one line a run that waited too long for its channel ends with: what holds it, and the fix."""
    took = f"{waited / 3600:g} h" if waited >= 3600 else f"{waited:.0f} s"
    return (
        f"channel {channel}: its lock (global concurrency limit {limit}) was still taken after {took} "
        f"(FRAMECAST_CHANNEL_WAIT_SECONDS); if no run of {channel} is running, free it "
        f"with `prefect gcl update {limit} --active-slots 0`"
    )


def _reclaim_quietly() -> None:
    try:
        reclaim_expired_leases()
    except Exception:  # noqa: BLE001 — e.g. SQLite busy with the server's own write: try again next time
        log.debug("could not reclaim expired leases", exc_info=True)


def _reclaim_until(stop: threading.Event) -> None:
    while not stop.wait(RECLAIM_EVERY_SECONDS):
        _reclaim_quietly()


@contextmanager
def hold(channel: str, limit: str, wait_seconds: float, lease_seconds: float) -> Iterator[None]:
    """Hold one slot of `limit` for the block; wait at most `wait_seconds`, freeing dead runs' slots meanwhile."""
    from prefect.concurrency.sync import concurrency

    stop = threading.Event()
    if reclaims_locally():
        _reclaim_quietly()
        threading.Thread(target=_reclaim_until, args=(stop,), daemon=True, name="framecast-lease-reclaim").start()
    with ExitStack() as stack:
        try:
            # strict: a missing limit is an error (it was just created). A renewal that fails (the server down
            # for minutes) only warns: the run goes on, its slot freed once the unrenewed lease expires. A short
            # restart fails no renewal (the client retries), and the restarted server still has the lease on disk.
            stack.enter_context(
                concurrency(
                    limit,
                    occupy=1,
                    lease_duration=lease_seconds,
                    strict=True,
                    timeout_seconds=wait_seconds,
                    raise_on_lease_renewal_failure=False,
                )
            )
        except TimeoutError:
            raise ChannelBusy(busy_message(channel, limit, wait_seconds)) from None
        finally:
            stop.set()
        yield


def server_lease_storage(client) -> str | None:
    """The lease storage module the connected server uses (GET /api/admin/settings), or None if it does not say."""
    try:
        response = client.request("GET", "/admin/settings")
        response.raise_for_status()
        return response.json()["server"]["concurrency"]["lease_storage"]
    except Exception:  # noqa: BLE001 — e.g. Prefect Cloud, which has no admin settings and manages leases itself
        return None


def lease_storage_warning(storage: str | None) -> str | None:
    """The warning for a server that keeps leases in memory: a restart would strand every channel mid-run."""
    if storage != MEMORY_LEASES:
        return None
    return (
        "warning: the Prefect server keeps concurrency leases in memory: a server restart strands every channel "
        "that is mid-run (its lock stays taken). Restart the server with "
        f"PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE={FILESYSTEM_LEASES} (one host; prefect_redis.lease_storage "
        "where the server runs replicated)"
    )
