"""The planner: a channel gives a tier and a budget, framecast chooses each stage's provider.

Ratings (quality 1–5, typical seconds per call) are framecast's own, kept in the provider registry
beside the prices (`ProviderSpec.ratings`); prices and request limits are the registry's and the
settings'. A tier sets the least quality each stage must reach; the plan takes the cheapest provider
that reaches it and, for `premium`, then spends what the budget leaves on the upgrades that add the
most quality per dollar. A stage the channel file names itself is kept as written. Every planned
paid stage falls back to `local`, which always works, so a quota never stops a planned channel.
"""

from __future__ import annotations

from dataclasses import dataclass

from framecast.core.errors import ConfigError
from framecast.providers import registry

STAGES = ("script", "image", "motion", "voice")
# The least quality per stage for each tier (1 = it works offline, 5 = the best on the market).
TIERS = {
    "economy": {"script": 1, "image": 1, "motion": 1, "voice": 1},
    "standard": {"script": 4, "image": 3, "motion": 2, "voice": 3},
    "premium": {"script": 4, "image": 4, "motion": 2, "voice": 4},  # then the budget buys upgrades
}


class PlanError(ConfigError):
    """No plan of the tier fits the budget; the message gives the cheapest one and the fix."""


@dataclass(frozen=True)
class Option:
    """One provider for one stage of one channel: its rating and what a run of the channel would cost."""

    role: str
    provider: str
    model: str
    quality: int
    seconds: float
    usd: float


@dataclass(frozen=True)
class Plan:
    tier: str
    budget: float | None
    chosen: dict[str, Option]
    options: dict[str, list[Option]]
    fixed: tuple[str, ...]  # stages the channel file named itself

    @property
    def usd(self) -> float:
        return round(sum(o.usd for o in self.chosen.values()), 4)


def budget_of(channel) -> float | None:
    """What one run may cost: the per-run budget, else the day's (one video a day)."""
    limits = (channel.budget.max_usd_per_run, channel.budget.max_usd_per_day)
    return next((limit for limit in limits if limit is not None), None)


def options(channel, role: str) -> list[Option]:
    """Every provider the registry rates for `role` that has a default model, costed for this channel."""
    from framecast.plan.estimate import estimate

    found = []
    for spec in registry.all_specs():
        rating = spec.ratings.get(role)
        model = registry.default_model(role, spec.name) if spec.name != "local" else "-"
        if rating is None or model is None:
            continue  # unrated, or no safe default (e.g. OpenAI speech, shutting down)
        trial = channel.model_copy(update={role: type(getattr(channel, role))(provider=spec.name)})
        usd = sum(
            line.usd for line in estimate(trial) if line.role == role or (role == "voice" and line.role == "timing")
        )
        found.append(Option(role, spec.name, model, rating[0], rating[1], round(usd, 4)))
    return sorted(found, key=lambda o: (o.usd, -o.quality))


def plan(channel) -> Plan:
    """The providers a run of `channel` (with `tier` set) will use, within its budget."""
    tier = channel.tier or "economy"
    floors, budget = TIERS[tier], budget_of(channel)
    fixed = tuple(role for role in STAGES if {"provider", "providers"} & getattr(channel, role).model_fields_set)
    table = {role: options(channel, role) for role in STAGES}
    chosen: dict[str, Option] = {}
    for role in STAGES:
        if role in fixed:
            cfg = getattr(channel, role)
            chosen[role] = next(
                (o for o in table[role] if o.provider == cfg.provider),
                Option(role, cfg.provider, cfg.model or "-", 0, 0.0, 0.0),
            )
            continue
        fit = [o for o in table[role] if o.quality >= floors[role]]
        if not fit:
            raise PlanError(
                f"tier: no provider reaches {tier}'s {role} quality {floors[role]}; name "
                f"{role}.provider in the channel file or choose a lower tier"
            )
        chosen[role] = fit[0]
    cheapest = round(sum(o.usd for o in chosen.values()), 4)
    if budget is not None and cheapest > budget:
        listed = ", ".join(f"{role} {o.provider} ${o.usd:.2f}" for role, o in chosen.items())
        raise PlanError(
            f"tier: the cheapest {tier} plan costs ${cheapest:.2f} a run ({listed}), over the "
            f"${budget:.2f} budget: raise budget.max_usd_per_run or choose a lower tier"
        )
    if tier == "premium":
        _upgrade(chosen, table, fixed, budget)
    return Plan(tier=tier, budget=budget, chosen=chosen, options=table, fixed=fixed)


def _upgrade(chosen: dict[str, Option], table: dict[str, list[Option]], fixed, budget: float | None) -> None:
    """Spend what the budget leaves on the upgrades with the most quality per dollar, one at a time."""
    while True:
        total = sum(o.usd for o in chosen.values())
        steps = [
            ((o.quality - chosen[role].quality) / (o.usd - chosen[role].usd + 0.01), role, o)
            for role in STAGES
            if role not in fixed
            for o in table[role]
            if o.quality > chosen[role].quality and (budget is None or total - chosen[role].usd + o.usd <= budget)
        ]
        if not steps:
            return
        _, role, best = max(steps, key=lambda s: (s[0], s[2].quality))
        chosen[role] = best


def apply(channel):
    """The channel with each planned stage set to its chosen provider, falling back to `local`."""
    if channel.tier is None:
        return channel
    chosen = plan(channel)
    update = {}
    for role, option in chosen.chosen.items():
        if role in chosen.fixed:
            continue
        chain = (option.provider, "local") if option.provider != "local" else ("local",)
        current = getattr(channel, role)
        update[role] = current.model_copy(update={"provider": chain[0], "providers": chain if len(chain) > 1 else ()})
    return channel.model_copy(update=update)


def table_rows(result: Plan) -> list[dict]:
    """The plan and its alternatives as rows for a table (chosen first in each stage)."""
    rows = []
    for role in STAGES:
        pick = result.chosen[role]
        for o in [pick] + [o for o in result.options[role] if o.provider != pick.provider]:
            rows.append(
                {
                    "stage": role,
                    "provider": o.provider,
                    "model": o.model,
                    "quality": o.quality,
                    "seconds per call": o.seconds,
                    "usd per run": o.usd,
                    "plan": ("named in the channel" if role in result.fixed else "chosen") if o is pick else "",
                }
            )
    return rows
