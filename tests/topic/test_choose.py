from datetime import UTC, date, datetime

import openai
import pytest

from framecast import context as runtime
from framecast.channel import ChannelConfig
from framecast.core.errors import ConfigError, ScriptError
from framecast.cost.ledger import default_url
from framecast.cost.meter import Meter
from framecast.plan.load import load_channel
from framecast.providers.openai.client import OpenAIEmbeddings
from framecast.script.config import ScriptConfig
from framecast.settings import reset_settings
from framecast.topic.choose import backlog, choose_topic, cosine, run_day
from framecast.topic.ideas import topic_of_the_day
from tests.conftest import ledger_entries

TOPICS = ["How volcanoes work", "Why the sky is blue", "How bees make honey"]
DAY = date(2026, 12, 2)


def published(*pairs):
    return [{"topic": t, "date": d} for t, d in pairs]


def test_the_day_is_the_scheduled_start_in_the_channels_timezone():
    late_evening_utc = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    assert run_day(late_evening_utc, "UTC") == date(2026, 12, 1)
    assert run_day(late_evening_utc, "Europe/Berlin") == date(2026, 12, 2)
    assert run_day(late_evening_utc, "America/New_York") == date(2026, 12, 1)
    # A run started two days late still belongs to the day it was scheduled for.
    assert run_day(late_evening_utc, "UTC", now=datetime(2026, 12, 3, 9, tzinfo=UTC)) == date(2026, 12, 1)


def test_the_first_unpublished_topic_is_taken_and_appending_topics_moves_nothing():
    done = published(("How volcanoes work", "2026-11-30"))
    assert choose_topic("c", DAY, TOPICS, done).topic == "Why the sky is blue"
    assert choose_topic("c", DAY, TOPICS + ["How tides work", "Why cats purr"], done).topic == "Why the sky is blue"
    # Matching ignores case and spacing differences from the published record.
    assert (
        choose_topic(
            "c", DAY, TOPICS, published(("how volcanoes work", "2026-11-30"), ("WHY THE SKY IS BLUE", "2026-12-01"))
        ).topic
        == TOPICS[2]
    )


def test_a_day_that_was_already_published_keeps_its_topic():
    done = published(("Why the sky is blue", DAY.isoformat()), ("How volcanoes work", "2026-11-30"))
    choice = choose_topic("c", DAY, TOPICS, done)
    assert (choice.topic, choice.reason) == ("Why the sky is blue", f"already published for {DAY.isoformat()}")


def test_an_exhausted_list_stops_with_what_to_add():
    done = published(*[(t, f"2026-11-2{i}") for i, t in enumerate(TOPICS)])
    with pytest.raises(ScriptError, match="published all 3 of its topics; add new ones to `topics` or `topics_file`"):
        choose_topic("c", DAY, TOPICS, done)
    with pytest.raises(ScriptError, match="has no topics list"):
        choose_topic("c", DAY, [], [])


def test_topics_file_extends_the_list_relative_to_the_channel_file(tmp_path):
    (tmp_path / "more.txt").write_text("# backlog\nHow tides work\n\n  Why  cats purr \nhow volcanoes work\n")
    (tmp_path / "c.yaml").write_text("topics: [How volcanoes work]\ntopics_file: more.txt\n")
    assert backlog(load_channel(str(tmp_path / "c.yaml"))) == ["How volcanoes work", "How tides work", "Why cats purr"]
    (tmp_path / "d.yaml").write_text("topics_file: missing.txt\n")
    with pytest.raises(ConfigError, match="topics_file: cannot read .*missing.txt"):
        backlog(load_channel(str(tmp_path / "d.yaml")))


def test_an_unknown_timezone_names_the_field():
    with pytest.raises(ValueError, match="IANA timezone"):
        ChannelConfig(name="c", timezone="Mars/Olympus")


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
    topics = ["How do volcanoes work?", "Why the sky is blue"]
    done = published(("How volcanoes work", "2026-11-30"))
    assert choose_topic("c", DAY, topics, done, 0.8, embedder).topic == "Why the sky is blue"
    assert choose_topic("c", DAY, topics, done, None, embedder).topic == "How do volcanoes work?"  # no threshold


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_a_used_up_backlog_is_extended_by_the_llm_once_per_day(provider, sandbox, data_dir, monkeypatch):
    for key, value in sandbox.env().items():
        monkeypatch.setenv(key, value)
    reset_settings()
    store_topics = ["How volcanoes work", "Why the sky is blue"]
    video = runtime.store().put(_file(data_dir.parent, b"v"), "video/mp4")
    runtime.store().publish("c/2026-11-30-a", {"video": video}, {"topic": "How volcanoes work", "date": "2026-11-30"})
    runtime.store().publish("c/2026-12-01-b", {"video": video}, {"topic": "Why the sky is blue", "date": "2026-12-01"})
    writer = ScriptConfig(provider=provider)
    meter = Meter.open(default_url(data_dir), run=f"c/{DAY.isoformat()}/r", channel="c", day=DAY.isoformat())
    with pytest.raises(ScriptError, match="set topic_ideas"):
        topic_of_the_day("c", DAY, store_topics, None, meter, services=runtime.services())
    first = topic_of_the_day(
        "c", DAY, store_topics, None, meter, 3, writer, "Science in a minute", services=runtime.services()
    )
    assert (
        first.topic == "How glaciers carve valleys"
        and first.reason == f"proposed by {provider} (the backlog is used up)"
    )
    again = topic_of_the_day(
        "c", DAY, store_topics, None, meter, 3, writer, "Science in a minute", services=runtime.services()
    )
    assert again == first
    endpoint = "chat.completions" if provider == "openai" else "messages"
    assert sandbox.state.calls(provider, endpoint) == 1  # the day's proposals are kept: a re-run pays nothing
    assert [e["role"] for e in ledger_entries(data_dir)] == ["topics"]
    assert runtime.store().get_record(f"topic-ideas/c/{DAY.isoformat()}")["proposed"][:1] == [
        "How glaciers carve valleys"
    ]


def _file(folder, data: bytes):
    path = folder / "f.bin"
    path.write_bytes(data)
    return path


def test_topic_ideas_need_an_llm_writer():
    with pytest.raises(ValueError, match="topic_ideas needs an LLM script writer"):
        ChannelConfig(name="c", topic_ideas=3)
