"""What every flow run on the work pool needs in its environment (the pool's default job variables)."""

from __future__ import annotations

import os

from framecast.core.dburl import has_credentials
from framecast.settings import get_settings

HEARTBEAT_SECONDS = 30  # Prefect's minimum; a run's heartbeat is expected at least every 30 s


def worker_env() -> dict[str, str]:
    """What every flow run on the pool needs in its environment (the pool's default job variables)."""
    settings = get_settings()
    env = {
        "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT_SECONDS),
        "PREFECT_RESULTS_DEFAULT_SERIALIZER": "json",  # tasks/results.py loads JSON results only
    }
    if settings.store:
        # A gs:// store is shared; the data folder is then each host's scratch (beside its checkout, where
        # the pull step starts the run): a path of this machine would not exist on another host.
        env["FRAMECAST_STORE"] = settings.store
    else:
        env["FRAMECAST_DATA_DIR"] = str(settings.data_dir.resolve())
    # The shared ledger, unless its URL holds a password (after the user or as ?password=/?sslpassword=):
    # the pool's job variables are readable by every UI user, so such a URL stays on the workers.
    if settings.ledger_url and not has_credentials(settings.ledger_url.get_secret_value()):
        env["FRAMECAST_LEDGER_URL"] = settings.ledger_url.get_secret_value()
    for name in ("FRAMECAST_CHANNELS_DIR", "STORAGE_EMULATOR_HOST", "FRAMECAST_FFMPEG", "FRAMECAST_FFPROBE"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    return env
