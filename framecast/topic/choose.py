"""The day a run is for and the topic it takes: decided from the schedule and the store, never the clock."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from framecast.channel import ChannelConfig
from framecast.core.errors import ConfigError, ScriptError
from framecast.core.models import Frozen
from framecast.core.textrules import check_topic, read_limited


class Embedder(Protocol):
    def embed(self, texts: list[str]) -> list[list[float]]: ...


class BacklogUsedUp(ScriptError):
    """Every topic of the channel's backlog has been published."""


class TopicChoice(Frozen):
    """The topic of a run and why it was chosen (shown in the run's logs and name)."""

    topic: str
    reason: str


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def run_day(scheduled_start: datetime | None, tz: str, now: datetime | None = None) -> date:
    """The calendar day a run is for: its scheduled start (else now) in the channel's timezone.

    A late or retried run keeps the day it was scheduled for, so it never takes tomorrow's slot.
    """
    moment = scheduled_start or now or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(tz)).date()


def backlog(channel: ChannelConfig) -> list[str]:
    """The channel's topics in order: its `topics` list, then the lines of its `topics_file` (# comments).

    Each is checked like a topic given to a run, so a topic that cannot make a video stops the run before
    anything is locked or spent, naming its place in the file, rather than failing every scheduled day.
    """
    topics = [check_topic(t, f"topics[{i}]", ConfigError) for i, t in enumerate(channel.topics) if t.strip()]
    if channel.topics_file is not None:
        path = Path(channel.topics_file)
        try:
            path.stat()
        except OSError as exc:
            raise ConfigError(
                f"topics_file: cannot read {path} ({exc.strerror}); give a file with one topic per "
                "line, relative to the channel file"
            ) from exc
        lines = read_limited(path, "topics_file", ConfigError).splitlines()
        topics += [
            check_topic(line, f"topics_file {path}, line {n}", ConfigError)
            for n, line in enumerate(lines, 1)
            if line.strip() and not line.lstrip().startswith("#")
        ]
    seen: set[str] = set()
    return [t for t in topics if t and not (t.casefold() in seen or seen.add(t.casefold()))]


def choose_topic(
    channel: str,
    day: date,
    topics: list[str],
    published: list[dict],
    similarity_max: float | None = None,
    embedder: Embedder | None = None,
) -> TopicChoice:
    """The day's topic: the first in the backlog not yet published on another day.

    `published` holds the channel's publications ({"topic", "date"}, newest first). A topic published
    on `day` itself is that day's topic (a re-run of a finished day changes nothing), and appending
    topics never moves the ones before them. With `topic_similarity_max` and an embedder, a topic too
    close to a recent publication is passed over. When nothing is left, a ScriptError says what to add.
    """
    if not topics:
        raise ScriptError(
            f"topic: channel {channel} has no topics list or topics_file; pass a topic, "
            "or add `topics:` (one per scheduled run) to the channel file"
        )
    done_on = {p["topic"].casefold(): p.get("date", "") for p in published if p.get("topic")}
    for topic in topics:
        if done_on.get(topic.casefold()) == day.isoformat():
            return TopicChoice(topic=topic, reason=f"already published for {day.isoformat()}")
    fresh = [t for t in topics if t.casefold() not in done_on]
    if not fresh:
        raise BacklogUsedUp(
            f"topic: channel {channel} has published all {len(topics)} of its topics; add new ones to "
            f"`topics` or `topics_file` in its channel file, pass a topic for this run, or set topic_ideas to let "
            f"its LLM script writer propose new ones"
        )
    threshold, recent = similarity_max, [p["topic"] for p in published[:30] if p.get("topic")]
    if embedder is None or threshold is None or not recent:
        return TopicChoice(
            topic=fresh[0], reason=f"next unpublished topic ({topics.index(fresh[0]) + 1} of {len(topics)})"
        )
    vectors = embedder.embed(fresh + recent)
    candidates, done = vectors[: len(fresh)], vectors[len(fresh) :]
    for topic, vector in zip(fresh, candidates):
        closest = max(cosine(vector, d) for d in done)
        if closest < threshold:
            return TopicChoice(
                topic=topic, reason=f"next unpublished topic below similarity {threshold} (closest {closest:.2f})"
            )
    raise ScriptError(
        f"topic: every unpublished topic of channel {channel} is at least {threshold} similar to a recent "
        "video; add different topics, or raise topic_similarity_max in the channel file"
    )
