"""Pre-flight: every problem found before anything is spent, in one message; warnings before a shutdown."""

from datetime import date
from types import SimpleNamespace

import pytest

from framecast.channel import ChannelConfig
from framecast.plan import preflight
from framecast.plan.cloud import with_cloud_providers
from framecast.providers import registry
from framecast.settings import Settings


def cloud(**overrides) -> ChannelConfig:
    data = with_cloud_providers(ChannelConfig(name="pf")).model_dump(mode="json")
    for key, value in overrides.items():
        data[key] = {**data[key], **value} if isinstance(value, dict) else value
    return ChannelConfig.model_validate(data)


# The sandbox channel's vendors: --sandbox runs the gate's Gemini eye too.
ALL_KEYS = dict(OPENAI_API_KEY="k", RUNWAYML_API_SECRET="k", ELEVENLABS_API_KEY="k", GEMINI_API_KEY="k")
NO_GEMINI = {k: v for k, v in ALL_KEYS.items() if k != "GEMINI_API_KEY"}


@pytest.fixture
def keys(monkeypatch):
    """Settings with exactly these vendor keys set (each vendor reads its own from the environment)."""

    def make(**values) -> Settings:
        for name in ALL_KEYS:
            monkeypatch.delenv(name, raising=False)
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        return Settings()

    return make


