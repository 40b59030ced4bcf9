"""The topic of the day: from the channel's backlog, else from the writer's proposals once it is used up."""

from __future__ import annotations

from framecast import providers
from framecast.context import Services
from framecast.core.errors import ScriptError
from framecast.cost.meter import Meter
from framecast.script.config import ScriptConfig
from framecast.script.write import bill_tokens
from framecast.topic import choose as topics

ESTIMATED_IDEAS_TOKENS = 800


def topic_of_the_day(
    channel: str,
    day,
    backlog: list[str],
    similarity_max: float | None,
    meter: Meter,
    ideas: int = 0,
    writer: ScriptConfig | None = None,
    title: str = "",
    language: str = "en",
    *,
    services: Services,
):
    """The topic a run for `day` takes from the channel's backlog, given what the store has published.

    With `ideas` and an LLM writer, a used-up backlog is extended by the writer's proposals, which are
    kept in the store per day: a re-run of that day sees the same proposals and pays for none.
    """
    store = services.store
    published = store.publications(channel)
    embedder = (
        MeteredEmbedder(providers.embedder("openai"), meter) if similarity_max is not None and published else None
    )
    try:
        return topics.choose_topic(channel, day, backlog, published, similarity_max, embedder)
    except topics.BacklogUsedUp:
        if not ideas or writer is None:
            raise
    key = f"topic-ideas/{channel}/{day.isoformat()}"
    record = store.get_record(key)
    if record is None:
        record = {
            "by": writer.provider,
            "proposed": _propose(writer, title or channel, language, ideas, published, meter),
        }
        store.put_record(key, record)
    choice = topics.choose_topic(channel, day, record["proposed"], published, similarity_max, embedder)
    return topics.TopicChoice(topic=choice.topic, reason=f"proposed by {record['by']} (the backlog is used up)")


def _propose(
    writer_cfg: ScriptConfig, title: str, language: str, count: int, published: list[dict], meter: Meter
) -> list[str]:
    from framecast.providers.llm_script import TopicRequest

    writer = providers.script_writer(writer_cfg)
    request = TopicRequest(
        channel_title=title,
        language=language,
        count=count,
        recent=tuple(p["topic"] for p in published[:30] if p.get("topic")),
    )
    if not hasattr(writer, "propose_topics"):
        raise ScriptError(
            f"topic_ideas: the {writer.name} script writer cannot propose topics; use openai or anthropic"
        )
    with meter.charge(
        provider=writer.name,
        role="topics",
        units=ESTIMATED_IDEAS_TOKENS,
        unit="token",
        model=getattr(writer, "model", ""),
    ) as bill:
        proposed = writer.propose_topics(request)
        bill_tokens(bill, writer)
    return proposed


class MeteredEmbedder:
    """An embedder whose calls are charged to the run (tokens from the response's usage when it gives them)."""

    def __init__(self, inner, meter: Meter):
        self.inner, self.meter, self.name = inner, meter, inner.name

    def embed(self, texts: list[str]) -> list[list[float]]:
        estimate = sum(len(t) for t in texts) // 4 + 1
        with self.meter.charge(
            provider=self.inner.name,
            role="embeddings",
            units=estimate,
            unit="token",
            model=getattr(self.inner, "model", ""),
        ) as bill:
            before = getattr(self.inner, "tokens_used", 0)
            vectors = self.inner.embed(texts)
            bill.units = (getattr(self.inner, "tokens_used", 0) - before) or estimate
        return vectors
