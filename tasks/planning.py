"""Tasks that decide what a run is about before anything is spent."""

from __future__ import annotations

from datetime import date

from prefect import task

from framecast import scripting
from framecast.config import ScriptConfig
from framecast.cost.meter import Meter
from framecast.topics import TopicChoice
from tasks.policies import CACHED, RETRY, versioned


# Cached per channel, day and backlog: a retried or re-run day keeps its topic even after publishing it.
@task(task_run_name="choose-topic", cache_policy=versioned("topic"), **RETRY, **CACHED)
def choose_topic(channel: str, day: date, backlog: list[str], similarity_max: float | None, ideas: int,
                 writer: ScriptConfig, title: str, language: str, meter: Meter) -> TopicChoice:
    return scripting.topic_of_the_day(channel, day, backlog, similarity_max, meter, ideas, writer, title, language)
