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
    """OpenAI's field is `shutdown_date` (YYYY-MM-DD or null); the old keys are read only where it is absent."""
    from framecast.providers.openai import shutdowns as _openai_shutdowns

    body = {
        "data": [
            {"id": "gpt-w", "shutdown_date": "2026-12-11", "shutdown_at": 1798761600},
            {"id": "gpt-v", "shutdown_date": None},
            {"id": "gpt-x", "shutdown_at": 1798761600},
            {"id": "gpt-y", "deprecation": {"shutdown_at": "2027-03-01"}},
            {"id": "gpt-z"},
        ]
    }
    assert _openai_shutdowns(body) == {
        "gpt-w": date(2026, 12, 11),
        "gpt-x": date(2027, 1, 1),
        "gpt-y": date(2027, 3, 1),
    }


def models_reply(model: str, shutdown: str | None) -> dict:
    """OpenAI's GET /v1/models answer, as the spec's ListModelsResponse, naming one model's `shutdown_date`."""
    item = {"id": model, "object": "model", "created": 1735689600, "owned_by": "openai", "shutdown_date": shutdown}
    return {"object": "list", "data": [item]}


def test_a_shutdown_date_only_openai_reports_warns_then_stops_the_run(keys, sandbox):
    cfg = channel()  # OpenAI script (gpt-6.2-sol, no date in the registry) and images
    sandbox.state.inject("openai", "models", Fault(status=200, body=models_reply("gpt-6.2-sol", "2026-12-20")))
    found = preflight.require(cfg, keys(), DAY, online=True)
    assert [str(f) for f in found] == [
        "warning: script.model: openai model 'gpt-6.2-sol' shuts down on 2026-12-20, in 18 days (openai GET /models)"
    ]
    sandbox.state.inject("openai", "models", Fault(status=200, body=models_reply("gpt-6.2-sol", "2026-12-20")))
    with pytest.raises(preflight.PreflightFailed, match=r"script.model: openai model 'gpt-6.2-sol' shut down on 2026"):
        preflight.require(cfg, keys(), date(2026, 12, 20), online=True)


def test_the_sandbox_reports_the_registry_dates_so_online_adds_nothing_offline_did_not(keys, sandbox):
    cfg = channel(image={"provider": "openai", "model": "gpt-image-1.5"})
    offline = preflight.check(cfg, keys(), DAY)
    assert [(f.problem, f.field) for f in offline] == [(True, "image.model")]
    assert "shut down on 2026-12-01" in offline[0].message
    soon = channel(script={"provider": "openai", "model": "gpt-5"})
    found = preflight.check(soon, keys(), DAY, online=True)
    assert [str(f) for f in found] == [
        "warning: script.model: openai model 'gpt-5' shuts down on 2026-12-11, in 9 days (OpenAI deprecations page; "
        "openai 3.63.0 chat_model.py 'Deprecated values' (checked 2026-12-07)); its successor is gpt-6.1-sol"
    ]
    assert sandbox.state.calls("openai", "models") == 1


def anthropic_model(model: str, lifecycle: str, retires: str | None, deprecated: str | None = None) -> dict:
    """A ModelInfo as anthropic 2.17.0 types it (checked against the sandbox's schema below)."""
    return {
        "type": "model",
        "id": model,
        "display_name": model,
        "created_at": "2026-01-01T00:00:00Z",
        "capabilities": None,
        "max_input_tokens": None,
        "max_tokens": None,
        "lifecycle": lifecycle,
        "deprecated_at": deprecated,
        "retires_at": retires,
        "line": None,
    }


