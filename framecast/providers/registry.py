"""What framecast knows about each vendor: roles, keys, default models, and each model's shutdown date.

One `ProviderSpec` per vendor, kept in the vendor's folder (`framecast/providers/<vendor>/__init__.py`: `SPEC`).
The built-in vendors are the packages named in `BUILTIN`, loaded the same way as the `framecast.providers` entry
points of third-party vendors: one registration path. The model table records what the provider announced, with its
source, so that pre-flight (`framecast.plan.preflight`) can refuse a retired model before anything is
spent and warn while one nears its date. Third-party providers add theirs through the
`framecast.providers` entry point group: each entry point is a callable that receives `register`.
Sources: the providers' deprecation pages as summarised in the project's API notes, 2026-12-01.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib import import_module
from importlib.metadata import entry_points
from typing import Any

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "framecast.providers"
# The built-in vendors: each package's `SPEC` is registered exactly as a plugin's entry point registers its own.
BUILTIN = tuple(
    f"framecast.providers.{name}"
    for name in (
        "local",
        "openai",
        "anthropic",
        "runway",
        "kling",
        "elevenlabs",
        "stability",
        "google",
        "gemini",
        "youtube",
    )
)


@dataclass(frozen=True)
class ModelSpec:
    """One model: the roles it serves and, when announced, the day it stops working."""

    id: str
    roles: tuple[str, ...]
    shutdown: date | None = None
    source: str = ""
    successor: str | None = None
    note: str = ""
    deprecated: date | None = None  # when the vendor announced the shutdown (closed to new users), where known
    # What the model accepts, where it differs by model (empty: not restricted, or not known).
    durations: tuple[int, ...] = ()
    ratios: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    # USD per unit of the role's unit when this model costs other than its vendor's list price.
    price: float | None = None
    max_chars: int | None = None  # the most text one request takes (speech)
    # How an LLM is kept from spending its token cap on thinking: "disabled" (`thinking: disabled`),
    # "between-tools" (`thinking: between_tools`, the lowest setting where `disabled` is a 400, e.g. Sonnet 5.5, sent
    # with output_config.effort low) or "low-effort" (no `thinking` sent, output_config.effort low: adaptive thinking
    # kept short, for models that take neither).
    thinking: str = ""


@dataclass(frozen=True)
class ProviderSpec:
    """One vendor: the roles it plays, the environment keys it needs, its default and known models."""

    name: str
    roles: tuple[str, ...]
    keys: tuple[str, ...] = ()
    defaults: dict[str, str] = field(default_factory=dict)
    models: tuple[ModelSpec, ...] = ()
    # role → USD per unit and the unit it bills (list prices; a channel's budget.prices overrides them).
    prices: dict[str, tuple[float, str]] = field(default_factory=dict)
    # role → factory(stage config) → the provider object, built-in and plugin alike (a built-in's may also take
    # services as keywords, e.g. YouTube's store=; a plugin's may take the stage config alone).
    factories: dict[str, Callable[..., Any]] = field(default_factory=dict)
    # role → (quality 1-5, typical seconds per call): framecast's own ratings, for the planner
    # (framecast/plan/planner.py).
    ratings: dict[str, tuple[int, float]] = field(default_factory=dict)
    # The voice a channel gets when it names none.
    default_voice: str | None = None
    # Seconds of video the vendor bills for a clip: billed_seconds(duration, model) (None: the clip's own length,
    # rounded up, at most 10).
    billed_seconds: Callable[[float, str], int] | None = None
    # Is the key accepted? probe(settings) → framecast.providers.connect.ProbeResult (None: no free call to ask).
    probe: Callable[[Any], Any] | None = None
    # The vendor's wire fake, mounted by framecast.sandbox.server (see SandboxMount).
    sandbox: SandboxMount | None = None
    # The vendor's own settings: a framecast.settings.VendorSettings class (keys, base URL, knobs), read from the
    # same environment and .env by framecast.providers.connect.vendor_settings.
    settings: type | None = None
    # The account limits of its lowest paid tier (framecast.settings.RateLimitConfig); FRAMECAST_RATE_LIMITS overrides.
    rate_limit: Any = None
    # role → the shutdown that ends the role for every model of it, listed or not (OpenAI speech, 2027-01-06).
    role_shutdowns: dict[str, ModelSpec] = field(default_factory=dict)

    def model(self, model_id: str) -> ModelSpec | None:
        return next((m for m in self.models if m.id == model_id), None)

    def lifecycle(self, model_id: str, role: str) -> ModelSpec | None:
        """The model's entry, else the shutdown of its whole role (None: nothing known)."""
        return self.model(model_id) or self.role_shutdowns.get(role)


@dataclass(frozen=True)
class SandboxMount:
    """Where a vendor's wire fake sits in the sandbox: the `router(state, url)` of `module` under `prefix`, and
    `env(base_url, key)`, the settings that point the vendor's client at it."""

    name: str  # the provider name the fake counts calls and takes faults under
    module: str  # e.g. framecast.providers.openai.sandbox (imported when a sandbox starts: FastAPI only then)
    env: Callable[[str, str], dict[str, str]]

    @property
    def prefix(self) -> str:
        return "/" + self.name

    def router(self, state: Any, url: str) -> Any:
        """The fake's FastAPI router, answering as the vendor would."""
        return import_module(self.module).router(state, url)


_SPECS: dict[str, ProviderSpec] = {}


def register(spec: ProviderSpec) -> None:
    """Add or replace a vendor's entry (a plugin's registration goes through here)."""
    _SPECS[spec.name] = spec


def spec(name: str) -> ProviderSpec | None:
    """The entry for `name`, plugins included."""
    _load_plugins()
    return _SPECS.get(name)


def all_specs() -> list[ProviderSpec]:
    _load_plugins()
    return list(_SPECS.values())


def model(provider: str, model_id: str) -> ModelSpec | None:
    """What the registry knows of one model of one provider (None: nothing)."""
    found = spec(provider)
    return found.model(model_id) if found else None


def default_model(role: str, provider: str) -> str | None:
    """The model used when a channel names none; None when the provider has no safe default."""
    found = spec(provider)
    return found.defaults.get(role) if found else None


_loaded: list[bool] = []


def _load_plugins(group: str = ENTRY_POINT_GROUP) -> None:
    if _loaded:
        return
    _loaded.append(True)
    for package in BUILTIN:  # the built-in vendors, through the same `register` a plugin is handed
        register(import_module(package).SPEC)
    for point in entry_points(group=group):
        try:
            point.load()(register)
        except Exception as exc:  # a broken plugin must not take the built-in providers down with it
            log.warning("provider plugin %s could not register: %s", point.name, exc)


def reload_plugins() -> None:
    """Read the entry points again (after installing a plugin in the same process, and in tests)."""
    _loaded.clear()
    _load_plugins()


def __getattr__(name: str):
    """DEFAULT_MODELS and DEFAULT_VOICES, read from the specs on first use (loading the vendors is not an import's
    side effect)."""
    if name == "DEFAULT_MODELS":
        # Defaults per (role, provider) come from the provider registry, where each model's shutdown date is kept;
        # every one is overridable per channel because providers retire models.
        value = {
            (role, spec.name): model
            for spec in all_specs()
            if spec.name != "local"
            for role, model in spec.defaults.items()
        }
    elif name == "DEFAULT_VOICES":
        value = {spec.name: spec.default_voice for spec in all_specs() if spec.default_voice}
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
