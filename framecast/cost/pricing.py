"""Estimated list prices (USD) per unit of each paid call, for the cost ledger and budgets.

The prices live in the provider registry (`framecast/providers/registry.py`), one entry per vendor; they are
estimates from the providers' public price pages as of 2026-12 and they change, so a channel can
override or add any entry under `budget.prices` ("provider/role": USD per unit). Local providers
cost 0. A paid provider with no price here is refused by a budgeted run (its cost is unknown).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping

from framecast.core.errors import ConfigError, PermanentError
from framecast.providers import registry

log = logging.getLogger("framecast.cost")

# Everything that runs on this machine: free, and never refused by a budget.
FREE_PROVIDERS = frozenset({"local", "piper", "flite", "file", "none", ""})


def list_prices() -> dict[tuple[str, str], tuple[float, str]]:
    """(provider, role) → (USD per unit, unit), from each vendor's registry entry (plugins included)."""
    return {(spec.name, role): found for spec in registry.all_specs() for role, found in spec.prices.items()}


def price(
    provider: str, role: str, overrides: Mapping[str, float] | None = None, model: str | None = None
) -> tuple[float, str] | None:
    """(USD per unit, unit name): the channel's override, else the model's price, else the vendor's; free for
    local providers; None for a paid pair with no known price."""
    known = list_prices().get((provider, role))
    if overrides and f"{provider}/{role}" in overrides:
        return overrides[f"{provider}/{role}"], known[1] if known else "unit"
    if provider in FREE_PROVIDERS:
        return 0.0, "call"
    priced = registry.model(provider, model) if model else None
    if known and priced is not None and priced.price is not None:
        return priced.price, known[1]
    return known


def reported_usd(provider: str, role: str, usd, overrides: Mapping[str, float] | None = None) -> float | None:
    """A cost the provider's response reported, when it is usable: a finite number ≥ 0 and no channel override of
    the pair's price (the channel's own price wins). None: bill units × price."""
    if usd is None or (overrides and f"{provider}/{role}" in overrides):
        return None
    if isinstance(usd, bool) or not isinstance(usd, int | float) or not math.isfinite(usd) or usd < 0:
        log.warning(
            "cost: %s %s reported a cost of %r (not a finite number ≥ 0): billing units × price", provider, role, usd
        )
        return None
    return round(float(usd), 6)


def checked_units(provider: str, role: str, units, fallback: float | None = None) -> float:
    """`units` as a finite number ≥ 0; otherwise `fallback` with a warning (units a provider reported: the
    reserved estimate is billed), or, with no fallback, a PermanentError naming the pair (nothing is spent)."""
    try:
        value = float(units)
    except (TypeError, ValueError, OverflowError):
        value = math.nan
    if math.isfinite(value) and value >= 0 and not isinstance(units, bool):
        return value
    if fallback is None:
        raise PermanentError(
            f"cost: {provider} {role}: {units!r} units is not a finite number ≥ 0, so the call "
            "cannot be priced; nothing was reserved or spent",
            provider=provider,
        )
    log.warning(
        "cost: %s %s reported %r units (not a finite number ≥ 0): billing the reserved estimate of %g instead",
        provider,
        role,
        units,
        fallback,
    )
    return fallback


def cost(
    provider: str, role: str, units: float, overrides: Mapping[str, float] | None = None, model: str | None = None
) -> float:
    """USD for `units` of the pair; an unknown paid pair costs 0 here (a budget refuses it: `require_price`)."""
    found = price(provider, role, overrides, model)
    return round(found[0] * checked_units(provider, role, units), 6) if found else 0.0


def require_price(
    provider: str, role: str, overrides: Mapping[str, float] | None = None, model: str | None = None
) -> tuple[float, str]:
    """The price, or a ConfigError naming the entry to add: a budget cannot hold a call of unknown cost."""
    found = price(provider, role, overrides, model)
    if found is None:
        raise ConfigError(
            f"budget: {provider} {role} calls have no known price, so a budgeted run cannot allow them; "
            f"add budget.prices['{provider}/{role}'] (USD per unit) to the channel file"
        )
    return found
