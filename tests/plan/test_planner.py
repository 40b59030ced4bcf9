"""The planner chooses per stage from the registry's ratings and prices, within the channel's budget."""

import pytest

from framecast.channel import ChannelConfig
from framecast.plan import planner
from framecast.plan.planner import TIERS, PlanError


def channel(**fields) -> ChannelConfig:
    return ChannelConfig(name="planned", script={"target_seconds": 60}, **fields)


def test_economy_without_a_budget_is_the_cheapest_plan_there_is():
    result = planner.plan(channel(tier="economy"))
    for role, pick in result.chosen.items():
        assert pick.usd == min(o.usd for o in result.options[role])
    assert result.usd == 0.0  # everything local


@pytest.mark.parametrize("tier, budget", [("standard", 5.0), ("premium", 1.5), ("premium", 6.0), ("premium", 50.0)])
def test_a_plan_reaches_the_tiers_quality_stays_within_budget_and_leaves_no_affordable_upgrade(tier, budget):
    result = planner.plan(channel(tier=tier, budget={"max_usd_per_run": budget}))
    assert result.usd <= budget
    for role, pick in result.chosen.items():
        assert pick.quality >= TIERS[tier][role]
    if tier == "premium":  # what the budget leaves cannot buy a better provider for any stage
        for role, pick in result.chosen.items():
            for better in (o for o in result.options[role] if o.quality > pick.quality):
                assert result.usd - pick.usd + better.usd > budget, (role, better)
    else:  # standard takes the cheapest provider that reaches each floor
        for role, pick in result.chosen.items():
            assert pick.usd == min(o.usd for o in result.options[role] if o.quality >= TIERS[tier][role])


def test_a_bigger_budget_buys_a_better_premium_plan():
    small = planner.plan(channel(tier="premium", budget={"max_usd_per_run": 1.5}))
    large = planner.plan(channel(tier="premium", budget={"max_usd_per_run": 50.0}))
    assert sum(o.quality for o in large.chosen.values()) > sum(o.quality for o in small.chosen.values())
    assert large.chosen["motion"].provider in ("runway", "kling")


def test_a_budget_below_the_cheapest_plan_of_the_tier_names_the_field_and_the_fix():
    with pytest.raises(
        PlanError,
        match=r"cheapest premium plan costs \$[\d.]+ a run .* over the \$0.05 budget: "
        r"raise budget.max_usd_per_run or choose a lower tier",
    ):
        planner.plan(channel(tier="premium", budget={"max_usd_per_run": 0.05}))


def test_a_stage_the_channel_names_is_kept_and_planned_paid_stages_fall_back_to_local():
    cfg = channel(tier="standard", budget={"max_usd_per_run": 5.0}, motion={"provider": "kling"})
    result = planner.plan(cfg)
    assert "motion" in result.fixed and result.chosen["motion"].provider == "kling"
    planned = planner.apply(cfg)
    assert planned.motion == cfg.motion  # as written
    assert planned.voice.providers == (result.chosen["voice"].provider, "local")
    assert planned.script.provider == result.chosen["script"].provider != "local"
    assert planner.apply(planned) == planned  # planning a planned channel changes nothing


def test_the_openai_voice_is_never_planned_while_it_has_no_default_model():
    voices = {o.provider for o in planner.options(channel(), "voice")}
    assert "openai" not in voices and {"local", "elevenlabs"} <= voices
