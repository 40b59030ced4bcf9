"""The ledger's database: its tables, and one engine per URL (SQLite writers serialized, tables made once).

Kept apart from the ledger's operations (framecast/cost/ledger.py) so that each reads on its own.
"""

from __future__ import annotations

import time
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Column, DateTime, Float, Index, MetaData, String, Table, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from framecast.core.dburl import safe_url, url_secrets
from framecast.core.errors import StorageError
from framecast.core.scrub import redact

metadata = MetaData()
charges = Table(
    "framecast_charges",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("key", String(300), nullable=True, unique=True),  # provider-side identity (a job id): billed once
    Column("run", String(300), nullable=False, index=True),
    Column("channel", String(200), nullable=False),
    Column("day", String(10), nullable=False),  # the video's day, YYYY-MM-DD: a label, budgets follow `at`
    Column("month", String(7), nullable=False),  # YYYY-MM of that label
    Column("provider", String(50), nullable=False),
    Column("role", String(50), nullable=False),
    Column("model", String(200), nullable=False, default=""),
    Column("units", Float, nullable=False),
    Column("unit", String(30), nullable=False),
    Column("usd", Float, nullable=False),
    Column("status", String(10), nullable=False),  # reserved | billed | released | refunded
    Column("at", DateTime(timezone=True), nullable=False),  # UTC: when reserved (the budgets' clock)
    Column("expires_at", DateTime(timezone=True), nullable=True),  # a reservation unsettled past it is unconfirmed
    Index("ix_framecast_charges_channel_month", "channel", "month"),
    Index("ix_framecast_charges_channel_at", "channel", "at"),
)
# One row per channel, locked FOR UPDATE while a budget is checked (PostgreSQL serializes on it).
budget_locks = Table("framecast_budget_locks", metadata, Column("channel", String(200), primary_key=True))


def driver_url(url: str) -> str:
    """A synchronous driver for the URL: the Prefect server's asyncpg URL works as it is written."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgresql+asyncpg", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername == "sqlite+aiosqlite":
        parsed = parsed.set(drivername="sqlite")
    return parsed.render_as_string(hide_password=False)


@lru_cache(maxsize=8)
def engine(url: str) -> Engine:
    """One engine per URL and process, its tables created (an older ledger gains the newer indexes)."""
    try:
        if url.startswith("sqlite"):
            path = make_url(url).database
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"timeout": 60})
            _serialize_sqlite_writers(engine)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        _create_tables(engine)
    except SQLAlchemyError as exc:
        raise StorageError(
            f"cost ledger {safe_url(url)}: cannot open: {redact(str(exc), url_secrets(url))}; "
            "check FRAMECAST_LEDGER_URL"
        ) from None
    except ModuleNotFoundError as exc:
        raise StorageError(
            f"cost ledger: the driver for {make_url(url).drivername} is not installed ({exc.name}); "
            "PostgreSQL needs psycopg (a framecast dependency): reinstall framecast"
        ) from exc
    return engine


def _create_tables(engine: Engine, attempts: int = 5) -> None:
    """CREATE TABLE if missing; two workers starting at once may race on it, and the loser just looks again."""
    for attempt in range(attempts):
        try:
            metadata.create_all(engine)
            for index in charges.indexes:  # a ledger made by an older framecast lacks the newer ones
                index.create(engine, checkfirst=True)
            return
        except SQLAlchemyError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def _serialize_sqlite_writers(engine: Engine) -> None:
    """BEGIN IMMEDIATE: a budget check and its reservation hold the write lock together (SQLAlchemy's recipe)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below be the only transaction control
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA busy_timeout=60000")

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
