"""Pre-flight warnings as operations alerts: a run whose pre-flight warns (a model retiring within 30 days of the
run's day, a key that could not be checked) emits one `framecast.preflight.warning` event, and one automation per
channel sends it through the `framecast-alerts` block (tasks/alerts.py saves the block and keeps these automations
in line with the channels, beside the failure alerts).

The event's resource is the channel; it is related to the flow run (the run context adds the run, its flow,
deployment and tags) and to the `channel:NAME` tag explicitly, so a local `framecast make` run, which has no
deployment tags, is matched too. The payload carries the day and the warnings, one line each.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from uuid import UUID

EVENT = "framecast.preflight.warning"
WARNING_PREFIX = "framecast: retirement warning on channel "
SUBJECT = "framecast: pre-flight warning on channel %s"
BODY = """framecast: a run of channel %(channel)s warns before a change is due
run: {{ flow_run.name if flow_run else 'a local run' }}
day: {{ event.payload.day }}
{%% for warning in event.payload.warnings %%}{{ warning|truncate(600) }}
{%% endfor %%}link: {%% if flow_run %%}{{ flow_run|ui_url or ('%(ui)s/runs/flow-run/' ~ flow_run.id) }}\
{%% else %%}%(ui)s{%% endif %%}"""


def warning_automation_name(channel: str) -> str:
    return f"{WARNING_PREFIX}{channel}"


def warning_automation(channel: str, block_id: UUID, ui_url: str):
    """Notify through the block once per pre-flight warning event of a run tagged `channel:NAME`."""
    from prefect.events.actions import SendNotification
    from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
    from prefect.events.schemas.events import ResourceSpecification

    shown = re.sub(r"[^\w.-]", "_", channel)  # written into the template as text, as the failure alert does
    return AutomationCore(
        name=warning_automation_name(channel),
        description=f"Sends pre-flight's warnings for a run of channel {channel} (e.g. a model retiring soon).",
        trigger=EventTrigger(
            expect={EVENT},
            match=ResourceSpecification({"prefect.resource.id": "framecast.channel.*"}),
            match_related=ResourceSpecification(
                {"prefect.resource.role": "tag", "prefect.resource.id": f"prefect.tag.channel:{channel}"}
            ),
            posture=Posture.Reactive,
            threshold=1,
            within=timedelta(0),
        ),
        actions=[
            SendNotification(
                block_document_id=block_id,
                subject=SUBJECT % shown,
                body=BODY % {"channel": shown, "ui": ui_url.rstrip("/")},
            )
        ],
    )


def emit_warnings(channel: str, day: date, warnings: list[str]) -> None:
    """Emit the run's pre-flight warnings as one event (none when there are none); never stops the run."""
    from prefect.events import emit_event
    from prefect.logging import get_logger

    if not warnings:
        return
    try:
        emit_event(
            event=EVENT,
            resource={"prefect.resource.id": f"framecast.channel.{channel}", "prefect.resource.name": channel},
            related=[{"prefect.resource.id": f"prefect.tag.channel:{channel}", "prefect.resource.role": "tag"}],
            payload={"channel": channel, "day": day.isoformat(), "warnings": list(warnings)},
        )
    except Exception as exc:  # noqa: BLE001 — the alert is a courtesy; the warnings are in the run's log anyway
        get_logger("framecast.alerts").warning("could not emit the pre-flight warning event: %s", exc)
