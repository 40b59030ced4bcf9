"""What a cost is computed from is checked in one place (review findings L9 and M4's script estimate):
units a provider reports, a channel's prices, and the tokens a script call is reserved for."""

from __future__ import annotations

import itertools
import logging
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framecast.core.errors import BudgetExceeded, ConfigError, PermanentError
from framecast.cost import pricing
from framecast.cost.budget import BudgetConfig
from framecast.cost.ledger import default_url
from framecast.cost.meter import Meter
from framecast.cost.tokens import script_reservation
from framecast.plan.load import load_channel
from framecast.providers.base import ScriptBrief
from framecast.script.config import ScriptConfig
from framecast.settings import reset_settings

NONSENSE = st.one_of(
    st.floats(max_value=-1e-9),
    st.just(math.nan),
    st.just(math.inf),
    st.just(-math.inf),
    st.sampled_from([None, "12x", "", [], True]),
)
RUNS = itertools.count()


def meter(tmp_path, **budget) -> Meter:
    return Meter.open(
        default_url(tmp_path), run="chan/2026-12-07/r", channel="chan", day="2026-12-07", budget=BudgetConfig(**budget)
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reported=NONSENSE)
def test_units_a_provider_reports_that_are_no_count_bill_the_estimate_with_a_warning(tmp_path, caplog, reported):
    m = Meter.open(
        default_url(tmp_path),
        run=f"chan/2026-12-07/r{next(RUNS)}",
        channel="chan",
        day="2026-12-07",
        budget=BudgetConfig(max_usd_per_run=1.0),
    )
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="framecast.cost"):
        with m.charge(
            provider="anthropic", role="script", units=10_000, unit="token", model="claude-sonnet-4-6"
        ) as bill:
            bill.units = reported  # e.g. int() of a negative usage count in the reply
    [entry] = m.entries()
    assert entry["units"] == 10_000 and entry["usd"] == pricing.cost(
        "anthropic", "script", 10_000, model="claude-sonnet-4-6"
    )
    assert m.spent().run == entry["usd"] > 0  # never lowered, never NaN
    assert "anthropic script reported" in caplog.text and "billing the reserved estimate" in caplog.text


@pytest.mark.parametrize("units", [-1, -1e6, math.nan, math.inf])
def test_an_estimate_that_is_no_count_reserves_nothing_and_says_so(tmp_path, units):
    m = meter(tmp_path, max_usd_per_day=1.0)
    with pytest.raises(
        PermanentError,
        match=r"cost: runway motion: .* units is not a finite number ≥ 0, so the call "
        r"cannot be priced; nothing was reserved or spent",
    ):
        with m.charge(provider="runway", role="motion", units=units, unit="second"):
            pass
    assert m.ledger.entries(channel="chan", status=("reserved", "billed", "released")) == []
    with pytest.raises(PermanentError):
        pricing.cost("openai", "script", units)  # was -7.2 for -1e6: a negative cost lowered "spent"


def test_budget_prices_refuse_infinity_and_warn_on_a_free_paid_call(tmp_path, caplog):
    for inf in (math.inf, -math.inf, math.nan):
        with pytest.raises(ValueError, match="finite number"):
            BudgetConfig(prices={"runway/motion": inf})
    channel = tmp_path / "c.yaml"
    channel.write_text("name: c\nbudget:\n  max_usd_per_day: 5\n  prices:\n    runway/motion: .inf\n")
    with pytest.raises(ConfigError, match=r"budget.prices.runway/motion"):
        load_channel(str(channel))
    with caplog.at_level(logging.WARNING, logger="framecast.cost"):
        BudgetConfig(prices={"runway/motion": 0, "local/image": 0, "kling/motion": 0.1})
    assert "budget.prices: runway/motion cost 0, so no budget limits those paid calls" in caplog.text
    assert "local/image" not in caplog.text and "kling" not in caplog.text


class Writer:
    """Only what the reservation reads of a writer: its answer cap."""

    max_tokens = 4000


@settings(max_examples=100, deadline=None)
@given(notes=st.lists(st.text(min_size=1, max_size=700), max_size=40))
def test_the_script_reservation_grows_with_the_notes(notes):
    bare = ScriptBrief("How volcanoes work", min_scenes=3, max_scenes=6, target_seconds=60)
    noted = ScriptBrief("How volcanoes work", min_scenes=3, max_scenes=6, target_seconds=60, notes=tuple(notes))
    grown = script_reservation(noted, Writer()) - script_reservation(bare, Writer())
    assert grown >= 2 * sum(len(n) for n in notes) // 4  # sent twice (the repair round), ≥ 1 token per 4 characters
    assert script_reservation(bare, Writer()) >= 3 * Writer.max_tokens  # the answers: first, repaired, or doubled


def test_a_script_call_whose_notes_would_break_the_run_budget_is_refused_before_it_is_made(
    sandbox, data_dir, monkeypatch
):
    from framecast.script import write as scripting

    for key, value in sandbox.env().items():
        monkeypatch.setenv(key, value)
    reset_settings()
    writer = ScriptConfig(provider="openai", min_scenes=2, max_scenes=4, target_seconds=20)
    budget = dict(max_usd_per_run=0.5)
    notes = tuple(f"Fact {n}: " + "lava flows downhill and cools into basalt over many days. " * 9 for n in range(200))
    with pytest.raises(BudgetExceeded, match=r"budget: this openai script call \(~\$0\.[6-9]\d\) would take the run"):
        scripting.write("How volcanoes work", writer, meter(data_dir, **budget), notes=notes)
    assert sandbox.state.calls("openai") == 0  # nothing was sent, nothing spent
    script, _ = scripting.write("How volcanoes work", writer, meter(data_dir, **budget), notes=notes[:3])
    assert sandbox.state.calls("openai") == 1 and script.scenes


@pytest.mark.parametrize("reported", [math.nan, -0.01, "0.02", True])
def test_a_reported_cost_that_is_no_amount_bills_units_times_price_with_a_warning(tmp_path, caplog, reported):
    m = meter(tmp_path)
    with caplog.at_level(logging.WARNING, logger="framecast.cost"):
        with m.charge(provider="openai", role="image", units=1, unit="image", model="gpt-image-2") as bill:
            bill.usd = reported  # e.g. a usage-priced image whose usage made no sense
    [entry] = m.entries()
    assert entry["usd"] == pricing.cost("openai", "image", 1, model="gpt-image-2")
    assert "reported a cost" in caplog.text
