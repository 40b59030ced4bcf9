"""List prices from the registry: a model's own price where it differs from its vendor's, the channel's over both."""

import pytest

from framecast.providers import registry


def test_prices_are_the_models_where_they_differ_from_the_vendors():
    from framecast.cost import pricing

    assert pricing.cost("runway", "motion", 10, model="gen4.5") == pytest.approx(1.2)  # 12 credits/s
    assert pricing.cost("runway", "motion", 10, model="gen4_turbo") == pytest.approx(0.5)  # the vendor's 5/s
    assert pricing.cost("runway", "motion", 10, {"runway/motion": 0.2}, model="gen4.5") == pytest.approx(2.0)
    assert pricing.cost("anthropic", "script", 1000, model="claude-sonnet-5-5") < pricing.cost(
        "anthropic", "script", 1000, model="claude-sonnet-4-6"
    )
    assert registry.default_model("script", "anthropic") == "claude-sonnet-5-5"


def test_the_estimate_prices_the_sound_design_at_most_once_per_scene_and_transition_kind():
    from framecast.channel import ChannelConfig
    from framecast.plan.estimate import estimate

    def sound_lines(**sound):
        channel = ChannelConfig.model_validate({"name": "est", "sound": sound, "script": {"target_seconds": 60}})
        return [line for line in estimate(channel) if line.role == "sound"]

    assert [(line.provider, line.usd) for line in sound_lines()] == [("local", 0.0)]  # offline: listed, free
    [paid] = sound_lines(provider="elevenlabs", ambience=True)
    assert paid.units == 60 + 2 * 1.2 and paid.unit == "second" and paid.usd == pytest.approx(paid.units * 0.02)
    assert sound_lines(provider="elevenlabs", transitions={"fade": None, "dissolve": None}) == []
