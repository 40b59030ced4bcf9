"""A model's lifecycle on a day: current, retiring (a warning within 30 days), or retired (a problem).

Shared by pre-flight (`framecast.plan.preflight`: the registry's dates offline, the provider's own report online)
and `framecast models`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from framecast.providers import registry

WARN_DAYS = 30


@dataclass(frozen=True)
class Finding:
    """One problem (the run would fail) or warning (it will soon), with the field to change."""

    problem: bool
    field: str
    message: str

    def __str__(self) -> str:
        return f"{'problem' if self.problem else 'warning'}: {self.field}: {self.message}"


def status(shutdown: date | None, day: date) -> str:
    """ "current", "retiring on D (in N days)" or "retired on D", for a model shutting down on `shutdown`."""
    if shutdown is None:
        return "current"
    if day >= shutdown:
        return f"retired on {shutdown}"
    return f"retiring on {shutdown} (in {(shutdown - day).days} days)"


def reported(field: str, provider: str, model: str, result, day: date) -> list[Finding]:
    """What the provider itself says of `model`: its lifecycle stage (Anthropic) and shutdown date (OpenAI's
    `shutdown_date`, Anthropic's `retires_at`), applied like the registry's dates where they differ from them."""
    stage, shutdown = result.lifecycle.get(model, ""), result.shutdowns.get(model)
    source = f"{provider} GET /models" + (f"/{model}" if stage else "")
    if stage in ("retired", "not found"):
        said = f"lifecycle: retired{f', retires_at {shutdown}' if shutdown else ''}" if stage == "retired" else "404"
        return [
            Finding(
                True,
                field,
                f"{provider} model {model!r} is {'retired' if stage == 'retired' else 'unknown'} at {provider} "
                f"({source}: {said}): choose another model or provider",
            )
        ]
    known = registry.model(provider, model)
    if not shutdown or (known is not None and known.shutdown == shutdown):
        return []  # nothing reported, or the registry's own date (pre-flight already applied it)
    if stage == "deprecated" and day >= shutdown:
        # Anthropic: "a past date on a deprecated model means retirement is overdue, not that it has occurred".
        return [
            Finding(
                False,
                field,
                f"{provider} model {model!r} is deprecated and its retirement ({shutdown}) is overdue ({source}): "
                f"it may stop any day",
            )
        ]
    return dated(field, provider, model, shutdown, source, day)


def dated(field: str, provider: str, model: str, shutdown: date, source: str, day: date) -> list[Finding]:
    if day >= shutdown:
        return [
            Finding(
                True,
                field,
                f"{provider} model {model!r} shut down on {shutdown} ({source}): choose another model or provider",
            )
        ]
    if (shutdown - day).days <= WARN_DAYS:
        return [
            Finding(
                False,
                field,
                f"{provider} model {model!r} shuts down on {shutdown}, in {(shutdown - day).days} days ({source})",
            )
        ]
    return []
