import pytest
from prefect.states import Completed, Failed

from framecast.core.errors import AuthError, MediaError, ProviderTimeout, RateLimited, ScriptError
from tasks.policies import STAGE_VERSIONS, is_transient, versioned


@pytest.mark.parametrize(
    "exc, retry",
    [
        (RateLimited("slow down", retry_after=3), True),
        (ProviderTimeout("no answer"), True),
        (AuthError("bad key"), False),
        (ScriptError("scenes[0].duration"), False),
        (MediaError("ffmpeg exited with 1"), False),
    ],
)
def test_only_transient_errors_are_retried(exc, retry):
    assert is_transient(None, None, Failed(data=exc)) is retry


def test_completed_state_is_not_retried():
    assert is_transient(None, None, Completed(data=1)) is False


def test_stage_version_and_store_are_part_of_the_key(monkeypatch, tmp_path):
    from prefect.cache_policies import CacheKeyFnPolicy

    from framecast.settings import reset_settings

    policy = next(p for p in versioned("image").policies if isinstance(p, CacheKeyFnPolicy))
    monkeypatch.setenv("FRAMECAST_DATA_DIR", str(tmp_path / "a"))
    reset_settings()
    key_a = policy.compute_key(None, {}, {})
    monkeypatch.setenv("FRAMECAST_DATA_DIR", str(tmp_path / "b"))
    reset_settings()
    key_b = policy.compute_key(None, {}, {})
    reset_settings()
    assert key_a != key_b and f"image-{STAGE_VERSIONS['image']}" in key_a


def test_a_sandbox_endpoint_never_shares_a_key_with_the_real_provider(monkeypatch, tmp_path):
    from prefect.cache_policies import CacheKeyFnPolicy

    from framecast.settings import reset_settings

    policy = next(p for p in versioned("image").policies if isinstance(p, CacheKeyFnPolicy))
    monkeypatch.setenv("FRAMECAST_DATA_DIR", str(tmp_path))
    reset_settings()
    real = policy.compute_key(None, {}, {})
    monkeypatch.setenv("FRAMECAST_OPENAI_BASE_URL", "http://127.0.0.1:8765/openai/v1")
    reset_settings()
    sandbox = policy.compute_key(None, {}, {})
    monkeypatch.setenv("OPENAI_API_KEY", "sk-another-key-0123456789")  # a secret: never part of the key
    reset_settings()
    assert policy.compute_key(None, {}, {}) == sandbox != real
    assert "sk-another" not in sandbox
    reset_settings()


def test_a_long_retry_after_is_waited_out_before_the_task_retries(monkeypatch):
    import tasks.policies as policies

    slept = []
    monkeypatch.setattr(policies.time, "sleep", slept.append)
    assert is_transient(None, None, Failed(data=RateLimited("daily burst", retry_after=120))) is True
    assert slept == [120]


def test_errors_whose_in_call_retries_are_spent_are_not_retried_again():
    from framecast.transport.retry import RetryPolicy, with_retries

    calls = []

    def always_busy():
        calls.append(1)
        raise ProviderTimeout("busy")

    with pytest.raises(ProviderTimeout) as info:
        with_retries(always_busy, RetryPolicy(attempts=3, base_delay=0.0), sleep=lambda s: None)
    assert len(calls) == 3
    assert is_transient(None, None, Failed(data=info.value)) is False


def _key(stage: str, inputs: dict) -> str:
    from prefect.cache_policies import CacheKeyFnPolicy

    policy = next(p for p in versioned(stage).policies if isinstance(p, CacheKeyFnPolicy))
    return policy.compute_key(None, inputs, {})


