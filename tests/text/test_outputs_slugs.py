"""Slugs and YouTube's snippet from any topic (issue 17, review L5 and the YouTube limits)."""

import re
import unicodedata
from datetime import date

from hypothesis import example, given, settings
from hypothesis import strategies as st

from framecast.core.safe_text import youtube_description, youtube_tags, youtube_title
from framecast.providers.youtube.client import video_resource
from framecast.publish.publish import slot_of, slug

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SCRIPTS = [
    "火山はどのように機能するか",
    "Как работают вулканы",
    "🌋🌋",
    "Café",
    "كيف تعمل البراكين",
    "איך עובד הר געש",
    "화산은 어떻게 작동하나요",
    "Ελληνικά",
    "e\u0301",
    "\u202eevil",
    "???",
    "../../etc/passwd",
    "a" * 200,
]
topics = st.one_of(
    st.sampled_from(SCRIPTS),
    st.text(max_size=80),
    st.lists(st.sampled_from(SCRIPTS + [" ", "-", "!", "x"]), max_size=6).map("".join),
)


def old_slug(text: str, limit: int = 60) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].strip("-") or "video"


@settings(max_examples=300, deadline=None)
@given(topics)
def test_a_slug_is_bounded_url_safe_and_stable(topic):
    s = slug(topic)
    assert SLUG.fullmatch(s) and len(s) <= 60
    assert slug(topic) == s == slug(unicodedata.normalize("NFC", topic)) == slug(unicodedata.normalize("NFD", topic))
    if keeps_its_old_slug(topic):
        assert s == old_slug(topic)  # published paths of existing channels do not move


def keeps_its_old_slug(topic: str) -> bool:
    """ASCII topics with a letter or digit keep the slug they always had (case and punctuation fold away)."""
    return topic.isascii() and re.search("[A-Za-z0-9]", topic) is not None


@settings(max_examples=300, deadline=None)
@given(topics, topics)
@example("火山はどのように機能するか", "Как работают вулканы")
@example("Café", "Cafe")
@example("🌋🌋", "🌋")
@example("???", "!!!")
def test_two_different_topics_never_share_a_slot_unless_both_keep_their_old_ascii_slug(a, b):
    day = date(2026, 12, 7)
    same = unicodedata.normalize("NFC", a) == unicodedata.normalize("NFC", b)
    if not same and not (keeps_its_old_slug(a) and keeps_its_old_slug(b)):
        assert slot_of("demo", day, a) != slot_of("demo", day, b)


def test_transliterated_slugs_read_as_the_topic():
    assert slug("Café").startswith("cafe-")
    assert slug("Как работают вулканы").startswith("kak-rabotayut-vulkany-")
    assert slug("火山はどのように機能するか").startswith("huoshan")
    assert slug("How kites fly") == "how-kites-fly" and slug("../../etc/passwd") == "etc-passwd"
    assert len({slug(t) for t in SCRIPTS[:9]}) == 9


@settings(max_examples=300, deadline=None)
@given(topics, st.text(max_size=6000) | st.text(alphabet="火<>\n\x00", max_size=6000), st.lists(topics, max_size=40))
@example("<" * 300, "火" * 5000, ["a b"] * 200)
def test_the_youtube_snippet_is_valid_for_any_title_description_and_tags(title, description, tags):
    snippet = video_resource(title, description, tags, "private", "27", None)["snippet"]
    t, d, g = snippet["title"], snippet["description"], snippet["tags"]
    assert 1 <= len(t) <= 100 and not re.search("[<>\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", t)
    assert t == t.strip()
    assert len(d.encode("utf-8")) <= 5000 and not re.search("[<>\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]", d)
    assert sum(len(x) + (2 if " " in x else 0) for x in g) + max(len(g) - 1, 0) <= 500
    assert all(x and "," not in x and "<" not in x and ">" not in x for x in g)
    assert (youtube_title(t), youtube_description(d), youtube_tags(g)) == (t, d, g)  # idempotent
