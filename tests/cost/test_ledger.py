"""The shared cost ledger and its budgets: reserve → call → bill or release, across threads and processes."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from framecast.core.errors import BudgetExceeded, ConfigError
from framecast.cost import pricing
from framecast.cost.budget import BudgetConfig
from framecast.cost.ledger import default_url, open_ledger
from framecast.cost.meter import Meter


def meter(tmp_path, run="chan/2026-12-01/r1", day="2026-12-01", url=None, **budget) -> Meter:
    return Meter.open(
        url or default_url(tmp_path), run=run, channel=run.split("/")[0], day=day, budget=BudgetConfig(**budget)
    )


def test_a_billed_call_is_priced_and_tagged_with_its_run_day_and_month(tmp_path):
    m = meter(tmp_path)
    with m.charge(provider="runway", role="motion", units=10, unit="second", model="gen4_turbo"):
        pass
    [entry] = m.entries()
    assert entry["usd"] == pricing.cost("runway", "motion", 10) == 0.5
    assert (entry["run"], entry["day"], entry["month"], entry["status"]) == (
        "chan/2026-12-01/r1",
        "2026-12-01",
        "2026-12",
        "billed",
    )
    assert m.spent().run == 0.5


def test_concurrent_scene_calls_cannot_overshoot_the_run_budget(tmp_path):
    m = meter(tmp_path, max_usd_per_run=1.0)
    started, results = threading.Barrier(8), []

    def scene():
        started.wait()
        try:
            with m.charge(provider="runway", role="motion", units=5, unit="second"):  # $0.25 each
                pass
            results.append("billed")
        except BudgetExceeded:
            results.append("refused")

    threads = [threading.Thread(target=scene) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["billed"] * 4 + ["refused"] * 4
    assert m.spent().run == 1.0


def test_a_call_that_fails_before_the_provider_accepted_it_gives_its_reservation_back(tmp_path):
    m = meter(tmp_path, max_usd_per_run=1.0)
    with pytest.raises(RuntimeError):
        with m.charge(provider="runway", role="motion", units=10, unit="second"):  # $0.50 reserved
            assert m.spent().run == 0.5
            raise RuntimeError("connection reset before the job was created")
    assert m.entries() == [] and m.spent().run == 0
    with m.charge(provider="runway", role="motion", units=10, unit="second") as bill:
        bill.units = 5  # what the provider billed
    assert [(e["units"], e["usd"]) for e in m.entries()] == [(5, 0.25)]
    with m.charge(provider="runway", role="motion", units=15, unit="second"):  # 0.25 + 0.75: exactly the budget
        pass


def test_an_accepted_job_stays_billed_when_what_follows_fails_and_a_resumed_attempt_bills_nothing(tmp_path):
    m = meter(tmp_path)
    with pytest.raises(ConnectionError):
        with m.charge(provider="kling", role="motion", units=5, unit="second") as bill:
            assert bill.accepted("kling:task-1")
            raise ConnectionError("the download after the paid job failed")
    with m.charge(provider="kling", role="motion", units=5, unit="second") as bill:  # the retry resumes task-1
        assert not bill.accepted("kling:task-1")
    assert [(e["provider"], e["usd"]) for e in m.entries()] == [("kling", 0.28)]
    assert m.spent().run == 0.28  # the retry's reservation was released, not left counting


def test_day_and_month_budgets_hold_across_runs_of_the_channel(tmp_path, clock):
    first = meter(tmp_path, run="chan/2026-12-01/a", max_usd_per_day=1.0, max_usd_per_month=1.5)
    with first.charge(provider="runway", role="motion", units=16, unit="second"):  # $0.80
        pass
    again = meter(tmp_path, run="chan/2026-12-01/b", max_usd_per_day=1.0, max_usd_per_month=1.5)
    with pytest.raises(BudgetExceeded, match=r"2026-12-07 of channel chan to \$1.05, over budget.max_usd_per_day"):
        with again.charge(provider="runway", role="motion", units=5, unit="second"):
            pass
    clock.now += timedelta(days=1)  # the next day, whatever day the video is for
    tomorrow = meter(tmp_path, run="chan/2026-12-01/c", max_usd_per_day=1.0, max_usd_per_month=1.5)
    with tomorrow.charge(provider="runway", role="motion", units=10, unit="second"):  # $0.50: month at $1.30
        pass
    with pytest.raises(BudgetExceeded, match=r"over budget.max_usd_per_month \$1.50"):
        with tomorrow.charge(provider="runway", role="motion", units=5, unit="second"):
            pass
    clock.now = datetime(2027, 1, 1, 0, 0, tzinfo=UTC)
    next_month = meter(tmp_path, run="chan/2026-12-01/d", max_usd_per_month=1.5)
    with next_month.charge(provider="runway", role="motion", units=20, unit="second"):
        pass


def test_a_budgeted_run_refuses_a_paid_call_with_no_price_unless_the_channel_prices_it(tmp_path):
    with pytest.raises(ConfigError, match=r"add budget.prices\['newvendor/motion'\]"):
        with meter(tmp_path, max_usd_per_run=5).charge(provider="newvendor", role="motion", units=5, unit="second"):
            pass
    priced = meter(tmp_path, max_usd_per_run=5, prices={"newvendor/motion": 0.2, "runway/motion": 0.1})
    with priced.charge(provider="newvendor", role="motion", units=5, unit="second"):
        pass
    with priced.charge(provider="runway", role="motion", units=5, unit="second"):
        pass
    assert [e["usd"] for e in priced.entries()] == [1.0, 0.5]  # the channel's prices, not the list price
    with meter(tmp_path).charge(provider="newvendor", role="motion", units=5, unit="second"):  # no budget: allowed
        pass


def test_local_providers_are_free_and_never_refused(tmp_path):
    with meter(tmp_path, max_usd_per_run=0).charge(provider="local", role="image", units=1000, unit="image"):
        pass


def test_an_old_usage_jsonl_is_imported_once_and_a_torn_line_is_kept_aside(tmp_path):
    old = tmp_path / "usage.jsonl"
    old.write_text(
        '{"at": "2026-11-30T10:00:00+00:00", "role": "image", "provider": "openai", "units": 1, '
        '"unit": "image", "usd": 0.04, "run": "chan/2026-11-30/x"}\n{"at": "2026-11-30T10:01:00", "ro\n'
    )
    ledger = open_ledger(default_url(tmp_path))
    assert ledger.import_jsonl(old) == 1
    assert ledger.import_jsonl(old) == 0  # renamed away: never counted twice
    assert [e["usd"] for e in ledger.entries(channel="chan", month="2026-11")] == [0.04]
    assert '"ro' in (tmp_path / "usage.jsonl.quarantine").read_text()


def test_the_meter_travels_to_another_process_and_never_shows_the_ledger_password(tmp_path):
    from framecast.cost.ledger import Ledger

    m = meter(tmp_path)
    copy = pickle.loads(pickle.dumps(m))  # another task runner's worker reopens the ledger by URL
    assert copy.ledger.url == m.ledger.url and copy.run == m.run and copy.budget == m.budget
    remote = Ledger.__new__(Ledger)
    remote.url = "postgresql+asyncpg://framecast:hunter2@127.0.0.1:5432/prefect"
    assert "hunter2" not in repr(remote) and "127.0.0.1:5432/prefect" in repr(remote)


WORKER = textwrap.dedent("""
    import sys, time
    from framecast.cost.budget import BudgetConfig
    from framecast.core.errors import BudgetExceeded
    from framecast.cost.meter import Meter

    url, name, start_at = sys.argv[1], sys.argv[2], float(sys.argv[3])
    m = Meter.open(url, run=f"chan/2026-12-01/{name}", channel="chan", day="2026-12-01",
                   budget=BudgetConfig(max_usd_per_day=1.0))
    m.spent()  # connected and ready before the start, so the processes really race
    time.sleep(max(0.0, start_at - time.time()))
    billed = 0
    for _ in range(30):
        try:
            with m.charge(provider="runway", role="motion", units=0.5, unit="second"):  # $0.025
                billed += 1
        except BudgetExceeded:
            pass
    print(billed)
