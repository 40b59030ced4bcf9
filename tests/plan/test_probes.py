"""Pre-flight asks each provider whether its key is accepted, with its cheapest authenticated call."""

from datetime import date

import pytest

from framecast.channel import ChannelConfig
from framecast.plan import preflight
from framecast.plan.cloud import with_cloud_providers
from framecast.sandbox import Fault
from framecast.settings import get_settings, reset_settings

DAY = date(2026, 12, 2)


@pytest.fixture
def keys(sandbox, monkeypatch):
    for key, value in sandbox.env().items():
        monkeypatch.setenv(key, value)
    reset_settings()
    yield get_settings
    reset_settings()


def channel(**fields) -> ChannelConfig:
    """A cloud channel (OpenAI script and images, Runway, ElevenLabs) with `fields` on top."""
    cloud = with_cloud_providers(ChannelConfig(name="probed")).model_dump(mode="json")
    return ChannelConfig.model_validate({**cloud, **fields})


def test_accepted_keys_cost_one_free_call_each_and_find_nothing(keys, sandbox):
    cfg = channel(
        script={"provider": "anthropic"}, publish={"targets": ["store", "youtube"], "youtube": {"privacy": "private"}}
    )
    assert preflight.check(cfg, keys(), DAY, online=True) == []
    assert sandbox.state.calls("anthropic", "models") == 1
    assert sandbox.state.calls("openai", "models") == 1  # the images are OpenAI's
    assert sandbox.state.calls("elevenlabs", "voices") == 1
    assert sandbox.state.calls("youtube", "token") == 1
    assert sandbox.state.calls("runway") == 0  # no free authenticated call: checked as set only


def test_a_refused_key_is_a_problem_naming_the_provider_endpoint_and_fix(keys, sandbox):
    sandbox.state.inject("elevenlabs", "voices", Fault(status=401))
    with pytest.raises(preflight.PreflightFailed) as info:
        preflight.require(channel(), keys(), DAY, online=True)
    text = str(info.value)
    assert "voice.provider: elevenlabs refused the key at GET /v2/voices" in text and "check the key" in text
    assert "nothing was spent" in text


def test_a_refused_key_early_in_a_fallback_chain_is_only_a_warning(keys, sandbox):
    sandbox.state.inject("elevenlabs", "voices", Fault(status=401))
    cfg = channel(
        voice={"providers": ["elevenlabs", "local"]}, music={"source": "generated"}, sound={"provider": "local"}
    )
    found = preflight.require(cfg, keys(), DAY, online=True)
    assert [(f.problem, f.field) for f in found] == [(False, "voice.provider")]
    # With ElevenLabs also making the music bed (no provider after it there), the same refusal stops the run.
    with pytest.raises(preflight.PreflightFailed, match=r"music.source: elevenlabs refused the key"):
        sandbox.state.inject("elevenlabs", "voices", Fault(status=401))
        preflight.require(
            channel(voice={"providers": ["elevenlabs", "local"]}, music={"source": "elevenlabs"}),
            keys(),
            DAY,
            online=True,
        )


def test_a_revoked_youtube_refresh_token_fails_pre_flight(keys, sandbox):
    sandbox.state.inject(
        "youtube",
        "token",
        Fault(status=400, body={"error": "invalid_grant", "error_description": "Token has been revoked."}),
    )
    cfg = channel(publish={"targets": ["store", "youtube"], "youtube": {"privacy": "private"}})
    with pytest.raises(
        preflight.PreflightFailed,
        match=r"publish.targets: youtube refused the key at POST oauth2 "
        r"token.*obtain a new YOUTUBE_REFRESH_TOKEN",
    ):
        preflight.require(cfg, keys(), DAY, online=True)


def test_a_provider_that_cannot_be_reached_is_a_warning_not_a_stop(keys, sandbox):
    sandbox.state.inject("openai", "models", Fault(status=503))
    found = preflight.require(channel(), keys(), DAY, online=True)
    assert any(not f.problem and "openai's key could not be checked at GET /models" in f.message for f in found)


def test_shutdown_dates_the_provider_reports_are_read():
    from framecast.providers.openai import shutdowns as _openai_shutdowns

    body = {
        "data": [
            {"id": "gpt-x", "shutdown_at": 1798761600},
            {"id": "gpt-y", "deprecation": {"shutdown_at": "2027-03-01"}},
            {"id": "gpt-z"},
        ]
    }
    assert _openai_shutdowns(body) == {"gpt-x": date(2027, 1, 1), "gpt-y": date(2027, 3, 1)}


def test_a_key_with_a_trailing_newline_is_stripped_and_accepted(keys, sandbox, monkeypatch):
    """M1 (the review's reproduction): the key went into the header raw, and h11's error printed it in full."""
    from framecast.plan.probes import probe

    monkeypatch.setenv("OPENAI_API_KEY", "sk-proj-REALKEY-abcdef123456\n")
    reset_settings()
    result = probe("openai", keys())
    assert (result.refused, result.unknown) == ("", "")
    assert sandbox.state.calls("openai", "models") == 1


def test_a_provider_echoing_the_key_encoded_leaves_no_copy_in_the_pre_flight_warning(keys, sandbox, monkeypatch):
    from urllib.parse import quote

    key = "sk-proj/REAL+KEY=abcdef123456"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    reset_settings()
    echo = {"error": {"message": f"upstream refused ?key={quote(key, safe='')} ({key!r})", "type": "api_error"}}
    sandbox.state.inject("openai", "models", Fault(status=503, body=echo))
    found = preflight.require(channel(), keys(), DAY, online=True)
    text = "\n".join(f.message for f in found)
    assert "could not be checked" in text and "***" in text
    assert "REAL" not in text and "abcdef123456" not in text


def test_the_gemini_gates_key_is_probed_with_a_free_model_lookup(keys, sandbox):
    cfg = channel(quality={"analyzers": ["local", "gemini"]})
    assert preflight.check(cfg, keys(), DAY, online=True) == []
    assert sandbox.state.calls("gemini", "models.get") == 1 and sandbox.state.calls("gemini", "generateContent") == 0
    sandbox.state.inject("gemini", "models.get", Fault(status=403))
    with pytest.raises(preflight.PreflightFailed, match=r"quality.analyzers: gemini refused the key at GET /v1beta/"):
        preflight.require(cfg, keys(), DAY, online=True)
