"""List prices from the registry: a model's own price where it differs from its vendor's, the channel's over both."""

import pytest

from framecast import registry


def test_prices_are_the_models_where_they_differ_from_the_vendors():
    from framecast.cost import pricing

    assert pricing.cost("runway", "motion", 10, model="gen4.5") == pytest.approx(1.2)  # 12 credits/s
    assert pricing.cost("runway", "motion", 10, model="gen4_turbo") == pytest.approx(0.5)  # the vendor's 5/s
    assert pricing.cost("runway", "motion", 10, {"runway/motion": 0.2}, model="gen4.5") == pytest.approx(2.0)
    assert pricing.cost("anthropic", "script", 1000, model="claude-sonnet-5-5") < pricing.cost(
        "anthropic", "script", 1000, model="claude-sonnet-4-6")
    assert registry.default_model("script", "anthropic") == "claude-sonnet-5-5"
