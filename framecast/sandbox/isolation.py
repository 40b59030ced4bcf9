"""What `framecast make --sandbox` does to the environment so that nothing it makes reaches a real store or ledger.

Settings read .env as well as the environment, and the environment wins: so the shared variables are
set to explicit sandbox values, never just removed (removing them let .env's production values back in).
"""

from __future__ import annotations

import os
from pathlib import Path

from dotenv import dotenv_values

SHARED = ("FRAMECAST_STORE", "FRAMECAST_RESULTS_STORE", "FRAMECAST_LEDGER_URL")  # real ones, possibly in .env


def configured(name: str) -> bool:
    """Whether `name` is set (non-empty) in the environment or in ./.env, which Settings also reads."""
    env_file = Path(".env")
    return bool(os.environ.get(name) or (env_file.is_file() and dotenv_values(env_file).get(name)))


def isolate(out: Path) -> tuple[Path, list[str]]:
    """Point the run at `out`/sandbox (a local store and its own SQLite ledger); return it and what was ignored."""
    folder = Path(out).resolve() / "sandbox"
    ignored = [name for name in SHARED if configured(name)]
    os.environ["FRAMECAST_STORE"] = ""  # empty = the local folder, whatever .env says
    os.environ["FRAMECAST_RESULTS_STORE"] = ""
    os.environ["FRAMECAST_LEDGER_URL"] = f"sqlite:///{folder / 'ledger.sqlite3'}"
    os.environ["FRAMECAST_DATA_DIR"] = str(folder)
    os.environ["PREFECT_RESULTS_LOCAL_STORAGE_PATH"] = str(folder / "prefect-results")
    return folder, ignored