def test_anthropic_lifecycle_is_asked_per_model_and_applied_like_the_registry(keys, sandbox):
    from framecast.sandbox.validate import problems

    cfg = channel(script={"providers": ["anthropic", "openai"], "model": "claude-opus-4-5"})
    # The registry's date (2027-01-22) and the sandbox's report agree: nothing 51 days ahead, a warning 21 days ahead.
    assert preflight.check(cfg, keys(), DAY, online=True) == []
    assert sandbox.state.calls("anthropic", "models") == 1  # GET /v1/models/claude-opus-4-5
    assert [f.message for f in preflight.check(cfg, keys(), date(2027, 1, 1), online=True)] == [
        "anthropic model 'claude-opus-4-5' shuts down on 2027-01-22, in 21 days (Anthropic model deprecations; "
        "anthropic 2.17.0 _data/deprecated_models.py (checked 2026-12-07)); its successor is claude-opus-5-5"
    ]
    # What only Anthropic reports: a sooner retirement, then `lifecycle: retired`.
    sooner = anthropic_model("claude-opus-4-5", "deprecated", "2026-12-20T00:00:00Z", "2026-11-23T00:00:00Z")
    assert problems("anthropic.model_info.response", sooner) == []
    sandbox.state.inject("anthropic", "models", Fault(status=200, body=sooner))
    assert [str(f) for f in preflight.check(cfg, keys(), DAY, online=True)] == [
        "warning: script.model: anthropic model 'claude-opus-4-5' shuts down on 2026-12-20, in 18 days "
        "(anthropic GET /models/claude-opus-4-5)"
    ]
    retired = anthropic_model("claude-opus-4-5", "retired", "2026-12-01T00:00:00Z", "2026-11-23T00:00:00Z")
    sandbox.state.inject("anthropic", "models", Fault(status=200, body=retired))
    with pytest.raises(preflight.PreflightFailed, match=r"script.model: anthropic model 'claude-opus-4-5' is retired"):
        preflight.require(cfg, keys(), DAY, online=True)
    # Overdue: a past `retires_at` on a deprecated model is not retirement ("lifecycle is the retirement signal").
    sandbox.state.inject(
        "anthropic", "models", Fault(status=200, body={**sooner, "retires_at": "2026-12-01T00:00:00Z"})
    )
    assert [f.message for f in preflight.check(cfg, keys(), DAY, online=True)] == [
        "anthropic model 'claude-opus-4-5' is deprecated and its retirement (2026-12-01) is overdue "
        "(anthropic GET /models/claude-opus-4-5): it may stop any day"
    ]


def test_a_model_anthropic_does_not_know_stops_the_run_and_a_refused_key_names_the_model_endpoint(keys, sandbox):
    cfg = channel(script={"provider": "anthropic", "model": "claude-nonesuch-9"})
    with pytest.raises(preflight.PreflightFailed, match=r"anthropic model 'claude-nonesuch-9' is unknown at anthropic"):
        preflight.require(cfg, keys(), DAY, online=True)
    sandbox.state.inject("anthropic", "models", Fault(status=401))
    with pytest.raises(preflight.PreflightFailed, match=r"anthropic refused the key at GET /v1/models/\{model\}"):
        preflight.require(channel(script={"provider": "anthropic"}), keys(), DAY, online=True)


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


def test_the_anthropic_lifecycle_probe_leaves_no_copy_of_the_key(keys, sandbox, monkeypatch):
    key = "sk-ant-REAL+KEY/abcdef123456"
    monkeypatch.setenv("ANTHROPIC_API_KEY", key)
    reset_settings()
    echo = {"type": "error", "error": {"type": "api_error", "message": f"upstream saw x-api-key {key}"}}
    sandbox.state.inject("anthropic", "models", Fault(status=503, body=echo))
    found = preflight.require(channel(script={"provider": "anthropic", "model": "claude-opus-4-5"}), keys(), DAY, True)
    text = "\n".join(f.message for f in found)
    assert "anthropic's key could not be checked at GET /v1/models/{model}" in text and "***" in text
    assert "REAL" not in text and "abcdef123456" not in text


def test_the_gemini_gates_key_is_probed_with_a_free_model_lookup(keys, sandbox):
    cfg = channel(quality={"analyzers": ["local", "gemini"]})
    assert preflight.check(cfg, keys(), DAY, online=True) == []
    assert sandbox.state.calls("gemini", "models.get") == 1 and sandbox.state.calls("gemini", "generateContent") == 0
    sandbox.state.inject("gemini", "models.get", Fault(status=403))
    with pytest.raises(preflight.PreflightFailed, match=r"quality.analyzers: gemini refused the key at GET /v1beta/"):
        preflight.require(cfg, keys(), DAY, online=True)
