"""Usage ledger: one JSON line per provider call with its estimated cost, and the run budget."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Iterator
from datetime import datetime, timezone
from pathlib import Path

from framecast import pricing
from framecast.errors import PermanentError

_lock = threading.Lock()
_reserved: defaultdict[str, float] = defaultdict(float)  # estimates of calls under way, per run
# Set by the flow for the duration of a run; copied into task threads by Prefect's task runner.
current_run: ContextVar[str] = ContextVar("framecast_run", default="")
run_budget: ContextVar[float | None] = ContextVar("framecast_budget", default=None)


class BudgetExceeded(PermanentError):
    """The next call would take the run over its budget; nothing was spent on it."""


def spent(data_dir: Path, run: str) -> float:
    """USD recorded so far for `run`."""
    return round(sum(e.get("usd", 0.0) for e in read(data_dir) if e.get("run") == run), 6)


def ensure_budget(data_dir: Path, provider: str, role: str, units: float) -> float:
    """Refuse (BudgetExceeded) a call whose estimated cost would exceed the run's budget.

    The estimate is reserved until `record(..., reserved=…)` releases it, so concurrent scene
    tasks cannot each pass the check and overshoot together. Returns the reserved amount.
    """
    budget, run = run_budget.get(), current_run.get()
    estimate = pricing.cost(provider, role, units)
    if budget is None or estimate == 0:
        return 0.0
    with _lock:
        so_far = spent(data_dir, run) + _reserved[run]
        if so_far + estimate <= budget + 1e-9:
            _reserved[run] += estimate
            return estimate
    raise BudgetExceeded(
        f"budget: this {provider} {role} call (~${estimate:.2f}) would take the run to ${so_far + estimate:.2f}, "
        f"over budget.max_usd_per_run ${budget:.2f}; raise the budget in the channel file or use cheaper providers",
        provider=provider)


def ledger_path(data_dir: Path) -> Path:
    return Path(data_dir) / "usage.jsonl"


def record(data_dir: Path, *, role: str, provider: str, units: float, unit: str, model: str = "",
           reserved: float = 0.0) -> None:
    """Append one call with its estimated cost (releasing its reservation); O_APPEND keeps lines whole."""
    line = json.dumps({
        "at": datetime.now(timezone.utc).isoformat(), "role": role, "provider": provider, "model": model,
        "units": units, "unit": unit, "usd": pricing.cost(provider, role, units), "run": current_run.get(),
    }) + "\n"
    path = ledger_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
        run = current_run.get()
        _reserved[run] = max(_reserved[run] - reserved, 0.0)


def release(reserved: float) -> None:
    """Give back a reservation whose call was never made or failed before it was billed."""
    with _lock:
        run = current_run.get()
        _reserved[run] = max(_reserved[run] - reserved, 0.0)


@dataclass
class Charge:
    """What a paid call bills: the estimate until the caller knows better (e.g. from the response)."""

    units: float
    unit: str
    model: str = ""


@contextmanager
def charge(data_dir: Path, *, provider: str, role: str, units: float, unit: str, model: str = "") -> Iterator[Charge]:
    """Reserve the call's estimate, then record what it billed, or release the reservation if it failed.

    The one place for reserve → call → commit/release, so no failure path leaves money reserved.
    """
    reserved = ensure_budget(data_dir, provider, role, units)
    bill = Charge(units=units, unit=unit, model=model)
    try:
        yield bill
    except BaseException:
        release(reserved)
        raise
    record(data_dir, role=role, provider=provider, units=bill.units, unit=bill.unit, model=bill.model,
           reserved=reserved)


def read(data_dir: Path) -> list[dict]:
    """Every recorded call, oldest first; a torn or corrupt line is set aside (ledger.quarantine), not fatal."""
    path = ledger_path(data_dir)
    if not path.is_file():
        return []
    entries, torn = [], []
    for line in path.read_text(errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            torn.append(line)
            continue
        if isinstance(entry, dict):
            entries.append(entry)
        else:
            torn.append(line)
    if torn:
        _quarantine(path, torn)
    return entries


def _quarantine(path: Path, lines: list[str]) -> None:
    """Keep unreadable ledger lines beside the ledger (once each), so nothing is silently lost."""
    quarantine = path.with_name(path.name + ".quarantine")
    with _lock:
        known = set(quarantine.read_text(errors="replace").splitlines()) if quarantine.is_file() else set()
        fresh = [line for line in lines if line not in known]
        if fresh:
            with quarantine.open("a", encoding="utf-8") as fh:
                fh.write("".join(line + "\n" for line in fresh))
            logging.getLogger("framecast.usage").warning(
                "usage ledger %s: %d unreadable line(s) set aside in %s", path, len(fresh), quarantine)