def test_the_resolved_provider_is_part_of_the_key_not_how_the_channel_spelled_it(monkeypatch):
    from framecast.providers.local import tts as local_tts
    from framecast.providers.registry import DEFAULT_MODELS
    from framecast.visuals.config import ImageConfig
    from framecast.voice.config import VoiceConfig

    default = _key("image", {"cfg": ImageConfig(provider="openai")})
    assert default == _key("image", {"cfg": ImageConfig(provider="openai", model=DEFAULT_MODELS[("image", "openai")])})
    assert default != _key("image", {"cfg": ImageConfig(provider="openai", model="gpt-image-1")})
    monkeypatch.setattr(local_tts, "piper_available", lambda: True)
    with_piper = _key("voice", {"voice": VoiceConfig(engine="auto")})
    monkeypatch.setattr(local_tts, "piper_available", lambda: False)
    without = _key("voice", {"voice": VoiceConfig(engine="auto")})
    assert with_piper != without and without == _key("voice", {"voice": VoiceConfig(engine="flite")})


def test_a_stage_whose_source_changed_has_a_reviewed_version():
    """Fails when a module a stage's output comes from changed and tests/stage_sources.json was not updated.

    If the change alters the output for the same inputs, bump STAGE_VERSIONS[stage] in tasks/policies.py
    (cached results are then made again); either way record it: `python -m tasks.policies > tests/stage_sources.json`.
    """
    import json
    from pathlib import Path

    from tasks.policies import source_fingerprint

    recorded = json.loads((Path(__file__).parents[1] / "stage_sources.json").read_text())
    now = {stage: {"version": STAGE_VERSIONS[stage], "sources": source_fingerprint(stage)} for stage in STAGE_VERSIONS}
    changed = sorted(stage for stage in now if now[stage] != recorded.get(stage))
    assert not changed, (
        f"stage source or version changed without review: {', '.join(changed)}; bump the stage's "
        "version if its output changes, then `python -m tasks.policies > tests/stage_sources.json`"
    )


def test_an_offline_makers_revision_is_in_its_identity_and_never_in_a_cloud_vendors():
    """Changing the local camera moves re-makes local clips only: a cached paid Runway clip keeps its key."""
    from framecast import providers
    from framecast.visuals.config import MotionConfig

    local, runway = (
        providers.identity(MotionConfig(provider="local")),
        providers.identity(MotionConfig(provider="runway")),
    )
    assert local.endswith(f":rev{providers.LOCAL_REVISIONS['motion']}")
    assert "rev" not in runway.split(":")[-1]


def test_services_never_enter_a_key_but_their_store_does(tmp_path):
    """A task's Services (settings, store) are excluded from its inputs like the Meter; the store they name, which
    a cached reference is only valid in, is the key's, as the process's store was."""
    import pickle

    from prefect.cache_policies import CacheKeyFnPolicy, Inputs

    from framecast.context import Services, endpoints_id, store_id
    from framecast.settings import Settings

    policies = versioned("assembly").policies
    assert {"meter", "services"} <= set(next(p for p in policies if isinstance(p, Inputs)).exclude)
    keyed = next(p for p in policies if isinstance(p, CacheKeyFnPolicy))
    a, b = (Services(Settings(data_dir=tmp_path / name)) for name in "ab")
    assert keyed.compute_key(None, {"services": a}, {}) != keyed.compute_key(None, {"services": b}, {})
    process = Services(Settings())
    assert keyed.compute_key(None, {"services": process}, {}) == keyed.compute_key(None, {}, {})
    assert (process.store_id(), process.endpoints_id()) == (store_id(), endpoints_id())
    assert pickle.loads(pickle.dumps(a)).store_id() == a.store_id()  # only settings inside: no store, no client


def test_the_render_and_gate_specs_hold_exactly_what_the_tuples_held():
    """The named specs replace the positional tuples the flow splatted: the same fields, so keys stay as narrow."""
    from framecast.channel import ChannelConfig

    cfg = ChannelConfig(name="c")
    render, gate = cfg.render_spec(), cfg.gate_spec()
    assert (render.format, render.music_gain_db, render.burn_in, render.loudness_lufs) == (
        cfg.format,
        cfg.music.gain_db,
        cfg.captions.burn_in,
        cfg.quality.loudness_lufs,
    )
    assert set(type(render).model_fields) == {"format", "music_gain_db", "burn_in", "loudness_lufs"}
    assert (gate.quality, gate.format, gate.language) == (cfg.quality, cfg.format, cfg.language)
    assert set(type(gate).model_fields) == {"quality", "format", "language"}