def test_missing_keys_are_all_listed_with_the_variable_to_set(monkeypatch, keys):
    for name in ("OPENAI_API_KEY", "RUNWAYML_API_SECRET", "ELEVENLABS_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(preflight.PreflightFailed) as failed:
        preflight.require(cloud(), keys(OPENAI_API_KEY="sk-test"), date(2026, 12, 2))
    message = str(failed.value)
    assert "RUNWAYML_API_SECRET" in message and "ELEVENLABS_API_KEY" in message and "motion.provider" in message
    assert "OPENAI_API_KEY" not in message  # set: not a problem
    assert "nothing was spent" in message


def test_a_model_past_its_shutdown_date_is_a_problem_and_one_near_it_a_warning(keys):
    channel = cloud(voice={"provider": "openai", "model": "gpt-4o-mini-tts", "voice": "alloy"})
    settings = keys(**ALL_KEYS)
    soon = preflight.check(channel, settings, date(2026, 12, 20))
    assert [f.problem for f in soon if "gpt-4o-mini-tts" in f.message] == [False]
    assert "in 17 days" in next(str(f) for f in soon if "gpt-4o-mini-tts" in f.message)
    assert any("whisper-1" in f.message for f in soon) is False  # 68 days left: no warning yet
    late = preflight.check(channel, settings, date(2027, 1, 6))
    retired = [f for f in late if f.problem]
    assert [f.field for f in retired] == ["voice.model"]
    assert "shut down on 2027-01-06" in retired[0].message and "OpenAI deprecations page" in retired[0].message


def test_the_openai_voice_warns_today_and_is_refused_from_2027_01_06_naming_the_alternatives(keys):
    """Every OpenAI speech model ends on 2027-01-06, listed in the registry or not (a new snapshot)."""
    settings = keys(**ALL_KEYS)
    for model in ("tts-1", "gpt-4o-mini-tts-2027-01-01"):
        channel = cloud(voice={"provider": "openai", "model": model, "voice": "alloy"})
        today = [f for f in preflight.check(channel, settings, date(2026, 12, 8)) if "shuts down" in f.message]
        assert [(f.problem, f.field) for f in today] == [(False, "voice.model")]
        assert "on 2027-01-06, in 29 days" in today[0].message
        gone = [f for f in preflight.check(channel, settings, date(2027, 1, 6)) if f.problem]
        assert [f.field for f in gone] == ["voice.model"], gone
        assert "use voice.provider: elevenlabs or local" in gone[0].message and "Realtime API" in gone[0].message
    unnamed = cloud(voice={"provider": "openai", "model": None, "voice": "alloy"})
    gone = [f for f in preflight.check(unnamed, settings, date(2027, 1, 6)) if f.problem]
    assert [f.field for f in gone] == ["voice.model"] and "voice.provider: elevenlabs or local" in gone[0].message


@pytest.mark.parametrize(
    ("model", "role", "shutdown"),
    [
        ("gpt-5", "script", "2026-12-11"),
        ("o3", "script", "2026-12-11"),
        ("gpt-4.1-mini", "script", "2027-01-14"),
        ("gpt-5.4-nano", "script", "2027-04-01"),
        ("gpt-audio-mini", "voice", "2027-01-20"),
        ("gpt-image-1.5-2025-12-16", "image", "2026-12-01"),
        ("gpt-image-1", "image", "2026-10-23"),
        ("dall-e-3", "image", "2026-05-12"),
    ],
)
def test_a_channel_naming_a_retiring_openai_model_gets_its_date_offline(keys, model, role, shutdown):
    channel = cloud(**{role: {"provider": "openai", "model": model, **({"voice": "alloy"} if role == "voice" else {})}})
    day = date.fromisoformat(shutdown)
    before = [
        f
        for f in preflight.check(channel, keys(**ALL_KEYS), date.fromordinal(day.toordinal() - 1))
        if model in f.message
    ]
    assert [(f.problem, f.field) for f in before] == [(False, f"{role}.model")] and "in 1 days" in before[0].message
    on = [f for f in preflight.check(channel, keys(**ALL_KEYS), day) if f.problem and model in f.message]
    assert [f.field for f in on] == [f"{role}.model"] and f"shut down on {shutdown}" in on[0].message


def test_the_openai_voice_has_no_default_while_its_shutdown_nears(keys):
    channel = cloud(voice={"provider": "openai", "model": None, "voice": "alloy"})
    problems = [f for f in preflight.check(channel, keys(**ALL_KEYS), date(2026, 12, 2)) if f.problem]
    assert [f.field for f in problems] == ["voice.model"] and "no default" in problems[0].message


def test_a_budget_below_the_estimate_fails_before_the_run(keys):
    problems = [
        f
        for f in preflight.check(cloud(budget={"max_usd_per_run": 0.5}), keys(**ALL_KEYS), date(2026, 12, 2))
        if f.problem
    ]
    assert [f.field for f in problems] == ["budget.max_usd_per_run"]
    assert preflight.check(cloud(budget={"max_usd_per_run": 50}), keys(**ALL_KEYS), date(2026, 12, 2)) == []


def test_a_plugin_registers_its_vendor_through_an_entry_point(monkeypatch):
    def plugin(register):
        register(
            registry.ProviderSpec(
                name="acme",
                roles=("motion",),
                keys=("ACME_KEY",),
                defaults={"motion": "acme-1"},
                models=(registry.ModelSpec("acme-1", ("motion",), date(2027, 1, 1), "acme blog"),),
            )
        )

    point = SimpleNamespace(name="acme", load=lambda: plugin)
    monkeypatch.setattr(registry, "_loaded", [])
    monkeypatch.setattr(registry, "_SPECS", dict(registry._SPECS))
    monkeypatch.setattr(registry, "entry_points", lambda group: [point] if group == registry.ENTRY_POINT_GROUP else [])
    registry.reload_plugins()
    assert registry.default_model("motion", "acme") == "acme-1"
    findings = preflight._model_findings("motion.model", "motion", "acme", "acme-1", date(2027, 1, 2))
    assert findings[0].problem and "acme blog" in findings[0].message


def test_the_sound_chain_is_checked_like_any_stage_and_unused_sound_needs_no_key(monkeypatch, keys):
    monkeypatch.delenv("ELEVENLABS_API_KEY", raising=False)
    local = dict(voice={"provider": "local", "voice": None}, music={"source": "generated"})
    problems = [
        f
        for f in preflight.check(cloud(**local), keys(OPENAI_API_KEY="k", RUNWAYML_API_SECRET="k"), date(2026, 12, 2))
        if f.problem
    ]
    assert len(problems) == 1 and problems[0].field.startswith("sound.") and "ELEVENLABS_API_KEY" in problems[0].message
    silent = cloud(**local, sound={"transitions": {"fade": None, "dissolve": None}, "ambience": False})
    assert [
        f
        for f in preflight.check(silent, keys(OPENAI_API_KEY="k", RUNWAYML_API_SECRET="k"), date(2026, 12, 2))
        if f.problem
    ] == []


def test_the_gemini_gate_needs_its_key_names_its_model_and_is_priced(monkeypatch, keys):
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "FRAMECAST_GEMINI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    channel = cloud(quality={"analyzers": ["local", "gemini"], "fallback": []})
    assert [("quality.analyzers", "quality", "gemini", "gemini-3.8-flash")] in preflight._uses(channel)
    day = date(2026, 12, 7)
    problems = [f for f in preflight.check(channel, keys(**NO_GEMINI), day) if f.problem]
    assert [(f.field, "GEMINI_API_KEY" in f.message) for f in problems] == [("quality.analyzers", True)]
    # GOOGLE_API_KEY is the alias the google-genai SDK itself reads
    assert not [f for f in preflight.check(channel, keys(**NO_GEMINI, GOOGLE_API_KEY="k"), day) if f.problem]
    monkeypatch.delenv("GOOGLE_API_KEY")
    # With a fallback chain ending in local checks, a missing key only warns: the run skips gemini.
    chained = cloud(quality={"analyzers": ["gemini"], "fallback": ["google", "local"]})
    found = preflight.check(chained, keys(**NO_GEMINI), day)
    assert not [f for f in found if f.problem]
    assert any("the run skips gemini" in f.message for f in found)
    named = cloud(quality={"analyzers": ["gemini"], "gemini_model": "gemini-9-nano"})
    unknown = [f for f in preflight.check(named, keys(**NO_GEMINI, GEMINI_API_KEY="k"), day) if "gemini-9" in f.message]
    assert [f.problem for f in unknown] == [False] and "not in framecast's registry" in unknown[0].message
    [line] = [x for x in preflight.estimate(channel) if x.provider == "gemini"]
    assert (line.model, line.unit) == ("gemini-3.8-flash", "token") and 0 < line.usd < 0.05
