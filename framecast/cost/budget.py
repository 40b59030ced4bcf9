"""A channel's spending limits (`budget:` in its file), enforced by the meter (framecast.cost.meter)."""

from __future__ import annotations

import logging
from typing import Annotated

from pydantic import Field, field_validator

from framecast.core.models import Frozen

log = logging.getLogger("framecast.cost")


class BudgetConfig(Frozen):
    """Spending limits; a run stops before the paid call that would exceed any of them.

    The day and the month are those in which the money is spent (the ledger's clock in the channel's
    timezone), whatever day the video is for, summed over every run of the channel on every worker that
    shares the ledger (FRAMECAST_LEDGER_URL).
    """

    max_usd_per_run: Annotated[float, Field(ge=0)] | None = None
    max_usd_per_day: Annotated[float, Field(ge=0)] | None = None
    max_usd_per_month: Annotated[float, Field(ge=0)] | None = None
    # "provider/role" → USD per unit, over the built-in list prices (framecast/cost/pricing.py).
    prices: dict[str, Annotated[float, Field(ge=0, allow_inf_nan=False)]] = Field(default_factory=dict)

    @property
    def limited(self) -> bool:
        return any(v is not None for v in (self.max_usd_per_run, self.max_usd_per_day, self.max_usd_per_month))

    @field_validator("prices")
    @classmethod
    def _price_keys(cls, value: dict[str, float]) -> dict[str, float]:
        bad = [k for k in value if k.count("/") != 1 or not all(k.split("/"))]
        if bad:
            raise ValueError(f"keys must be 'provider/role' (e.g. 'runway/motion'), not {', '.join(map(repr, bad))}")
        from framecast.cost.pricing import FREE_PROVIDERS  # not at import: pricing loads the provider registry

        free = [k for k, v in value.items() if v == 0 and k.split("/")[0] not in FREE_PROVIDERS]
        if free:  # allowed (e.g. a prepaid plan), but it turns every budget check of those calls off
            log.warning(
                "budget.prices: %s cost 0, so no budget limits those paid calls; give the real USD per unit "
                "unless they are really free",
                ", ".join(free),
            )
        return value
