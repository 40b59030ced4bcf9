"""Which topic a scheduled run takes: the channel's list in order, skipping near-repeats."""

from __future__ import annotations

import math
from datetime import date
from typing import Protocol

from framecast.config import ChannelConfig


class Embedder(Protocol):
    def embed(self, texts: list[str]) -> list[list[float]]: ...


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def topic_for_day(channel: ChannelConfig, day: date, recent: list[str] = (),
                  embedder: Embedder | None = None) -> str:
    """Today's topic: topics[day % n]; with an embedder and a threshold, the next one that is not
    too similar to a recently published topic (or, if all are, the least similar)."""
    topics = channel.topics
    if not topics:
        return ""
    start = day.toordinal() % len(topics)
    ordered = topics[start:] + topics[:start]
    threshold = channel.topic_similarity_max
    recent = [r for r in recent if r]
    if embedder is None or threshold is None or not recent:
        return ordered[0]
    vectors = embedder.embed(ordered + recent)
    candidates, published = vectors[:len(ordered)], vectors[len(ordered):]
    closeness = [max(cosine(c, p) for p in published) for c in candidates]
    for topic, close in zip(ordered, closeness):
        if close < threshold:
            return topic
    return ordered[min(range(len(ordered)), key=lambda i: closeness[i])]
