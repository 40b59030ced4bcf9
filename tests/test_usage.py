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


def test_a_failed_call_gives_its_reservation_back(tmp_path, run):
    token = usage.current_run.set("chan/2026-12-01/own")  # reservations are per run: start from none
    with pytest.raises(RuntimeError):
        with usage.charge(tmp_path, provider="runway", role="motion", units=10, unit="second"):  # $0.50 reserved
            raise RuntimeError("the provider failed the job")
    assert usage.read(tmp_path) == []
    with usage.charge(tmp_path, provider="runway", role="motion", units=10, unit="second") as bill:  # fits again
        bill.units = 5  # what the provider billed
    [entry] = usage.read(tmp_path)
    assert (entry["units"], entry["usd"]) == (5, 0.25)
    usage.ensure_budget(tmp_path, "runway", "motion", 15)  # 0.25 spent + 0.75 = the whole budget, nothing left over
    usage.current_run.reset(token)


def test_a_torn_ledger_line_is_set_aside_and_never_stops_a_run(tmp_path, run):
    usage.record(tmp_path, role="image", provider="openai", units=1, unit="image")
    with usage.ledger_path(tmp_path).open("a") as fh:
        fh.write('{"at": "2026-12-01T10:00:00", "role": "ima')  # a writer killed mid-line
        fh.write("\n")
    usage.record(tmp_path, role="image", provider="openai", units=1, unit="image")
    assert [e["role"] for e in usage.read(tmp_path)] == ["image", "image"]
    assert usage.spent(tmp_path, "chan/2026-11-24/r1") == 0.08
    quarantine = tmp_path / "usage.jsonl.quarantine"
    usage.read(tmp_path)
    assert quarantine.read_text().count('"role": "ima') == 1  # kept once, not once per read


def test_kling_is_reserved_and_estimated_at_the_5_or_10_seconds_it_bills():
    from framecast.estimate import clip_seconds

    assert [clip_seconds("kling", d) for d in (3.2, 5.0, 5.1, 9.0)] == [5, 5, 10, 10]
    assert [clip_seconds("runway", d) for d in (1.2, 4.2, 12.0)] == [2, 5, 10]
