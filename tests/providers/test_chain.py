"""Which failures move a stage to the next provider of its chain, and what the chain remembers."""

from datetime import date

import pytest

from framecast.channel import ChannelConfig
from framecast.core.errors import (
    AuthError,
    BudgetExceeded,
    ConfigError,
    ContentRejected,
    InvalidRequest,
    PermanentError,
    ProviderUnavailable,
    QuotaExhausted,
)
from framecast.providers.chain import FallbackMemory, run_chain
from framecast.script.config import ScriptConfig
from framecast.visuals.config import MotionConfig
from framecast.voice.config import VoiceConfig

DAY = date(2026, 12, 2)


class Provider:
    """Answers per provider name: an exception to raise or a value to return; counts the calls."""

    def __init__(self, **answers):
        self.answers, self.calls = answers, []

    def __call__(self, link):
        self.calls.append(link.provider)
        answer = self.answers[link.provider]
        if isinstance(answer, BaseException):
            raise answer
        return answer


@pytest.mark.parametrize(
    "error, role, moves_on",
    [
        (QuotaExhausted("daily task limit", provider="runway", status=429), "motion", True),
        (AuthError("bad key", provider="runway", status=401), "motion", True),
        (ConfigError("RUNWAYML_API_SECRET is not set"), "motion", True),
        (InvalidRequest("model not found", provider="runway", status=404), "motion", True),
        (PermanentError("job FAILED", provider="runway"), "motion", True),
        (ContentRejected("SAFETY.INPUT.IMAGE", provider="runway"), "motion", True),
        (ContentRejected("refused", provider="openai"), "script", False),  # same words, same refusal
        (InvalidRequest("promptText too long", provider="runway", status=400), "motion", False),  # our request
        (BudgetExceeded("budget.max_usd_per_run"), "motion", False),
        (ProviderUnavailable("503", provider="runway", status=503), "motion", False),  # the task retries it
    ],
)
def test_what_moves_a_stage_to_the_next_provider(error, role, moves_on):
    provider = Provider(runway=error, kling="clip", openai=error, anthropic="script")
    cfg = (
        MotionConfig(providers=("runway", "kling"))
        if role == "motion"
        else ScriptConfig(providers=("openai", "anthropic"))
    )
    if moves_on:
        result, origin = run_chain(role, cfg, provider, day=DAY)
        assert result == "clip" and origin.provider == "kling" and origin.skipped[0].provider == "runway"
    else:
        with pytest.raises(type(error)):
            run_chain(role, cfg, provider, day=DAY)
        assert len(provider.calls) == 1


def test_a_run_wide_failure_is_remembered_so_later_scenes_skip_the_provider():
    memory = FallbackMemory()
    cfg = MotionConfig(providers=("runway", "kling"))
    provider = Provider(runway=QuotaExhausted("daily cap", provider="runway"), kling="clip")
    run_chain("motion", cfg, provider, day=DAY, memory=memory)
    _, origin = run_chain("motion", cfg, provider, day=DAY, memory=memory)
    assert provider.calls == ["runway", "kling", "kling"]  # the second scene never asked Runway
    assert "quota used up" in origin.skipped[0].reason and "daily cap" in origin.skipped[0].reason
    # A rejection of one scene's picture is about that picture, not the provider: the next scene asks again.
    rejected = Provider(runway=ContentRejected("SAFETY", provider="runway"), kling="clip")
    fresh = FallbackMemory()
    run_chain("motion", cfg, rejected, day=DAY, memory=fresh)
    run_chain("motion", cfg, rejected, day=DAY, memory=fresh)
    assert rejected.calls == ["runway", "kling", "runway", "kling"]


def test_a_retired_model_is_skipped_before_any_call_and_the_last_error_says_what_was_tried():
    cfg = ScriptConfig(providers=("anthropic", "openai"), model="claude-sonnet-4-5")  # shut down 2026-11-30
    provider = Provider(
        anthropic="never called",
        openai=AuthError("401 from openai POST /chat/completions", provider="openai", status=401),
    )
    with pytest.raises(AuthError) as info:
        run_chain("script", cfg, provider, day=DAY)
    assert provider.calls == ["openai"]
    assert "tried before it: anthropic: model claude-sonnet-4-5 shut down on 2026-11-30" in str(info.value)
    # Before its shutdown date the same model is used.
    result, origin = run_chain("script", cfg, provider, day=date(2026, 11, 1))
    assert result == "never called" and origin.model == "claude-sonnet-4-5" and not origin.skipped


def test_chains_in_channel_files_name_each_link_and_keep_the_single_provider_form():
    motion = MotionConfig(providers=("runway", "kling", "local"), models={"kling": "kling-v3"}, model="gen4.5")
    assert [(link.provider, link.model) for link in motion.chain()] == [
        ("runway", "gen4.5"),
        ("kling", "kling-v3"),
        ("local", None),
    ]
    assert MotionConfig(provider="kling").chain() == [MotionConfig(provider="kling")]
    voice = VoiceConfig(providers=("elevenlabs", "local"), voice="Rachel", voices={"local": "en_US-joe-medium"})
    assert [(v.provider, v.voice) for v in voice.chain()] == [("elevenlabs", "Rachel"), ("local", "en_US-joe-medium")]


@pytest.mark.parametrize(
    "motion, message",
    [
        ({"provider": "sora"}, "unknown motion provider 'sora'; known: kling, local, runway"),
        ({"providers": ["runway", "runway"]}, "lists a provider twice"),
        ({"provider": "kling", "providers": ["runway", "kling"]}, "disagree: give providers alone"),
        ({"providers": ["runway"], "models": {"kling": "kling-v3"}}, "models names kling, which is not in the chain"),
    ],
)
def test_a_bad_chain_is_a_config_error_naming_the_stage(motion, message, tmp_path):
    import yaml

    from framecast.plan.load import load_channel

    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"name": "bad", "motion": motion}))
    with pytest.raises(ConfigError) as info:
        load_channel(str(path))
    assert "motion" in str(info.value) and message in str(info.value)


def test_the_cache_identity_of_a_chain_names_every_link_and_a_single_provider_is_unchanged():
    from framecast.providers import identity

    assert identity(MotionConfig(provider="runway")) == "motion:runway:gen4_turbo"
    assert identity(MotionConfig(providers=("runway", "kling"))) == "motion:runway:gen4_turbo > motion:kling:kling-v2-1"
    assert ChannelConfig(name="x", motion={"providers": ["kling", "local"]}).motion.provider == "kling"
