from datetime import UTC, datetime

import pytest

from framecast.cost import ledger as ledger_module


@pytest.fixture
def clock(monkeypatch):
    """The ledger's clock, set by the test (every charge and budget check reads it)."""

    class Clock:
        now = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)

    fixed = Clock()
    monkeypatch.setattr(ledger_module, "_now", lambda: fixed.now)
    return fixed
