"""A run's prologue: its parameters checked, its channel loaded, its day and topic source decided, its meter opened."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from framecast import context
from framecast.channel import ChannelConfig, available_channels
from framecast.context import Services
from framecast.core.models import Frozen, Script
from framecast.cost.meter import Meter, ledger_url
from framecast.plan.load import load_channel
from framecast.script import write as scripting
from framecast.settings import Settings
from framecast.topic import choose as topics


class _KnownChannels:
    """The deployment form offers the known channels as a choice (the schema's enum); a path to a channel file
    still validates, for local runs and tests. Listed whenever the schema is built, from fresh settings."""

    def __get_pydantic_json_schema__(self, core_schema, handler) -> dict:
        schema = handler(core_schema)
        try:
            known = available_channels(Settings().resolved_channels_dir())
        except Exception:  # noqa: BLE001 — bad settings: no choices here; the run itself names the variable to fix
            known = []
        return {**schema, "enum": known} if known else schema


# A run's `channel` parameter: a channel name (deployments/NAME.yaml) or a path to a channel file.
ChannelName = Annotated[str, _KnownChannels()]


class RunRequest(Frozen):
    """What a run is asked to make, checked: the channel, the day, and the topic, script or backlog it starts from."""

    channel: ChannelConfig
    day: date
    topic: str = ""  # blank: the script's title, else the day's topic from `backlog` (chosen once the channel is ours)
    notes: tuple[str, ...] = ()
    script: Script | None = None
    backlog: tuple[str, ...] = ()
    stale_scratch: tuple[str, ...] = ()  # scratch folders of crashed runs, removed on the way (for the run's log)


def prepare(
    channel: str, topic, notes, script, publish_date, scheduled_start: datetime | None, *, services: Services
) -> RunRequest:
    """Check a run's parameters (errors name the field and the fix), load its channel and decide its day.

    Bad input fails here, before anything is locked or spent. Scratch folders left by crashed runs are removed.
    """
    topic, notes, script, publish_date = scripting.run_inputs(topic, notes, script, publish_date)
    cfg = load_channel(channel, services.settings)
    day = publish_date or topics.run_day(scheduled_start, cfg.timezone)
    if script is not None:
        script = scripting.check_for_channel(script, cfg.script, "the script parameter")
        if not topic.strip():  # the title stands in for the topic: checked here, not once the channel is locked
            topic = scripting.script_topic(script)
    backlog = topics.backlog(cfg) if not (topic.strip() or script) else []
    if not (topic.strip() or script or backlog):
        scripting.clean_topic(topic)  # raises: no topic and nothing to take one from
    removed = context.clean_stale_scratch(data=services.data_dir)
    return RunRequest(
        channel=cfg,
        day=day,
        topic=topic,
        notes=tuple(notes or ()),
        script=script,
        backlog=tuple(backlog),
        stale_scratch=tuple(removed),
    )


def open_meter(request: RunRequest, run_key: str, *, services: Services) -> Meter:
    """Who pays and within which limits (the channel's day and month budgets), for the run `run_key`."""
    cfg = request.channel
    meter = Meter.open(
        ledger_url(services.settings),
        run=run_key,
        channel=cfg.name,
        day=request.day.isoformat(),
        budget=cfg.budget,
        timezone=cfg.timezone,
    )
    meter.ledger.import_jsonl(services.data_dir / "usage.jsonl")  # an older framecast's ledger, once
    return meter
