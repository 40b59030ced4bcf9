"""Tasks that decide what a run is about before anything is spent."""

from __future__ import annotations

from datetime import date

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from framecast.channel import ChannelConfig
from framecast.context import Services
from framecast.cost.meter import Meter
from framecast.plan import preflight
from framecast.script.config import ScriptConfig
from framecast.settings import get_settings
from framecast.topic import ideas as topic_ideas
from framecast.topic.choose import TopicChoice
from tasks.policies import CACHED, RETRY, versioned
from tasks.warning_alerts import emit_warnings


# Cached per channel, day and backlog: a retried or re-run day keeps its topic even after publishing it.
@task(task_run_name="choose-topic", cache_policy=versioned("topic"), **RETRY, **CACHED)
def choose_topic(
    channel: str,
    day: date,
    backlog: list[str],
    similarity_max: float | None,
    ideas: int,
    writer: ScriptConfig,
    title: str,
    language: str,
    meter: Meter,
    services: Services,
) -> TopicChoice:
    return topic_ideas.topic_of_the_day(
        channel, day, backlog, similarity_max, meter, ideas, writer, title, language, services=services
    )


# Never cached, never retried: it reads the keys and the calendar as they are now, and a problem is not transient.
@task(task_run_name="preflight-{channel.name}", cache_policy=NO_CACHE)
def preflight_channel(channel: ChannelConfig, day: date) -> list[str]:
    """Keys (set and accepted), model shutdown dates and the budget, checked before the first paid call."""
    settings = get_settings()
    warnings = [str(w) for w in preflight.require(channel, settings, day, online=settings.preflight_probes)]
    for warning in warnings:
        get_run_logger().warning("pre-flight %s", warning)
    emit_warnings(channel.name, day, warnings)  # the operations alert (tasks/warning_alerts.py)
    return warnings