""")


def _two_processes_share_a_day_budget(url: str) -> None:
    start_at = str(time.time() + 4)  # after every interpreter has started
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, name, start_at],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("machine-a", "machine-b", "machine-c")
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err[-2000:] for _, err in outputs]
    counts = [int(out) for out, _ in outputs]
    ledger = open_ledger(url)
    billed = ledger.entries(channel="chan", month="2026-12")
    assert sum(counts) == len(billed) == 40, counts  # 90 attempts at $0.025 against $1.00: exactly forty
    assert round(sum(e["usd"] for e in billed), 6) == 1.0


def test_three_processes_on_one_sqlite_ledger_never_overshoot_a_shared_budget(tmp_path):
    _two_processes_share_a_day_budget(default_url(tmp_path))


def test_three_processes_on_postgresql_never_overshoot_a_shared_budget(postgres):
    _two_processes_share_a_day_budget(postgres)  # the Prefect server's own asyncpg URL, as users would copy it


def test_framecast_costs_reports_a_channels_month_by_day_and_stage(data_dir, capsys):
    from flows.cli import main

    for run, day, seconds in (
        ("chan/2026-12-01/a", "2026-12-01", 10),
        ("chan/2026-12-02/b", "2026-12-02", 4),
        ("chan/2027-01-01/c", "2027-01-01", 20),
    ):
        with meter(data_dir, run=run, day=day).charge(provider="runway", role="motion", units=seconds, unit="second"):
            pass
    with meter(data_dir, run="other/2026-12-01/d").charge(provider="openai", role="image", units=1, unit="image"):
        pass
    assert main(["costs", "--channel", "chan", "--month", "2026-12"]) == 0
    out = capsys.readouterr().out
    assert "2026-12-01   chan                      0.50" in out and "2026-12-02   chan                      0.20" in out
    assert "2027-01-01" not in out and "openai" not in out
    assert out.rstrip().endswith("total                                  2      0.70")
    assert main(["costs", "--month", "December"]) == 2
    assert "--month 'December': use YYYY-MM" in capsys.readouterr().err


def test_a_job_the_provider_failed_is_refunded_and_stops_counting(tmp_path):
    m = meter(tmp_path, max_usd_per_run=0.5)
    with pytest.raises(RuntimeError):
        with m.charge(provider="runway", role="motion", units=10, unit="second") as bill:
            bill.accepted("runway:task-9")  # $0.50: the whole budget
            assert m.refund("runway:task-9")  # FAILED at Runway: credits back
            raise RuntimeError("runway: task task-9 failed: INTERNAL")
    assert m.entries() == [] and m.spent().run == 0
    with m.charge(provider="runway", role="motion", units=10, unit="second"):  # the retry's new job fits
        pass
    assert not m.refund("runway:task-9")  # once
