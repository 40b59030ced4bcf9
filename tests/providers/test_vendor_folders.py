"""A vendor is one folder: `framecast/providers/<vendor>/` with its SPEC, its client and its wire fake, registered
the way a plugin is, mounted by the sandbox from its spec, and importing nothing above the providers' layer."""

from importlib import import_module
from pathlib import Path

import grimp
import pytest

import framecast
from framecast import providers
from framecast.providers import registry
from framecast.providers.registry import ProviderSpec

PROVIDERS = Path(framecast.__file__).parent / "providers"
# Folders under framecast/providers that are not cloud vendors (the offline providers have their own shape).
NOT_VENDORS = {"local", "__pycache__"}
FORBIDDEN = (
    "framecast.script",
    "framecast.visuals",
    "framecast.voice",
    "framecast.sound",
    "framecast.edit",
    "framecast.quality",
    "framecast.publish",
    "framecast.channel",
    "framecast.plan",
    "framecast.context",
    "framecast.commands",
    "framecast.topic",
    "tasks",
    "flows",
)
# Analyzers still import the quality gate until they return findings (issue 19, the local-findings branch):
# the integrator deletes these two lines when that branch lands.
PENDING: set[tuple[str, str]] = set()  # none left: the analyzers report, the quality stage judges


def vendor_folders() -> list[str]:
    return sorted(p.name for p in PROVIDERS.iterdir() if p.is_dir() and p.name not in NOT_VENDORS)


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("framecast", "tasks", "flows")


def test_every_vendor_folder_has_its_spec_its_client_and_its_fake():
    folders = vendor_folders()
    assert folders, "no vendor folders under framecast/providers"
    for name in folders:
        folder = PROVIDERS / name
        assert (folder / "client.py").is_file(), f"{name}: no client.py"
        assert (folder / "sandbox.py").is_file(), f"{name}: no sandbox.py (the wire fake)"
        spec = import_module(f"framecast.providers.{name}").SPEC
        assert isinstance(spec, ProviderSpec) and spec.factories, f"{name}: SPEC with no factory"
        assert spec.sandbox is not None and spec.sandbox.module == f"framecast.providers.{name}.sandbox"
    # One line per folder, no stray one (the offline providers are built in too, but keep no client and no fake).
    assert sorted(p.rsplit(".", 1)[1] for p in registry.BUILTIN if p != "framecast.providers.local") == folders


def test_built_in_vendors_register_through_the_plugins_path(monkeypatch):
    """The one `register` the entry points are handed is the one that registers every built-in SPEC."""
    seen, handed = [], []

    class Point:
        name = "probe-plugin"

        def load(self):
            return handed.append

    real = registry.register
    monkeypatch.setattr(registry, "_SPECS", dict(registry._SPECS))
    monkeypatch.setattr(registry, "register", lambda spec: (seen.append(spec), real(spec)))
    monkeypatch.setattr(registry, "entry_points", lambda group: [Point()])
    registry.reload_plugins()
    assert handed == [registry.register]
    assert {spec.name for spec in seen} >= {import_module(p).SPEC.name for p in registry.BUILTIN}
    assert all(import_module(p).SPEC in seen for p in registry.BUILTIN)
    # No second mechanism: no role-by-role registration beside the specs.
    assert not hasattr(providers, "register") and not hasattr(providers, "_register_cloud")
    monkeypatch.undo()
    registry.reload_plugins()


def test_defaults_come_from_the_specs():
    for spec in registry.all_specs():
        for role, model in spec.defaults.items():
            if spec.name != "local":
                assert registry.DEFAULT_MODELS[(role, spec.name)] == model
        if spec.default_voice:
            assert registry.DEFAULT_VOICES[spec.name] == spec.default_voice


def test_the_sandbox_mounts_every_spec_that_has_routes():
    from framecast.sandbox import Sandbox

    sandbox = Sandbox(providers.sandbox_routes())
    try:
        prefixes = {path.split("/")[1] for path in sandbox.app.openapi()["paths"]}
        for spec in registry.all_specs():
            if spec.sandbox is not None:
                assert spec.sandbox.prefix.strip("/") in prefixes, f"{spec.name}'s fake is not mounted"
                assert sandbox.base_url(spec.sandbox.name).endswith(spec.sandbox.prefix)
        env = sandbox.env()
        assert {"OPENAI_API_KEY", "RUNWAYML_API_SECRET", "FRAMECAST_RUNWAY_BASE_URL"} <= set(env)
    finally:
        sandbox.stop()


def test_the_sandbox_machinery_names_no_vendor(graph):
    shared = graph.find_descendants("framecast.sandbox") | {"framecast.sandbox"}
    upward = sorted(
        (m, i)
        for m in shared
        for i in graph.find_modules_directly_imported_by(m)
        if i == "framecast.providers" or i.startswith("framecast.providers.")
    )
    assert upward == []


def test_nothing_under_providers_imports_a_stage_the_channel_the_plan_or_orchestration(graph):
    """Function-local imports included (grimp counts them)."""
    modules = graph.find_descendants("framecast.providers") | {"framecast.providers"}
    found = sorted(
        (m, i)
        for m in modules
        for i in graph.find_modules_directly_imported_by(m)
        if any(i == f or i.startswith(f + ".") for f in FORBIDDEN)
    )
    assert [edge for edge in found if edge not in PENDING] == []


def test_core_settings_name_no_vendor():
    from framecast.settings import Settings

    vendors = [spec.name for spec in registry.all_specs() if spec.name != "local"] + ["videointelligence"]
    fields = [f for f in Settings.model_fields if any(f.startswith(v + "_") for v in vendors)]
    assert fields == []
    lines = (Path(framecast.__file__).parent / "settings.py").read_text().splitlines()
    source = "\n".join(line.partition("#")[0] for line in lines)  # an example in a comment names no vendor
    assert not any(f'"{name}"' in source for name in vendors)


def test_billing_and_probes_come_from_the_specs():
    source = (Path(framecast.__file__).parent / "plan" / "probes.py").read_text()
    source += (PROVIDERS / "__init__.py").read_text()
    assert not any(
        f'== "{name}"' in source for name in ("kling", "runway", "openai", "anthropic", "elevenlabs", "youtube")
    )
    assert providers.clip_seconds("kling", 6.2) == registry.spec("kling").billed_seconds(6.2, "kling-v2-1") == 10
    assert providers.clip_seconds("runway", 6.2) == 7 and providers.clip_seconds("local", 6.2) == 7
