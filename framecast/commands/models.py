"""`framecast models [--date D] [--json]`: every model the registry knows, with its roles, price and status on a day.

The status is the one pre-flight applies (`framecast.plan.lifecycle`): current, retiring on D (pre-flight warns
within 30 days of it) or retired on D (pre-flight refuses it), with the source of the date. A model with no price of
its own is shown at its vendor's list price for the role (`price_from: "vendor"`); a channel's `budget.prices`
overrides either. Offline: the registry only (`framecast preflight` asks the providers).
"""

from __future__ import annotations

import json
from datetime import date

from framecast.plan.lifecycle import WARN_DAYS, status
from framecast.providers import registry

# Shown per million tokens and per thousand characters: the registry keeps USD per single unit.
SCALE = {"token": (1_000_000, "1M tokens"), "character": (1000, "1K characters")}


def _price(spec, model) -> tuple[float | None, str | None, str | None]:
    """(USD per unit, unit, "model" | "vendor") of `model`: its own price, else its vendor's list price for its role."""
    role = next((r for r in model.roles if r in spec.prices), None)
    if role is None:
        return None, None, None
    listed, unit = spec.prices[role]
    return (model.price, unit, "model") if model.price is not None else (listed, unit, "vendor")


def rows(day: date) -> list[dict]:
    """One entry per known model of every registered vendor (plugins included), on `day`."""
    found = []
    for spec in registry.all_specs():
        defaults = {model: [r for r, m in spec.defaults.items() if m == model] for model in spec.defaults.values()}
        for model in spec.models:
            dated = (
                model
                if model.shutdown
                else next((spec.role_shutdowns[r] for r in model.roles if r in spec.role_shutdowns), model)
            )
            price, unit, source = _price(spec, model)
            said = status(dated.shutdown, day)
            found.append(
                {
                    "provider": spec.name,
                    "model": model.id,
                    "roles": list(model.roles),
                    "default_for": defaults.get(model.id, []),
                    "price": price,
                    "unit": unit,
                    "price_from": source,
                    "status": said.split(" ", 1)[0],  # current | retiring | retired
                    "shutdown": dated.shutdown.isoformat() if dated.shutdown else None,
                    "days_left": (dated.shutdown - day).days if dated.shutdown and day < dated.shutdown else None,
                    "warned": bool(
                        dated.shutdown and day < dated.shutdown and (dated.shutdown - day).days <= WARN_DAYS
                    ),
                    "text": said,
                    "source": dated.source or model.source,
                    "successor": dated.successor,
                    "note": dated.note or model.note,
                }
            )
    return found


def shown_price(row: dict) -> str:
    if row["price"] is None:
        return "no list price"
    per, label = SCALE.get(row["unit"], (1, row["unit"]))
    value = row["price"] * per
    text = f"{value:.4f}".rstrip("0")
    text = "$" + (text + "0" * (2 - len(text.split(".")[1])))  # at least cents: $0.04, $0.015, $0.0072
    return f"{text}/{label}" + (" (vendor list)" if row["price_from"] == "vendor" else "")


def register(sub) -> None:
    """Add `framecast models` to the CLI's subcommands."""
    known = sub.add_parser("models", help="every known model: provider, roles, price and status on a day")
    known.add_argument("--date", type=date.fromisoformat, help="the day, YYYY-MM-DD (default: today)")
    known.add_argument("--json", action="store_true", help="JSON instead of the table")


def command(args) -> int:
    """Print the table (or `--json`); exit 0."""
    day = args.date or date.today()
    found = rows(day)
    if args.json:
        print(json.dumps({"date": day.isoformat(), "warn_days": WARN_DAYS, "models": found}, indent=1))
        return 0
    print(f"models framecast knows, on {day} (pre-flight warns {WARN_DAYS} days before a shutdown, refuses from it)")
    print(f"{'provider':<11} {'model':<26} {'roles':<15} {'price':<36} status")
    for row in found:
        state = row["text"] + (f" ({row['source']})" if row["shutdown"] else "")
        if row["successor"] and row["shutdown"]:
            state += f"; successor {row['successor']}"
        roles = ",".join(row["roles"]) + ("*" if row["default_for"] else "")
        print(f"{row['provider']:<11} {row['model']:<26} {roles:<15} {shown_price(row):<36} {state}")
    print("* the vendor's default for a role; prices are list prices in USD (a channel's budget.prices overrides them)")
    return 0
