"""The ledger's clock: which charges count toward a channel's day and month is decided by when they were made.

The day and the month are the calendar ones of the channel's timezone at the moment of the charge,
whatever day the video is for (its publish date is a label only, chosen freely in a custom run).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Window:
    """The local day `today` and the UTC instants bounding it and its month (start inclusive, end exclusive)."""

    today: date
    day_start: datetime
    day_end: datetime
    month_start: datetime
    month_end: datetime


def window(now: datetime, tz: str) -> Window:
    """The channel's day and month containing `now`, in its timezone `tz`, as UTC bounds for the ledger."""
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    first = today.replace(day=1)
    next_first = (first + timedelta(days=32)).replace(day=1)

    def utc(day: date) -> datetime:  # local midnight of `day` (DST included) as a UTC instant
        return datetime.combine(day, time(), zone).astimezone(UTC)

    return Window(
        today=today,
        day_start=utc(today),
        day_end=utc(today + timedelta(days=1)),
        month_start=utc(first),
        month_end=utc(next_first),
    )
