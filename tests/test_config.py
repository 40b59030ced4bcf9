import pytest

from framecast.config import Settings, load_channel
from framecast.errors import ConfigError
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
