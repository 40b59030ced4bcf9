"""Setting up a Prefect server to run framecast unattended: the work pool, crash detection, result storage.

`framecast prefect-setup` calls `set_up`; it is idempotent (run it again after changing anything).
"""

from __future__ import annotations

import os
from datetime import timedelta

from framecast.settings import get_settings
from tasks.automations import ensure_automation
from tasks.pool_env import worker_env

POOL = "framecast-local"
ZOMBIE_AUTOMATION = "framecast: crash flow runs without a heartbeat"
LEDGER_NOT_COPIED = (
    "not FRAMECAST_LEDGER_URL (it holds a password: set it in each worker's own environment, "
    "e.g. from a Prefect Secret block or your secret manager)"
)
HEARTBEAT_MISSED_AFTER = 90  # three missed heartbeats: the run's process is gone, mark it Crashed


def default_pool_concurrency(cpus: int | None = None) -> int:
    """Renders at once on this machine: one per two cores (an x264 encode keeps two cores busy)."""
    return max(1, (cpus or os.cpu_count() or 2) // 2)


def ensure_pool(client, name: str = POOL, concurrency: int | None = None) -> dict:
    """Create or update the process work pool: its concurrency limit and the job environment."""
    from prefect.client.schemas.actions import WorkPoolCreate, WorkPoolUpdate
    from prefect.exceptions import ObjectNotFound
    from prefect.workers.process import ProcessWorker

    limit = concurrency or default_pool_concurrency()
    template = ProcessWorker.get_default_base_job_template()
    from tasks.hosts import secret_references

    # Secrets only as references to Secret blocks (tasks/hosts.py): the worker resolves them per run.
    template["variables"]["properties"]["env"]["default"] = {**worker_env(), **secret_references(client)}
    try:
        client.read_work_pool(name)
    except ObjectNotFound:
        client.create_work_pool(
            WorkPoolCreate(name=name, type="process", base_job_template=template, concurrency_limit=limit)
        )
    else:
        client.update_work_pool(name, WorkPoolUpdate(base_job_template=template, concurrency_limit=limit))
    names = sorted(template["variables"]["properties"]["env"]["default"])
    if get_settings().ledger_url and "FRAMECAST_LEDGER_URL" not in names:
        names.append(LEDGER_NOT_COPIED)
    return {"pool": name, "concurrency_limit": limit, "env": names}


def zombie_automation():
    """Prefect's heartbeat-based zombie detection: a run with no event for 90 s after a heartbeat is Crashed.

    Crashed is terminal, so the deployment's concurrency slot is released and the channel's next run
    starts; its completed tasks come back from the cache. (docs.prefect.io: detect-zombie-flows)
    """
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
    from prefect.events.schemas.events import ResourceSpecification

    return AutomationCore(
        name=ZOMBIE_AUTOMATION,
        description="Marks a flow run Crashed when its process stopped sending heartbeats (host crash, kill -9).",
        trigger=EventTrigger(
            after={"prefect.flow-run.heartbeat"},
            # Any event of the run (upstream's recipe), not a list of states: a run that suspends awaiting
            # approval (Paused, named Suspended) stops its process and its heartbeats, but is not gone.
            expect={"prefect.flow-run.*"},
            match=ResourceSpecification({"prefect.resource.id": ["prefect.flow-run.*"]}),
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=HEARTBEAT_MISSED_AFTER),
        ),
        actions=[
            ChangeFlowRunState(
                state=StateType.CRASHED,
                message=f"No heartbeat for {HEARTBEAT_MISSED_AFTER} s: the run's process is gone "
                "(host crash or kill). Re-run it: completed steps come from the cache.",
            )
        ],
    )


def ensure_zombie_automation(client) -> str:
    """Create the zombie automation, or replace its definition if it exists (by name)."""
    return ensure_automation(client, zombie_automation())


def ensure_result_storage(client, credentials=None) -> str | None:
    """With FRAMECAST_STORE or FRAMECAST_RESULTS_STORE=gs://…, make the JSON-only bucket block the server's default
    result storage.

    Every worker then persists and reads task results in the bucket, so any worker resumes any run.
    """
    if not (get_settings().results_store or get_settings().store):
        return None
    from tasks.results import result_storage

    block = result_storage(credentials)
    client.update_server_default_result_storage(block._block_document_id)
    return block._block_document_name


def ensure_job_slots(client) -> dict[str, int]:
    """One global limit per job provider, `framecast-<provider>-jobs`, sized by the account's `jobs` limit
    (FRAMECAST_RATE_LIMITS), so paid jobs in flight across every run and worker never exceed it."""
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate, GlobalConcurrencyLimitUpdate
    from prefect.exceptions import ObjectNotFound

    from framecast.providers import connect, registry

    settings, sized = get_settings(), {}
    for provider in sorted({*(s.name for s in registry.all_specs() if s.rate_limit), *settings.rate_limits}):
        jobs = connect.rate_limit(provider, settings).jobs
        if not jobs:
            continue
        name = f"framecast-{provider}-jobs"
        try:
            client.read_global_concurrency_limit_by_name(name)
            client.update_global_concurrency_limit(name, GlobalConcurrencyLimitUpdate(limit=jobs))
        except ObjectNotFound:
            client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=jobs))
        sized[name] = jobs
    return sized


def set_up(pool: str = POOL, concurrency: int | None = None, notify: str | None = None) -> dict:
    """Everything framecast needs on the Prefect server it is connected to (idempotent)."""
    from prefect.client.orchestration import get_client

    from framecast.channel import available_channels
    from tasks.alerts import check_notify, ensure_alerts
    from tasks.hosts import store_secrets
    from tasks.leases import server_lease_storage
    from tasks.reruns import ensure_rerun_automation

    check_notify(notify)
    with get_client(sync_client=True) as client:
        stored = store_secrets()
        done = ensure_pool(client, pool, concurrency)
        done["secrets"] = stored
        done["zombie_automation"] = ensure_zombie_automation(client)
        done["rerun_automation"] = ensure_rerun_automation(client)
        done["result_storage"] = ensure_result_storage(client)
        done["job_slots"] = ensure_job_slots(client)
        done["alerts"] = ensure_alerts(client, available_channels(get_settings().resolved_channels_dir()), notify)
        done["lease_storage"] = server_lease_storage(client)
    return done
