"""A channel that gives a tier and a budget instead of providers: the planner's choice runs, within budget,
and costs what the estimate said (counted in the ledger, from what the sandbox billed)."""

import pytest
import yaml

from flows.produce_video import produce_video
from framecast.plan import planner
from framecast.plan.estimate import estimate
from framecast.plan.load import load_channel
from tests.conftest import ledger_entries

pytestmark = pytest.mark.usefixtures("prefect_server")


def test_a_premium_channel_runs_the_planned_providers_within_budget_and_as_estimated(cloud, tiny_channel, tmp_path):
    data = yaml.safe_load(tiny_channel.read_text())
    data.update(name="tiered", tier="premium", budget={"max_usd_per_run": 10.0})
    path = tmp_path / "tiered.yaml"
    path.write_text(yaml.safe_dump(data))
    planned = planner.plan(load_channel(str(path), planned=False))
    assert planned.chosen["motion"].provider in ("runway", "kling")  # the budget buys paid motion

    publication = produce_video(channel=str(path), topic="How volcanoes work")
    assert publication.published
    spent = [e for e in ledger_entries(tmp_path / "out") if e["usd"]]
    by_stage = {e["role"]: e["provider"] for e in spent}
    assert by_stage == {role: o.provider for role, o in planned.chosen.items() if o.usd}
    total = sum(e["usd"] for e in spent)
    expected = sum(line.usd for line in estimate(load_channel(str(path))))
    print(f"\nplanned ${planned.usd:.3f}, estimated ${expected:.3f}, billed ${total:.3f}")
    assert total <= 10.0 and expected == pytest.approx(planned.usd, rel=1e-6)
    assert total == pytest.approx(expected, rel=0.10)
