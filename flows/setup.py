"""`framecast prefect-setup`: the work pool, automations, result storage, job slots and alerts on a Prefect server."""

from __future__ import annotations

import os
import sys

from framecast.commands.clierrors import redacted


def prefect_setup(args) -> int:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.settings import PREFECT_API_URL

    from framecast.core.errors import FramecastError
    from tasks.operations import set_up

    if not PREFECT_API_URL.value():
        print(
            "error: PREFECT_API_URL is not set: start a server (`prefect server start --host 127.0.0.1`) and "
            "`prefect config set PREFECT_API_URL=http://127.0.0.1:4200/api`",
            file=sys.stderr,
        )
        return 2
    import httpx
    from prefect.exceptions import PrefectHTTPStatusError

    try:
        done = set_up(args.pool, args.concurrency, args.notify)
    except (httpx.HTTPError, PrefectHTTPStatusError) as exc:
        print(
            f"error: prefect-setup could not talk to the Prefect server at {PREFECT_API_URL.value()}: {exc} "
            "(is `prefect server start` running, and is PREFECT_API_URL right?)",
            file=sys.stderr,
        )
        return 2
    except (FramecastError, OSError) as exc:
        print(f"error: {redacted(str(exc))}", file=sys.stderr)
        return 2
    print(
        f"work pool {done['pool']}: process, concurrency limit {done['concurrency_limit']}, "
        f"job env {', '.join(done['env'])}"
    )
    print(
        "secrets stored as Prefect Secret blocks (the pool's env references them): "
        + (", ".join(done["secrets"]) or "none found in this environment")
    )
    print(f"automation: crash flow runs without a heartbeat ({done['zombie_automation']})")
    print(f"automation: re-run a crashed run once, same day and topic ({done['rerun_automation']})")
    print(f"result storage: {done['result_storage'] or 'local (each worker keeps its own results)'}")
    print("paid job slots: " + ", ".join(f"{name} = {n}" for name, n in done["job_slots"].items()))
    from tasks.alerts import describe

    print(describe(done["alerts"]))
    from tasks.leases import lease_storage_warning

    print(f"concurrency leases: {done['lease_storage'] or 'unknown (the server does not show its settings)'}")
    if warning := lease_storage_warning(done["lease_storage"]):
        print(warning, file=sys.stderr)  # a warning, not an error: everything else is set up (exit 0)
    return 0
