"""Provider limits shared across runs through Prefect's global concurrency limits."""

import asyncio

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate

from framecast.transport.retry import RateLimiter
from tasks.limits import PrefectGlobalLimiter

pytestmark = pytest.mark.usefixtures("prefect_server")


@pytest.fixture(autouse=True)
def fresh_existence_cache(monkeypatch):
    """Limits created here must be seen at once: an earlier test's run may have cached "does not exist"."""
    import tasks.limits

    monkeypatch.setattr(tasks.limits, "_known", {})


async def _limit(name: str):
    async with get_client() as client:
        return await client.read_global_concurrency_limit_by_name(name)


def test_a_call_holds_a_slot_of_the_providers_global_limit():
    async def create():
        async with get_client() as client:
            await client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name="framecast-kling", limit=2))

    asyncio.run(create())
    limiter = PrefectGlobalLimiter("kling", RateLimiter(6000, 4))
    with limiter.slot():
        during = asyncio.run(_limit("framecast-kling")).active_slots
    after = asyncio.run(_limit("framecast-kling")).active_slots
    assert (during, after) == (1, 0)


def test_missing_limits_are_skipped():
    with PrefectGlobalLimiter("nonexistent-provider", RateLimiter(6000, 1)).slot():
        pass
