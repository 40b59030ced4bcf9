"""Crashed runs re-run themselves, once: a Prefect automation starts the channel's deployment again.

`framecast prefect-setup` installs the automation (`ensure_rerun_automation`). Its run carries only
`rerun_of` (the crashed run's id); the flow then takes the crashed run's inputs and day from the Prefect
API (`crashed_inputs`), so every step the crashed run finished comes from the cache and nothing is paid twice.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from framecast.core.errors import ConfigError

RERUN_AUTOMATION = "framecast: re-run a crashed run once"
RERUNNABLE = {"CRASHED", "FAILED", "CANCELLED"}


def rerun_automation():
    """On a crashed framecast deployment run: run its deployment again with `rerun_of` set to the crashed run.

    The bound (one automatic re-run per crash) is the flow's: a re-run of a run that was itself a re-run is
    refused (`crashed_inputs`). A trigger cannot say it: Prefect matches labels that are present, never a
    related resource that is absent, and RunDeployment gives its run nothing but parameters (no tag, name or
    work queue that a trigger could tell apart).
    """
    from datetime import timedelta

    from prefect.events.actions import RunDeployment
    from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
    from prefect.events.schemas.events import ResourceSpecification

    return AutomationCore(
        name=RERUN_AUTOMATION,
        description="Runs a crashed framecast run's deployment again for the same day and topic (once); "
        "finished steps come from the cache.",
        trigger=EventTrigger(
            expect={"prefect.flow-run.Crashed"},
            match=ResourceSpecification({"prefect.resource.id": "prefect.flow-run.*"}),
            # framecast's runs of a deployment only: `framecast make` runs have no deployment to start again.
            match_related=[
                ResourceSpecification({"prefect.resource.role": "tag", "prefect.resource.id": "prefect.tag.framecast"}),
                ResourceSpecification(
                    {"prefect.resource.role": "deployment", "prefect.resource.id": "prefect.deployment.*"}
                ),
            ],
            for_each={"prefect.resource.id"},
            posture=Posture.Reactive,
            threshold=1,
            within=timedelta(0),
        ),
        # Inferred: the crashed run's own deployment (its channel). A plain Jinja kind renders the id as text.
        actions=[
            RunDeployment(
                source="inferred", parameters={"rerun_of": {"__prefect_kind": "jinja", "template": "{{ flow_run.id }}"}}
            )
        ],
    )


def ensure_rerun_automation(client) -> str:
    """Create the re-run automation, or replace its definition if it exists (by name)."""
    from tasks.automations import ensure_automation

    return ensure_automation(client, rerun_automation())


def crashed_inputs(rerun_of: str, channel, topic, notes, script, publish_date) -> tuple[tuple, datetime | None]:
    """(channel, topic, notes, script, publish_date) of the run `rerun_of` names, and its scheduled start,
    read through the Prefect API: the re-run makes that run's video for that run's day.

    Refused (ConfigError naming `rerun_of`): an id that is not a run, a run that finished or is still going,
    a run that was itself a re-run (one automatic re-run per crash), and other inputs given beside it.
    """
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    try:
        run_id = UUID(str(rerun_of).strip())
    except ValueError:
        raise ConfigError(
            f"rerun_of: {str(rerun_of)[:80]!r} is not a flow run id; leave it blank, or give the id "
            "of the crashed run (the end of its page's URL)"
        ) from None
    if (isinstance(topic, str) and topic.strip()) or notes or script or publish_date:
        raise ConfigError(
            "rerun_of: a re-run takes the topic, notes, script and publish_date of the run it "
            "repeats; leave them blank, or leave rerun_of blank for a new run"
        )
    with get_client(sync_client=True) as client:
        try:
            crashed = client.read_flow_run(run_id)
        except ObjectNotFound:
            raise ConfigError(f"rerun_of: no flow run {run_id} on this Prefect server") from None
    parameters = dict(crashed.parameters or {})
    if parameters.get("rerun_of"):
        raise ConfigError(
            f"rerun_of: run {crashed.name!r} ({run_id}) was itself a re-run of "
            f"{parameters['rerun_of']}; framecast re-runs a crash once: find why it crashed again, "
            "then start the deployment by hand (its publish_date keeps the day)"
        )
    state = crashed.state_type.value if crashed.state_type else "unknown"
    if state not in RERUNNABLE:
        raise ConfigError(
            f"rerun_of: run {crashed.name!r} ({run_id}) is {state.lower()}; only a crashed, failed "
            "or cancelled run is re-run"
        )
    given = (
        parameters.get("channel") or channel,
        parameters.get("topic") or "",
        parameters.get("notes"),
        parameters.get("script"),
        parameters.get("publish_date"),
    )
    return given, crashed.expected_start_time
