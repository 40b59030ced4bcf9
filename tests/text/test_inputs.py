"""Every text input path is total: generated topics, notes, scripts and channel files end in a valid result or
in the path's own error naming the field, never in another exception (issue 17, review M6, L10, L12)."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framecast.core import textrules
from framecast.core.errors import ConfigError, ScriptError
from framecast.core.models import Script
from framecast.plan.load import load_channel
from framecast.providers.base import ScriptBrief
from framecast.providers.local.script import LocalScriptWriter
from framecast.script import write as scripting
from framecast.script.config import ScriptConfig
from framecast.topic import choose as topics

TRIED: Counter = Counter()  # texts each property tried; printed by the last test of the module (-s)
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# What users and the review actually typed, and what breaks parsers and terminals.
NASTY = [
    "How [/] works",
    "[bold]x[/bold]",
    "[link=http://x]y[/link]",
    "[0] [1]",
    "<script>alert(1)</script>",
    "1 < 2",
    "templates <T>",
    "C++",
    '"quoted"',
    "it's",
    "`tick`",
    "$HOME",
    "100 %",
    "%s %d %(x)s",
    "Tom & Jerry",
    "a/b\\c",
    "../../etc/passwd",
    "{\\an8}",
    "00:00:01.000 --> 09:59:59.000",
    "&amp;",
    "???",
    "...",
    "!",
    "#",
    "- ",
    "* ",
    "火山はどのように機能するか",
    "Как работают вулканы",
    "كيف تعمل البراكين",
    "איך עובדים הרי געש",
    "🌋🌋",
    "👩‍🔬 science",
    "Café",
    "x" * 31,
    "Pneumonoultramicroscopicsilicovolcanoconiosis" * 2,
    "\x00",
    "\u202e",
    "\u2066",
    "\x1b[31m",
    "\r\n",
    "\t",
    "\u200f",
    "\ufeff",
    "\U0001f600" * 5,
    " ",
    "",
]
piece = st.one_of(st.sampled_from(NASTY), st.text(max_size=40), st.text(st.characters(codec="utf-8"), max_size=12))
nasty_text = st.lists(piece, max_size=8).map(" ".join)
any_text = st.one_of(st.text(max_size=300), nasty_text)


def ok_topic_or_named_refusal(raw: str) -> str | None:
    try:
        topic = scripting.clean_topic(raw)
    except ScriptError as exc:
        assert str(exc).startswith("topic: ") and "\n" not in str(exc)
        return None
    assert topic == " ".join(topic.split()) and 0 < len(topic) <= textrules.MAX_TOPIC_CHARS
    assert textrules.bad_character(topic) is None and textrules.has_word(topic)
    return topic


@FAST
@given(raw=any_text, lo=st.integers(1, 40), span=st.integers(0, 39), target=st.sampled_from([10, 20, 60, 600]))
def test_any_topic_makes_a_valid_script_or_is_refused_naming_the_topic(raw, lo, span, target):
    TRIED["topics"] += 1
    topic = ok_topic_or_named_refusal(raw)
    if topic is None:
        return
    hi = min(40, lo + span)
    script = LocalScriptWriter().write(ScriptBrief(topic, lo, hi, target))
    assert isinstance(script, Script) and lo <= len(script.scenes) <= hi
    assert "<" not in script.title + script.description and ">" not in script.title + script.description
    scripting.check_for_channel(script, ScriptConfig(min_scenes=lo, max_scenes=hi, target_seconds=target), "s")


@FAST
@given(raw_notes=st.lists(any_text, max_size=50), topic=st.sampled_from(["Volcanoes", "How [/] works", "火山"]))
def test_any_notes_make_a_valid_script_or_are_refused_naming_the_note(raw_notes, topic):
    TRIED["notes"] += len(raw_notes)
    try:
        notes = scripting.run_inputs(topic, raw_notes, None, None)[1]
    except ScriptError as exc:
        assert str(exc).startswith("notes"), exc
        return
    assert len(notes) <= textrules.MAX_NOTES and all(len(n) <= textrules.MAX_NOTE_CHARS for n in notes)
    script = LocalScriptWriter().write(ScriptBrief(topic, 2, 40, 600, notes=notes))
    assert len(script.scenes) >= 2


@FAST
@given(
    notes=st.lists(st.text(st.characters(categories=["L", "Zs"]), min_size=1, max_size=1000), min_size=1, max_size=40)
)
def test_long_legitimate_notes_are_cut_at_a_word_boundary_not_refused(notes):
    TRIED["notes"] += len(notes)
    notes = [n for n in notes if n.strip()] or ["Lava is molten rock"]
    kept = scripting.check_notes(notes)
    script = LocalScriptWriter().write(ScriptBrief("Volcanoes", 2, 40, 600, notes=kept))
    assert all(len(s.narration) <= 600 for s in script.scenes)


def script_data(draw_text):
    return st.fixed_dictionaries(
        {
            "title": draw_text,
            "description": draw_text,
            "tags": st.lists(draw_text, max_size=5),
            "scenes": st.lists(
                st.fixed_dictionaries(
                    {
                        "narration": draw_text,
                        "visual_prompt": draw_text,
                        "motion_prompt": draw_text,
                        "ambience": draw_text,
                    }
                ),
                min_size=1,
                max_size=4,
            ),
        }
    )


@FAST
@given(data=script_data(any_text), as_yaml=st.booleans())
def test_any_script_file_text_is_a_valid_script_or_a_script_error_naming_the_field(data, as_yaml):
    TRIED["script texts"] += 4 + len(data["tags"]) + 4 * len(data["scenes"])
    text = yaml.safe_dump(data, allow_unicode=True) if as_yaml else json.dumps(data, ensure_ascii=False)
    try:
        script = scripting.parse(text, "script file s.yaml")
    except ScriptError as exc:
        assert str(exc).startswith("script file s.yaml")
        return
    for value in [script.title, *script.tags]:
        assert textrules.bad_character(value) is None and "<" not in value and "\n" not in value
    for scene in script.scenes:
        assert textrules.bad_character(scene.narration + scene.visual_prompt, multiline=True) is None


@FAST
@given(
    text=st.one_of(
        st.text(max_size=500),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=20),
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
            max_leaves=30,
        ).map(json.dumps),
    )
)
def test_any_text_given_as_a_script_file_is_parsed_or_refused_as_a_script_error(text):
    TRIED["script files"] += 1
    try:
        scripting.parse(text, "script file s.json")
    except ScriptError as exc:
        assert str(exc).startswith("script file s.json")


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000,
        "a: " + "[" * 100_000,
        "a:\n  " + "- " * 5000 + "1",
        json.dumps({"title": "T", "scenes": "[" * 21 + "1" + "]" * 21}).replace('"[', "[").replace(']"', "]"),
    ],
)
def test_deep_nesting_is_a_script_error_not_a_recursion_error(text):
    with pytest.raises(ScriptError, match=r"^script file s: nested more than 20 levels deep"):
        scripting.parse(text, "script file s")


def test_script_and_channel_files_over_the_size_limit_are_refused(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("title: " + "x" * textrules.MAX_FILE_BYTES)
    with pytest.raises(ScriptError, match=r"^--script .*big.yaml: \d+ bytes; the limit is 1000000"):
        scripting.load(big, ScriptConfig())
    with pytest.raises(ConfigError, match=r"^channel file .*big.yaml: \d+ bytes; the limit is 1000000"):
        load_channel(str(big))


@pytest.mark.parametrize("text", ["a: " + "[" * 50_000, "topics:\n  " + "- " * 5000 + "x"])
def test_a_deeply_nested_channel_file_is_a_config_error(tmp_path, text):
    path = tmp_path / "deep.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match="nested more than 20 levels deep"):
        load_channel(str(path))


@FAST
@given(backlog=st.lists(any_text, min_size=1, max_size=6), title=any_text)
def test_any_channel_file_text_loads_or_is_a_config_error_naming_the_topic(tmp_path_factory, backlog, title):
    TRIED["channel texts"] += len(backlog) + 1
    folder = tmp_path_factory.mktemp("ch")
    (folder / "more.txt").write_text("\n".join(backlog), encoding="utf-8", errors="surrogatepass")
    path = folder / "c.yaml"
    path.write_text(
        yaml.safe_dump({"title": title, "topics": backlog, "topics_file": "more.txt"}, allow_unicode=True),
        encoding="utf-8",
    )
    try:
        chosen = topics.backlog(load_channel(str(path)))
    except ConfigError as exc:
        assert str(exc).startswith(("topics[", "topics_file ", "channel file ")), exc
        return
    assert all(ok_topic_or_named_refusal(t) == t for t in chosen)


class _BrokenWriter:
    name = "plugin"

    def write(self, brief):
        return Script.model_validate({"title": brief.topic, "scenes": [{"narration": "x" * 601, "visual_prompt": "v"}]})


def test_a_writer_whose_script_fails_validation_gives_a_described_script_error(monkeypatch, tmp_path):
    from framecast.cost.ledger import default_url
    from framecast.cost.meter import Meter

    monkeypatch.setattr(scripting.providers, "script_writer", lambda cfg: _BrokenWriter())
    meter = Meter.open(default_url(tmp_path), run="c/2026-12-07/r", channel="c", day="2026-12-07")
    with pytest.raises(ScriptError, match=r"script from the plugin writer is not valid:\n  - scenes\[0\].narration"):
        scripting._write("Volcanoes", ScriptConfig(), meter, "en", ())


@pytest.mark.parametrize(
    "raw, fix",
    [
        ("???", "has no letter or digit"),
        ("...", "has no letter or digit"),
        ("🌋🌋", "has no letter or digit"),
        ("Volcanoes\x00work", "control character U+0000"),
        ("abc\u202egpj.exe", "bidi-override character U+202E"),
        ("x" * 201, "keep it to 200"),
    ],
)
def test_topics_that_cannot_make_sense_are_refused_with_the_field_and_the_fix(raw, fix):
    with pytest.raises(ScriptError, match=r"^topic: ") as info:
        scripting.clean_topic(raw)
    assert fix in str(info.value)


@pytest.mark.parametrize(
    "raw",
    [
        "Why 1 < 2 in C++ templates <T>",
        "How [/] works",
        "x" * 40 + " words",
        "火山はどのように機能するか",
        "كيف تعمل البراكين",
        "How volcanoes work\n",
        "1?",
    ],
)
def test_ordinary_but_nasty_topics_make_a_script(raw):
    script = LocalScriptWriter().write(ScriptBrief(scripting.clean_topic(raw), 2, 4, 20, notes=("Lava " * 200,)))
    assert script.title and all(len(t) <= 30 for t in script.tags)


def test_zz_report_how_many_texts_were_tried():
    print(f"\ntexts tried by the property tests: {sum(TRIED.values())} ({dict(TRIED)})")
    assert sum(TRIED.values()) > 0
