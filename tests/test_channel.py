import pytest

from framecast.core.errors import ConfigError
from framecast.plan.load import load_channel
from framecast.settings import Settings
from tests.conftest import write_channel


def test_demo_channels_load_and_are_1080p_landscape_and_portrait():
    demo = load_channel("demo")
    vertical = load_channel("demo-vertical")
    assert (demo.format.width, demo.format.height) == (1920, 1080)
    assert (vertical.format.width, vertical.format.height) == (1080, 1920)


def test_unknown_channel_lists_the_known_ones(tmp_path):
    write_channel(tmp_path)
    with pytest.raises(ConfigError) as info:
        load_channel("nope", Settings(channels_dir=tmp_path))
    assert "unknown channel 'nope'" in str(info.value)
    assert "Known channels: tiny" in str(info.value)


def test_misspelled_field_is_named(tmp_path):
    path = write_channel(tmp_path, format={"widht": 640})
    with pytest.raises(ConfigError) as info:
        load_channel(str(path))
    assert "format.widht: unknown field" in str(info.value)


def test_odd_frame_size_says_how_to_fix_it(tmp_path):
    path = write_channel(tmp_path, format={"width": 321})
    with pytest.raises(ConfigError, match=r"format.width: .*must be even.*use 322"):
        load_channel(str(path))


def test_music_file_source_needs_a_path(tmp_path):
    path = write_channel(tmp_path, music={"source": "file"})
    with pytest.raises(ConfigError, match="music: .*set music.path"):
        load_channel(str(path))


def test_broken_yaml_is_reported_with_the_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed\n")
    with pytest.raises(ConfigError, match="broken.yaml is not valid YAML"):
        load_channel(str(path))


def test_rate_limits_default_to_published_limits_and_can_be_raised(monkeypatch):
    from framecast.providers import registry
    from framecast.providers.connect import rate_limit

    assert rate_limit("runway", Settings()) == registry.spec("runway").rate_limit
    monkeypatch.setenv("FRAMECAST_RATE_LIMITS", '{"runway": {"requests_per_minute": 30, "concurrency": 5}}')
    raised = rate_limit("runway", Settings())
    assert (raised.requests_per_minute, raised.concurrency) == (30, 5)
    assert rate_limit("openai", Settings()) == registry.spec("openai").rate_limit


def test_api_key_missing_names_the_variable(monkeypatch):
    from framecast.providers.connect import secrets
    from framecast.providers.runway import RunwaySettings

    monkeypatch.delenv("RUNWAYML_API_SECRET", raising=False)
    with pytest.raises(ConfigError, match="RUNWAYML_API_SECRET is not set"):
        RunwaySettings().require("runway_api_key", "runway")
    monkeypatch.setenv("RUNWAYML_API_SECRET", "key_abc123456")
    assert RunwaySettings().require("runway_api_key", "runway") == "key_abc123456"
    assert "key_abc123456" in secrets(Settings())


def test_channel_title_with_a_bidi_override_and_a_file_not_in_utf8_are_config_errors(tmp_path):
    bidi = tmp_path / "bidi.yaml"
    bidi.write_text('title: "Facts \\u202eevil"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"title: Value error, contains a bidi-override character U\+202E"):
        load_channel(str(bidi))
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("title: Café\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"channel file .*latin1.yaml: not UTF-8 text \(byte 11\); save it as UTF-8"):
        load_channel(str(latin1))
