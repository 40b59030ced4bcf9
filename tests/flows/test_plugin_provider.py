"""A third-party vendor installed as a package with an entry point: chosen in a channel file, checked by
pre-flight, redacted, priced and run, with no edit to framecast (the registry is the only meeting point)."""

import textwrap
from datetime import date

import pytest
import yaml

from framecast.providers import registry

pytestmark = pytest.mark.usefixtures("prefect_server")

PLUGIN = textwrap.dedent('''
    """acme-video: a vendor plugin as a third party would write it."""
    from framecast.media import ffmpeg
    from framecast.media.motion import MOVES, animate_command
    from framecast.providers.registry import ModelSpec, ProviderSpec


    class AcmeVideo:
        name = "acmevid"

        def __init__(self, model, key):
            self.model, self.key = model, key

        def animate(self, image, *, prompt, duration, width, height, fps, seed, out, job=None):
            out.parent.mkdir(parents=True, exist_ok=True)
            ffmpeg.run(animate_command(image, out, MOVES["push-in"], width=width, height=height, fps=fps,
                                       duration=duration), what="acme clip")
            return out


    def make(cfg):
        from framecast.settings import get_settings
        from framecast.core.errors import ConfigError

        key = get_settings().env_value("ACMEVID_API_KEY")
        if not key:
            raise ConfigError("ACMEVID_API_KEY is not set")
        return AcmeVideo(cfg.model or "acme-2", key)


    def register_vendor(register):
        register(ProviderSpec(name="acmevid", roles=("motion",), keys=("ACMEVID_API_KEY",),
                              defaults={"motion": "acme-2"}, prices={"motion": (0.5, "second")},
                              models=(ModelSpec("acme-2", ("motion",)),), factories={"motion": make}))
''')


@pytest.fixture
def installed_plugin(tmp_path, monkeypatch):
    """The plugin as pip would leave it: a module and a dist-info with an entry_points.txt."""
    site = tmp_path / "site"
    (site / "acme_video-1.0.dist-info").mkdir(parents=True)
    (site / "acme_video.py").write_text(PLUGIN)
    (site / "acme_video-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: acme-video\nVersion: 1.0\n"
    )
    (site / "acme_video-1.0.dist-info" / "entry_points.txt").write_text(
        "[framecast.providers]\nacmevid = acme_video:register_vendor\n"
    )
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setattr(registry, "_SPECS", dict(registry._SPECS))  # the built-ins again after the test
    registry.reload_plugins()
    yield
    monkeypatch.undo()
    registry.reload_plugins()


def test_a_vendor_installed_with_an_entry_point_runs_a_channel_without_touching_framecast(
    installed_plugin, tiny_channel, tmp_path, monkeypatch
):
    from flows.produce_video import produce_video
    from framecast.cost import pricing
    from framecast.plan import preflight
    from framecast.plan.load import load_channel
    from framecast.providers.connect import secrets
    from framecast.settings import get_settings, reset_settings
    from tests.conftest import ledger_entries

    monkeypatch.setenv("FRAMECAST_DATA_DIR", str(tmp_path / "out"))
    monkeypatch.delenv("ACMEVID_API_KEY", raising=False)
    reset_settings()
    data = yaml.safe_load(tiny_channel.read_text())
    data["motion"] = {"providers": ["acmevid", "local"]}
    channel = tmp_path / "acme.yaml"
    channel.write_text(yaml.safe_dump(data))
    cfg = load_channel(str(channel))  # the channel file may name it: the registry knows it
    assert cfg.motion.provider == "acmevid"

    found = preflight.check(cfg, get_settings(), date(2026, 12, 2))
    assert [f.field for f in found] == ["motion.provider"] and "acmevid needs ACMEVID_API_KEY" in found[0].message
    assert not found[0].problem  # the chain can still use local

    monkeypatch.setenv("ACMEVID_API_KEY", "acme-secret-1234")
    reset_settings()
    assert preflight.check(cfg, get_settings(), date(2026, 12, 2)) == []
    assert "acme-secret-1234" in secrets(get_settings())  # masked in every log handler like the built-in keys
    assert pricing.cost("acmevid", "motion", 4) == 2.0

    publication = produce_video(channel=str(channel), topic="How kites fly")
    assert publication.published
    motion = [e for e in ledger_entries(tmp_path / "out") if e["role"] == "motion"]
    assert motion and {e["provider"] for e in motion} == {"acmevid"}
    assert all(e["usd"] == pytest.approx(0.5 * e["units"]) for e in motion)
    reset_settings()
