"""The channel lock's wait ends in one line naming the fix; a failed lease renewal does not end the run;
`prefect-setup` sees a server that keeps leases in memory (tasks/leases.py)."""

from __future__ import annotations

import logging
import time

import httpx
import pytest

from framecast.core.errors import ChannelBusy

pytestmark = pytest.mark.usefixtures("prefect_server")


def test_a_run_that_waits_too_long_for_its_channel_fails_naming_the_limit_and_the_fix():
    from tasks.limits import channel_lock

    with channel_lock("busy-channel"):
        started = time.monotonic()
        with pytest.raises(ChannelBusy) as caught:
            with channel_lock("busy-channel", wait_seconds=2):
                pass
        waited = time.monotonic() - started
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(
        "channel busy-channel: its lock (global concurrency limit framecast-channel-busy-channel) "
        "was still taken after 2 s (FRAMECAST_CHANNEL_WAIT_SECONDS)"
    )
    assert message.endswith("free it with `prefect gcl update framecast-channel-busy-channel --active-slots 0`")
    print(f"\nwaited {waited:.1f} s for a 2 s deadline")


def test_the_default_wait_is_hours_and_is_a_setting(monkeypatch):
    from framecast.settings import Settings

    assert Settings().channel_wait_seconds == 6 * 3600
    monkeypatch.setenv("FRAMECAST_CHANNEL_WAIT_SECONDS", "90")
    assert Settings().channel_wait_seconds == 90


def test_a_run_goes_on_when_its_lease_cannot_be_renewed(monkeypatch, caplog):
    """The server is down (a restart): renewals fail, the run keeps its work and ends normally."""
    import prefect.concurrency._leases as leases
    from prefect.client.orchestration import SyncPrefectClient

    from tasks.limits import channel_lock

    def server_down(self, *args, **kwargs):
        raise httpx.ConnectError("All connection attempts failed")

    # Renew at once and retry quickly (Prefect's own knobs), so three failed renewals take ~1 s, not 45 s.
    monkeypatch.setattr(leases, "_RENEWAL_FRACTION", 0.001)
    monkeypatch.setattr(leases, "_RENEWAL_RETRY_BASE_DELAY", 0.05)
    monkeypatch.setattr(SyncPrefectClient, "renew_concurrency_lease", server_down)
    caplog.set_level(logging.WARNING)
    finished = False
    with channel_lock("renewal-fails"):
        for _ in range(40):  # 4 s of work while every renewal fails
            time.sleep(0.1)
        finished = True
    assert finished
    assert "Concurrency lease renewal failed - slots are no longer reserved. Execution will continue" in caplog.text


def test_prefect_setup_warns_when_the_server_keeps_leases_in_memory():
    from prefect.client.orchestration import get_client

    from tasks.leases import FILESYSTEM_LEASES, MEMORY_LEASES, lease_storage_warning, server_lease_storage

    with get_client(sync_client=True) as client:  # the test server, started with Prefect's defaults
        storage = server_lease_storage(client)
    assert storage == MEMORY_LEASES
    warning = lease_storage_warning(storage)
    assert warning.startswith("warning: the Prefect server keeps concurrency leases in memory")
    assert f"PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE={FILESYSTEM_LEASES}" in warning
    assert lease_storage_warning(FILESYSTEM_LEASES) is None
    assert lease_storage_warning("prefect_redis.lease_storage") is None
