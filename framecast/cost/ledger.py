"""The usage ledger: every paid call in a SQL database, shared by every process and worker that points at it.

SQLite file in the data folder by default; FRAMECAST_LEDGER_URL names any SQLAlchemy URL, e.g. the
PostgreSQL behind the Prefect server. A call is first *reserved* (its estimate, inside the same
transaction that checked the budgets), then *billed* (what the provider charged) or *released*
(it failed before the provider accepted it). Budget checks of one channel are serialized by a row
lock (PostgreSQL) or the database write lock (SQLite), so runs on two machines cannot overshoot together.
A reservation counts as spent until it is settled: one a killed worker left behind is *unconfirmed*
after RESERVATION_TTL and keeps counting until an operator reconciles it (`framecast costs --reconcile`).
Day and month totals follow each row's `at` (when the money was committed) in the channel's timezone.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from sqlalchemy import (
    case,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from framecast.core.dburl import safe_url, url_secrets
from framecast.core.errors import StorageError
from framecast.core.scrub import redact
from framecast.cost import clock, ledger_db
from framecast.cost.ledger_db import budget_locks, charges

log = logging.getLogger("framecast.cost")
# A reservation still unsettled after this is "unconfirmed" (its worker died mid-call); it keeps counting.
RESERVATION_TTL = timedelta(hours=2)


@dataclass(frozen=True)
class Spent:
    """USD billed plus reserved (unsettled) for a run, and for its channel today and this month by the ledger's
    clock in the channel's timezone; `on` is that day, `unconfirmed` the month's part left by killed workers."""

    run: float
    day: float
    month: float
    on: str = ""
    unconfirmed: float = 0.0


def default_url(data_dir: Path) -> str:
    return f"sqlite:///{(Path(data_dir) / 'ledger.sqlite3').resolve()}"


class Ledger:
    """Transactional access to the charges table (create it on first use)."""

    def __init__(self, url: str):
        self.url = url
        self.engine = ledger_db.engine(ledger_db.driver_url(url))

    def __repr__(self) -> str:  # never a password, in the user part or the query
        return f"Ledger({safe_url(self.url)})"

    def __reduce__(self):  # another task runner's worker process reopens it by URL
        return (open_ledger, (self.url,))

    def _begin(self):
        try:
            return self.engine.begin()
        except SQLAlchemyError as exc:
            raise StorageError(
                f"cost ledger {self!r}: cannot open: {redact(str(exc), url_secrets(self.url))}; "
                "check FRAMECAST_LEDGER_URL"
            ) from None

    def reserve(
        self,
        *,
        run: str,
        channel: str,
        day: str,
        provider: str,
        role: str,
        model: str,
        units: float,
        unit: str,
        usd: float,
        check=None,
        tz: str = "UTC",
    ) -> str:
        """Insert a reservation, after `check(Spent)` (which raises to refuse) under the channel's lock."""
        now = _now()
        with self._begin() as conn:
            self._lock(conn, channel)
            if check is not None:
                check(self._spent(conn, run, channel, tz, now))
            charge_id = str(uuid.uuid4())
            conn.execute(
                insert(charges).values(
                    id=charge_id,
                    key=None,
                    run=run,
                    channel=channel,
                    day=day,
                    month=day[:7],
                    provider=provider,
                    role=role,
                    model=model or "",
                    units=units,
                    unit=unit,
                    usd=usd,
                    status="reserved",
                    at=now,
                    expires_at=now + RESERVATION_TTL,
                )
            )
        return charge_id

    def bill(
        self, charge_id: str, *, units: float, unit: str, usd: float, model: str = "", key: str | None = None
    ) -> bool:
        """Settle a reservation as billed; with `key`, only once per key (False: already billed, released)."""
        try:
            with self._begin() as conn:
                if key is not None:
                    other = conn.execute(select(charges.c.id).where(charges.c.key == key)).scalar()
                    if other is not None and other != charge_id:
                        conn.execute(
                            update(charges).where(charges.c.id == charge_id).values(status="released", expires_at=None)
                        )
                        return False
                # `at` stays the reservation's: the day the budget check counted this money in
                values = dict(status="billed", units=units, unit=unit, usd=usd, expires_at=None, key=key)
                if model:
                    values["model"] = model
                conn.execute(update(charges).where(charges.c.id == charge_id).values(**values))
        except IntegrityError:  # the same key billed at the same moment by another process
            self.release(charge_id)
            return False
        return True

    def refund(self, key: str) -> bool:
        """The provider did not bill a job it accepted (it failed or was cancelled): its charge stops counting."""
        with self._begin() as conn:
            done = conn.execute(
                update(charges)
                .where(charges.c.key == key, charges.c.status == "billed")
                .values(status="refunded", at=_now())
            )
            return bool(done.rowcount)

    def release(self, charge_id: str) -> None:
        """The call failed before the provider accepted it: its reservation stops counting."""
        with self._begin() as conn:
            conn.execute(
                update(charges)
                .where(charges.c.id == charge_id, charges.c.status == "reserved")
                .values(status="released", expires_at=None)
            )

    def reconcile(self, charge_id: str, usd: float | None) -> bool:
        """Settle a reservation nobody settled: billed `usd` (what the provider's billing shows) or released (None)."""
        values = (
            dict(status="released", expires_at=None) if usd is None else dict(status="billed", usd=usd, expires_at=None)
        )
        with self._begin() as conn:
            done = conn.execute(
                update(charges).where(charges.c.id == charge_id, charges.c.status == "reserved").values(**values)
            )
            return bool(done.rowcount)

    def spent(self, *, run: str, channel: str, tz: str = "UTC") -> Spent:
        """What counts against the run's and the channel's budgets now (day and month in timezone `tz`)."""
        with self._begin() as conn:
            return self._spent(conn, run, channel, tz, _now())

    def entries(
        self,
        *,
        run: str | None = None,
        channel: str | None = None,
        month: str | None = None,
        status: tuple[str, ...] = ("billed",),
    ) -> list[dict]:
        """Charges (billed by default), oldest first, filtered by run, channel and month."""
        query = select(charges).where(charges.c.status.in_(status)).order_by(charges.c.at)
        for column, value in ((charges.c.run, run), (charges.c.channel, channel), (charges.c.month, month)):
            if value is not None:
                query = query.where(column == value)
        with self._begin() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def _lock(self, conn: Connection, channel: str) -> None:
        if conn.dialect.name == "sqlite":
            return  # BEGIN IMMEDIATE already holds the database's write lock
        exists = conn.execute(
            select(budget_locks.c.channel).where(budget_locks.c.channel == channel).with_for_update()
        ).scalar()
        if exists is None:
            try:
                with conn.begin_nested():
                    conn.execute(insert(budget_locks).values(channel=channel))
            except IntegrityError:
                pass  # inserted by a concurrent transaction: lock that row
            conn.execute(select(budget_locks.c.channel).where(budget_locks.c.channel == channel).with_for_update())

    @staticmethod
    def _spent(conn: Connection, run: str, channel: str, tz: str, now: datetime) -> Spent:
        now = now.astimezone(UTC)  # SQLite keeps the wall time only: every instant here is UTC
        counted = charges.c.status.in_(("billed", "reserved"))  # a reservation counts until settled or reconciled
        by_run = conn.execute(select(func.sum(charges.c.usd)).where(charges.c.run == run, counted)).scalar()
        w = clock.window(now, tz)
        today = (charges.c.at >= w.day_start) & (charges.c.at < w.day_end)
        stale = (charges.c.status == "reserved") & (charges.c.expires_at <= now)
        day, month, unconfirmed = conn.execute(
            select(
                func.sum(case((today, charges.c.usd), else_=0.0)),
                func.sum(charges.c.usd),
                func.sum(case((stale, charges.c.usd), else_=0.0)),
            ).where(charges.c.channel == channel, counted, charges.c.at >= w.month_start, charges.c.at < w.month_end)
        ).one()
        return Spent(
            run=round(by_run or 0.0, 6),
            day=round(day or 0.0, 6),
            month=round(month or 0.0, 6),
            on=w.today.isoformat(),
            unconfirmed=round(unconfirmed or 0.0, 6),
        )

    def import_jsonl(self, path: Path) -> int:
        """Move an old `usage.jsonl` (framecast ≤ 0.1) into the ledger once; unreadable lines are kept aside."""
        if not path.is_file():
            return 0
        rows, torn = [], []
        for line in path.read_text(errors="replace").splitlines():
            try:
                entry = json.loads(line) if line.strip() else None
            except ValueError:
                entry = line
            if isinstance(entry, dict):
                rows.append(entry)
            elif entry is not None:
                torn.append(line)
        with self._begin() as conn:
            for e in rows:
                run = str(e.get("run") or "unknown/0000-00-00/unknown")
                channel, _, rest = run.partition("/")
                day = rest.partition("/")[0] or "0000-00-00"
                at = datetime.fromisoformat(e["at"]) if e.get("at") else _now()
                at = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)
                conn.execute(
                    insert(charges).values(
                        id=str(uuid.uuid4()),
                        key=None,
                        run=run,
                        channel=channel,
                        day=day,
                        month=day[:7],
                        provider=str(e.get("provider", "")),
                        role=str(e.get("role", "")),
                        model=str(e.get("model", "")),
                        units=float(e.get("units", 0)),
                        unit=str(e.get("unit", "")),
                        usd=float(e.get("usd", 0.0)),
                        status="billed",
                        at=at,
                        expires_at=None,
                    )
                )
        if torn:
            path.with_name(path.name + ".quarantine").open("a").write("".join(t + "\n" for t in torn))
            log.warning("usage ledger %s: %d unreadable line(s) set aside in %s.quarantine", path, len(torn), path)
        path.rename(path.with_name(path.name + ".imported"))
        return len(rows)


@lru_cache(maxsize=8)
def open_ledger(url: str) -> Ledger:
    """The ledger at `url`, one engine per URL and process."""
    return Ledger(url)


def _now() -> datetime:
    return datetime.now(UTC)
