from datetime import date

import openai
import pytest

from framecast.config import ChannelConfig
from framecast.providers.openai import OpenAIEmbeddings
from framecast.topics import cosine, topic_for_day

TOPICS = ["How volcanoes work", "Why the sky is blue", "How bees make honey"]


def channel(**kw):
    return ChannelConfig(name="c", topics=TOPICS, **kw)


def test_topics_rotate_one_per_day():
    day = date(2026, 11, 24)
    picks = [topic_for_day(channel(), date.fromordinal(day.toordinal() + i)) for i in range(3)]
    assert sorted(picks) == sorted(TOPICS)


@pytest.fixture
def embedder(sandbox):
    client = openai.OpenAI(api_key="sk-sandbox-0123456789", base_url=sandbox.base_url("openai") + "/v1", max_retries=0)
    return OpenAIEmbeddings(client, "text-embedding-3-small", [])


def test_embeddings_through_the_sdk_base64_path(embedder, sandbox):
    a, b, c = embedder.embed(["volcanoes erupt lava", "lava from volcanoes", "honey bees"])
    assert len(a) == 256
    assert cosine(a, b) > 0.6 > cosine(a, c)
    assert sandbox.state.calls("openai", "embeddings") == 1


def test_a_near_repeat_of_a_recent_topic_is_skipped(embedder):
    day = next(date.fromordinal(738000 + i) for i in range(3) if topic_for_day(channel(), date.fromordinal(738000 + i))
               == "How volcanoes work")
    recent = ["How do volcanoes work?"]
    assert topic_for_day(channel(topic_similarity_max=0.8), day, recent, embedder) == "Why the sky is blue"
    assert topic_for_day(channel(), day, recent, embedder) == "How volcanoes work"  # no threshold: no check
