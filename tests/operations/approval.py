"""A run awaiting a person's approval, as Prefect suspends one: its process exits and its heartbeats stop."""

import time

from prefect import flow, suspend_flow_run


@flow(name="framecast-awaiting-approval", persist_result=True)
def await_approval() -> str:
    """Work a little (its first heartbeat goes out), then suspend until resumed (or an hour passes)."""
    time.sleep(3)
    suspend_flow_run(timeout=3600)
    return "approved"
