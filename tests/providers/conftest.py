"""Fixtures the Kling tests share: a store for job records and a small still to animate."""

import pytest

from framecast.storage.local import LocalArtifactStore


@pytest.fixture
def store(tmp_path):
    return LocalArtifactStore(tmp_path / "store")


@pytest.fixture
def still(tmp_path):
    from framecast.providers.local.image import LocalImageGenerator

    return LocalImageGenerator().generate("Waves: at night", width=320, height=180, seed=2, out=tmp_path / "s.png")
