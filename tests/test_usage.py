import pytest

from framecast import pricing, usage
from framecast.usage import BudgetExceeded


@pytest.fixture
def run():
    tokens = (usage.current_run.set("chan/2026-11-24/r1"), usage.run_budget.set(1.0))
    yield
    usage.current_run.reset(tokens[0])
    usage.run_budget.reset(tokens[1])


def test_record_prices_each_call_and_tags_the_run(tmp_path, run):
    usage.record(tmp_path, role="motion", provider="runway", units=10, unit="second", model="gen4_turbo")
    [entry] = usage.read(tmp_path)
    assert entry["usd"] == pricing.cost("runway", "motion", 10) == 0.5
    assert entry["run"] == "chan/2026-11-24/r1"
    assert usage.spent(tmp_path, "chan/2026-11-24/r1") == 0.5


def test_concurrent_reservations_cannot_overshoot_the_budget(tmp_path, run):
    first = usage.ensure_budget(tmp_path, "runway", "motion", 10)   # $0.50 reserved
    usage.ensure_budget(tmp_path, "runway", "motion", 8)            # $0.40 reserved, $0.90 in all
    with pytest.raises(BudgetExceeded, match=r"over budget.max_usd_per_run \$1.00"):
        usage.ensure_budget(tmp_path, "runway", "motion", 4)        # would be $1.10
    usage.record(tmp_path, role="motion", provider="runway", units=10, unit="second", reserved=first)
    with pytest.raises(BudgetExceeded):
        usage.ensure_budget(tmp_path, "runway", "motion", 4)        # spent 0.50 + reserved 0.40 + 0.20


def test_local_calls_are_free_and_never_blocked(tmp_path, run):
    usage.run_budget.set(0.0)
    assert usage.ensure_budget(tmp_path, "local", "image", 1000) == 0.0
