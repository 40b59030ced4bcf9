"""Day and month budgets count when the money is spent, in the channel's timezone (review finding M4);
a reservation a killed worker left counts until an operator reconciles it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from framecast.core.errors import BudgetExceeded
from framecast.cost.budget import BudgetConfig
from framecast.cost.ledger import RESERVATION_TTL, Spent, default_url, open_ledger
from framecast.cost.ledger_db import charges
from framecast.cost.meter import Meter
from framecast.settings import reset_settings

PRICES = {"runway/motion": 0.1}  # the review's reproduction: $0.50 for a 5 s clip
UTC = UTC


def channel_meter(url, publish: str, name: str, tz: str = "UTC", channel: str = "chan", **budget) -> Meter:
    return Meter.open(
        url,
        run=f"{channel}/{publish}/{name}",
        channel=channel,
        day=publish,
        timezone=tz,
        budget=BudgetConfig(prices=PRICES, **budget),
    )


def clip(m: Meter) -> bool:
    """One $0.50 clip: True when the budgets allowed it."""
    try:
        with m.charge(provider="runway", role="motion", units=5, unit="second"):
            return True
    except BudgetExceeded:
        return False


def test_a_custom_publish_date_gets_no_fresh_day_or_month_budget(tmp_path, clock):
    # The review's reproduction: four publish dates, each a fresh day and month under the old ledger ($4 in one day).
    url, allowed = default_url(tmp_path), 0
    for n, publish in enumerate(("2026-12-07", "2027-01-07", "2027-02-07", "2030-05-01")):
        m = Meter.open(
            url,
            run=f"chan/{publish}/r{n}",
            channel="chan",
            day=publish,
            budget=BudgetConfig(max_usd_per_day=1, max_usd_per_month=1, prices=PRICES),
        )
        allowed += clip(m) + clip(m)
    assert allowed == 2
    assert m.spent() == Spent(run=0, day=1.0, month=1.0, on="2026-12-07")
    with pytest.raises(
        BudgetExceeded, match=r"would take 2026-12-07 of channel chan to \$1.50, over budget.max_usd_pe"
    ):
        with m.charge(provider="runway", role="motion", units=5, unit="second"):
            pass
    assert [e["run"] for e in open_ledger(url).entries(channel="chan")] == ["chan/2026-12-07/r0"] * 2


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    publish=st.lists(st.dates(), min_size=1, max_size=6),
    moment=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)),
    tz=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Pacific/Kiritimati"]),
)
def test_whatever_publish_dates_a_day_never_spends_past_its_cap(tmp_path, clock, publish, moment, tz):
    url, channel = default_url(tmp_path), f"c{time.monotonic_ns()}"
    clock.now = moment
    for n, day in enumerate(publish):
        m = channel_meter(url, day.isoformat(), f"r{n}", tz, channel, max_usd_per_day=1.0, max_usd_per_month=5.0)
        clip(m), clip(m)
    assert sum(e["usd"] for e in open_ledger(url).entries(channel=channel)) == pytest.approx(min(1.0, len(publish)))


def test_the_day_and_the_month_are_the_channels_own_where_the_money_is_spent(tmp_path, clock):
    url = default_url(tmp_path)

    def berlin(name: str) -> Meter:
        return channel_meter(url, "2026-12-01", name, "Europe/Berlin", max_usd_per_day=1.0, max_usd_per_month=1.5)

    def utc(name: str) -> Meter:
        return channel_meter(url, "2026-12-01", name, "UTC", max_usd_per_day=1.0, max_usd_per_month=1.5)

    clock.now = datetime(2026, 12, 30, 22, 30, tzinfo=UTC)  # 23:30 on the 30th in Berlin
    assert clip(berlin("a")) and clip(berlin("a"))
    with pytest.raises(BudgetExceeded, match=r"take 2026-12-30 of channel chan to \$1.50, over budget.max_usd_per_day"):
        with berlin("a").charge(provider="runway", role="motion", units=5, unit="second"):
            pass
    clock.now = datetime(2026, 12, 30, 23, 30, tzinfo=UTC)  # 00:30 on the 31st in Berlin, still the 30th in UTC
    assert utc("b").spent().day == 1.0 and berlin("b").spent().day == 0
    assert clip(berlin("b"))
    with pytest.raises(BudgetExceeded, match=r"take 2026-12 of channel chan to \$2.00, over budget.max_usd_per_month"):
        with berlin("b").charge(provider="runway", role="motion", units=5, unit="second"):
            pass
    clock.now = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 January in Berlin: a new month there
    assert utc("c").spent().month == 1.5 and not clip(utc("c"))
    assert clip(berlin("c"))
    assert berlin("c").spent() == Spent(run=0.5, day=0.5, month=0.5, on="2027-01-01")


def test_billing_keeps_the_day_the_budget_check_counted_the_money_in(tmp_path, clock):
    m = channel_meter(default_url(tmp_path), "2026-12-07", "a", max_usd_per_day=1.0)
    clock.now = datetime(2026, 12, 7, 23, 59, tzinfo=UTC)
    with m.charge(provider="runway", role="motion", units=10, unit="second"):  # reserved at 23:59 ...
        clock.now = datetime(2026, 12, 8, 0, 1, tzinfo=UTC)  # ... billed at 00:01
    assert m.spent().day == 0  # the 8th starts with its whole budget
    clock.now = datetime(2026, 12, 7, 23, 59, 30, tzinfo=UTC)
    assert m.spent().day == 1.0


def test_a_reservation_a_killed_worker_left_counts_until_it_is_reconciled(data_dir, clock, capsys):
    from flows.cli import main

    m = Meter.open(
        default_url(data_dir),
        run="chan/2026-12-07/a",
        channel="chan",
        day="2026-12-07",
        budget=BudgetConfig(max_usd_per_day=1.0, prices=PRICES),
    )
    left = m.ledger.reserve(
        run="chan/2031-01-01/killed",
        channel="chan",
        day="2031-01-01",
        provider="runway",
        role="motion",
        model="",
        units=5,
        unit="second",
        usd=0.5,
    )  # the worker died mid-call
    clock.now += RESERVATION_TTL + timedelta(minutes=1)  # the old ledger stopped counting it here
    assert (m.spent().day, m.spent().month) == (0.5, 0.5)  # still counted, on the day it was made
    assert m.spent() == Spent(run=0, day=0.5, month=0.5, on="2026-12-07", unconfirmed=0.5)
    with pytest.raises(
        BudgetExceeded,
        match=r"\$0.50 of this month's are reservations of killed workers: "
        r"`framecast costs` lists them, `--reconcile ID` settles one",
    ):
        with m.charge(provider="runway", role="motion", units=6, unit="second"):  # $0.60
            pass
    assert main(["costs", "--channel", "chan", "--month", "2026-12"]) == 0
    out = capsys.readouterr().out
    assert f"{left} unconfirmed 2026-12-07 10:00:00 chan" in out and "chan/2031-01-01/killed" in out
    assert "--reconcile ID --billed USD" in out

    for wrong in (["--billed", "inf"], ["--billed", "-1"], ["--billed", "0.3", "--released"], []):
        assert main(["costs", "--reconcile", left, *wrong]) == 2
    assert main(["costs", "--reconcile", left[:4], "--released"]) == 2
    assert "at least its first 8 characters" in capsys.readouterr().err
    assert m.spent().day == 0.5  # nothing changed by the refused attempts
    assert main(["costs", "--reconcile", left[:8], "--billed", "0.3"]) == 0  # the provider's billing says $0.30
    assert f"{left} (chan motion runway, reserved $0.50): billed $0.30" in capsys.readouterr().out
    assert m.spent().day == 0.3 and m.spent().unconfirmed == 0
    assert main(["costs", "--reconcile", left, "--released"]) == 2  # once

    other = m.ledger.reserve(
        run="chan/2031-01-01/killed",
        channel="chan",
        day="2031-01-01",
        provider="runway",
        role="motion",
        model="",
        units=5,
        unit="second",
        usd=0.5,
    )
    assert main(["costs", "--reconcile", other, "--released"]) == 2  # it may still be running: not yet
    assert "still running" in capsys.readouterr().err
    clock.now += RESERVATION_TTL + timedelta(minutes=1)
    assert m.spent().day == 0.8
    assert main(["costs", "--reconcile", other, "--released"]) == 0  # the provider charged nothing
    assert m.spent().day == 0.3


DRILL = textwrap.dedent("""
    import sys
    from framecast.cost.budget import BudgetConfig
    from framecast.voice.config import VoiceConfig
    from framecast.cost.meter import Meter
    from framecast.voice import narration
    from framecast.context import services

    m = Meter.open(sys.argv[1], run="chan/2031-01-01/killed", channel="chan", day="2031-01-01",
                   budget=BudgetConfig(max_usd_per_day=5.0))
    narration.synthesize("Lava is molten rock that reaches the surface.", VoiceConfig(provider="elevenlabs"), m,
                         services=services())
    print("billed", flush=True)
