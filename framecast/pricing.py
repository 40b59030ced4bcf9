"""Estimated list prices (USD) per unit of each paid call, for the cost ledger and budgets.

Estimates from the providers' public price pages as of 2026-11; they change, so a channel can
override any entry (`budget.prices` is planned; edit here until then). Local providers cost 0.
"""

from __future__ import annotations

# (provider, role) → (USD per unit, unit)
PRICES: dict[tuple[str, str], tuple[float, str]] = {
    ("openai", "script"): (0.01 / 1000, "token"),        # blended input+output tokens
    ("openai", "image"): (0.04, "image"),                # gpt-image-2, ~1536x864, medium quality
    ("anthropic", "script"): (0.009 / 1000, "token"),    # sonnet, blended input+output tokens
    ("openai", "topics"): (0.01 / 1000, "token"),        # topic ideas: the script model's tokens
    ("anthropic", "topics"): (0.009 / 1000, "token"),
    ("stability", "image"): (0.065, "image"),            # sd3.5-large: 6.5 credits at $0.01
    ("kling", "motion"): (0.056, "second"),              # kling v2.1 std, 5 s clip ≈ $0.28
    ("runway", "motion"): (0.05, "second"),              # gen4_turbo: 5 credits/s at $0.01/credit
    ("elevenlabs", "voice"): (0.30 / 1000, "character"),  # multilingual v2, creator-tier overage
    ("elevenlabs", "sound"): (0.02, "second"),            # sound generation, ~20 credits/s
    ("openai", "voice"): (0.015 / 1000, "character"),     # speech, plus whisper-1 timing (~$0.006/min)
}


def price(provider: str, role: str) -> tuple[float, str]:
    """(USD per unit, unit name); local and unknown pairs cost nothing."""
    return PRICES.get((provider, role), (0.0, "call"))


def cost(provider: str, role: str, units: float) -> float:
    return round(price(provider, role)[0] * units, 6)
