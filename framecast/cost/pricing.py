"""Estimated list prices (USD) per unit of each paid call, for the cost ledger and budgets.

Estimates from the providers' public price pages as of 2026-11; they change, so a channel can
override or add any entry under `budget.prices` ("provider/role": USD per unit). Local providers
cost 0. A paid provider with no price here is refused by a budgeted run (its cost is unknown).
"""

from __future__ import annotations

from typing import Mapping

from framecast.errors import ConfigError

# Everything that runs on this machine: free, and never refused by a budget.
FREE_PROVIDERS = frozenset({"local", "piper", "flite", "file", "none", ""})

# (provider, role) → (USD per unit, unit)
PRICES: dict[tuple[str, str], tuple[float, str]] = {
    ("openai", "script"): (0.01 / 1000, "token"),        # blended input+output tokens
    ("openai", "image"): (0.04, "image"),                # gpt-image-2, ~1536x864, medium quality
    ("anthropic", "script"): (0.009 / 1000, "token"),    # sonnet, blended input+output tokens
    ("openai", "topics"): (0.01 / 1000, "token"),        # topic ideas: the script model's tokens
    ("anthropic", "topics"): (0.009 / 1000, "token"),
    ("openai", "embeddings"): (0.02 / 1_000_000, "token"),  # text-embedding-3-small
    ("stability", "image"): (0.065, "image"),            # sd3.5-large: 6.5 credits at $0.01
    ("kling", "motion"): (0.056, "second"),              # kling v2.1 std, 5 s clip ≈ $0.28
    ("runway", "motion"): (0.05, "second"),              # gen4_turbo: 5 credits/s at $0.01/credit
    ("elevenlabs", "voice"): (0.30 / 1000, "character"),  # multilingual v2, creator-tier overage
    ("elevenlabs", "sound"): (0.02, "second"),            # sound generation, ~20 credits/s
    ("openai", "voice"): (0.015 / 1000, "character"),     # /audio/speech
    ("openai", "timing"): (0.006, "minute"),              # whisper-1 word timestamps on that speech
    # One annotate_video with shot changes ($0.05), labels ($0.10), explicit content ($0.10), speech
    # transcription ($0.048) and object tracking ($0.15), each billed per started minute.
    ("google", "quality"): (0.448, "minute"),
}


def price(provider: str, role: str, overrides: Mapping[str, float] | None = None) -> tuple[float, str] | None:
    """(USD per unit, unit name); free for local providers; None for a paid pair with no known price."""
    if overrides and f"{provider}/{role}" in overrides:
        known = PRICES.get((provider, role))
        return overrides[f"{provider}/{role}"], known[1] if known else "unit"
    if provider in FREE_PROVIDERS:
        return 0.0, "call"
    return PRICES.get((provider, role))


def cost(provider: str, role: str, units: float, overrides: Mapping[str, float] | None = None) -> float:
    """USD for `units` of the pair; an unknown paid pair costs 0 here (a budget refuses it: `require_price`)."""
    found = price(provider, role, overrides)
    return round(found[0] * units, 6) if found else 0.0


def require_price(provider: str, role: str, overrides: Mapping[str, float] | None = None) -> tuple[float, str]:
    """The price, or a ConfigError naming the entry to add: a budget cannot hold a call of unknown cost."""
    found = price(provider, role, overrides)
    if found is None:
        raise ConfigError(f"budget: {provider} {role} calls have no known price, so a budgeted run cannot allow them; "
                          f"add budget.prices['{provider}/{role}'] (USD per unit) to the channel file")
    return found