""")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_kill_9_drill_a_narration_in_flight_stays_counted_and_listed(
    backend, request, data_dir, sandbox, monkeypatch, capsys
):
    from flows.cli import main

    url = default_url(data_dir) if backend == "sqlite" else request.getfixturevalue("postgres")
    env = {
        **os.environ,
        **sandbox.env(),
        "FRAMECAST_DATA_DIR": str(data_dir),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    sandbox.state.latency["elevenlabs"] = 5.0  # the provider works on it while the worker is killed
    worker = subprocess.Popen(
        [sys.executable, "-c", DRILL, url], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        while sandbox.state.calls("elevenlabs", "tts.with_timestamps") == 0:
            assert worker.poll() is None, worker.communicate()[1][-2000:]
            time.sleep(0.05)
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.communicate()
    assert worker.returncode == -signal.SIGKILL

    ledger = open_ledger(url)
    [left] = ledger.entries(channel="chan", status=("reserved",))
    assert (left["provider"], left["role"], left["day"]) == ("elevenlabs", "voice", "2031-01-01") and left["usd"] > 0
    assert ledger.entries(channel="chan") == []  # never billed
    with ledger.engine.begin() as conn:  # two hours on: the old ledger had forgotten it
        conn.execute(update(charges).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    today = Meter.open(url, run="chan/2026-12-07/next", channel="chan", day="2026-12-07")
    spent = today.spent()
    assert spent.day == spent.month == left["usd"]  # counted today, whatever the video's label
    assert spent.unconfirmed == left["usd"]

    monkeypatch.setenv("FRAMECAST_LEDGER_URL", url)
    reset_settings()
    assert main(["costs", "--channel", "chan"]) == 0
    assert f"{left['id']} unconfirmed" in capsys.readouterr().out


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_ledger_an_older_framecast_wrote_is_read_and_gets_the_new_index(backend, request, tmp_path, clock):
    from sqlalchemy import inspect, text

    from framecast.cost.ledger_db import engine as _engine

    url = default_url(tmp_path) if backend == "sqlite" else request.getfixturevalue("postgres")
    old = open_ledger(url)
    billed = old.reserve(
        run="chan/2026-11-30/old",
        channel="chan",
        day="2026-11-30",
        provider="runway",
        role="motion",
        model="",
        units=5,
        unit="second",
        usd=0.25,
    )
    old.bill(billed, units=5, unit="second", usd=0.25)
    old.reserve(
        run="chan/2026-11-30/old",
        channel="chan",
        day="2026-11-30",
        provider="runway",
        role="motion",
        model="",
        units=5,
        unit="second",
        usd=0.5,
    )  # expired under the old ledger's rule
    with old.engine.begin() as conn:  # the schema as framecast ≤ this change made it
        conn.execute(text("DROP INDEX ix_framecast_charges_channel_at"))
    old.engine.dispose()
    _engine.cache_clear(), open_ledger.cache_clear()
    clock.now += RESERVATION_TTL * 2
    reopened = open_ledger(url)
    names = {i["name"] for i in inspect(reopened.engine).get_indexes("framecast_charges")}
    assert {"ix_framecast_charges_channel_at", "ix_framecast_charges_channel_month"} <= names
    assert [e["usd"] for e in reopened.entries(channel="chan")] == [0.25]
    assert reopened.spent(run="chan/2026-12-07/new", channel="chan") == Spent(
        run=0, day=0.75, month=0.75, on="2026-12-07", unconfirmed=0.5
    )
