"""Usage ledger: one JSON line per provider call, so a run's calls (and later its cost) add up."""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path

_lock = threading.Lock()


def ledger_path(data_dir: Path) -> Path:
    return Path(data_dir) / "usage.jsonl"


def record(data_dir: Path, *, role: str, provider: str, units: float, unit: str, model: str = "",
           usd: float = 0.0, run: str = "") -> None:
    """Append one call; O_APPEND keeps concurrent writers' lines whole."""
    line = json.dumps({
        "at": datetime.now(timezone.utc).isoformat(), "role": role, "provider": provider, "model": model,
        "units": units, "unit": unit, "usd": usd, "run": run,
    }) + "\n"
    path = ledger_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)


def read(data_dir: Path) -> list[dict]:
    """Every recorded call, oldest first."""
    path = ledger_path(data_dir)
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
