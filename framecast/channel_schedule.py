"""A channel's schedule (the `schedule:` block of its channel file): cron lines in the channel's timezone.

`framecast deployments` turns it into the channel's deployment in prefect.yaml (framecast/commands/deployments.py).
Crons are checked here, without Prefect, so a typo is a ConfigError naming the field before anything deploys.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

from framecast.core import textrules
from framecast.core.models import Frozen

# croniter's (and so Prefect's) shorthands; each is one standard five-field cron.
MACROS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()
DAYS = "sun mon tue wed thu fri sat".split()
# (field name, lowest, highest, names for lowest.. in order)
FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, MONTHS),
    ("day of week", 0, 7, DAYS),
)
ITEM = re.compile(r"^(?:(?P<star>\*)|(?P<lo>[a-z0-9]+)(?:-(?P<hi>[a-z0-9]+))?)(?:/(?P<step>[0-9]+))?$")
EXAMPLE = "e.g. '0 9 * * *' (minute hour day-of-month month day-of-week: 09:00 every day)"


def _value(token: str, field: tuple) -> int:
    name, lo, hi, names = field
    if token in names:
        return lo + names.index(token)
    if not token.isdigit() or not lo <= int(token) <= hi:
        allowed = f"{lo}-{hi}" + (f" or {names[0]}..{names[-1]}" if names else "")
        raise ValueError(f"{name} {token!r} is out of range ({allowed})")
    return int(token)


def _check_field(text: str, field: tuple) -> None:
    for item in text.split(","):
        match = ITEM.match(item)
        if not match:
            raise ValueError(f"{field[0]} {item!r} is not a number, a range a-b, '*' or a step like */15")
        if match["lo"] is not None:
            first = _value(match["lo"], field)
            if match["hi"] is not None and _value(match["hi"], field) < first:
                raise ValueError(f"{field[0]} range {item!r} runs backwards")
        if match["step"] is not None and int(match["step"]) < 1:
            raise ValueError(f"{field[0]} step in {item!r} must be 1 or more")


def check_cron(value: str) -> str:
    """A pydantic validator: `value` (spaces normalised) if it is a five-field cron or a @macro, else ValueError."""
    cron = " ".join(str(value).split()).lower()
    if cron in MACROS:
        return cron
    parts = cron.split(" ")
    if len(parts) != 5:
        raise ValueError(f"cron {value!r} has {len(parts)} fields, not 5; {EXAMPLE}")
    try:
        for part, field in zip(parts, FIELDS):
            _check_field(part, field)
    except ValueError as exc:
        raise ValueError(f"cron {value!r}: {exc}; {EXAMPLE}") from None
    return cron


def _one_line(value: str) -> str:
    problem = textrules.why_bad(value)  # no newline either: it is one line in prefect.yaml and the UI
    if problem:
        raise ValueError(problem)
    return value


def _as_list(value):
    return [value] if isinstance(value, str) else value


Cron = Annotated[str, AfterValidator(check_cron)]


class ScheduleConfig(Frozen):
    """When the server's scheduler starts the channel's runs, in the channel's `timezone`."""

    # One cron line, or a list of them (e.g. weekdays at 9 and Saturdays at 12).
    cron: Annotated[list[Cron], BeforeValidator(_as_list), Field(min_length=1)]
    # false: the channel is switched off; the crons stay in prefect.yaml and the UI, inactive, and the next
    # `prefect deploy` deletes the runs they had scheduled for later (any Prefect version: it is a schedule
    # change). A run already due and not started (Late) stays: `prefect deployment schedule clear` first.
    active: bool = True


Description = Annotated[str, AfterValidator(_one_line), Field(max_length=500)]
