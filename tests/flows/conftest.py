"""Fixtures for flow tests against the provider sandbox."""

import pytest
import yaml

from framecast.plan.cloud import with_cloud_providers
from framecast.plan.load import load_channel
from framecast.settings import reset_settings


@pytest.fixture
def cloud(sandbox, tiny_channel, tmp_path, monkeypatch):
    for key, value in sandbox.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("FRAMECAST_DATA_DIR", str(tmp_path / "out"))
    reset_settings()

    def channel(**overrides) -> str:
        data = with_cloud_providers(load_channel(str(tiny_channel))).model_dump(mode="json")
        data.update(overrides)
        path = tmp_path / f"cloud-{len(list(tmp_path.glob('cloud-*')))}.yaml"
        path.write_text(yaml.safe_dump(data))
        return str(path)

    yield channel
    reset_settings()
