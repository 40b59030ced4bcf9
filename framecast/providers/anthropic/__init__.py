"""Anthropic: scripts and topic ideas on the Messages API."""

from __future__ import annotations

from datetime import date

from pydantic import AliasChoices, Field, SecretStr

from framecast.providers import connect
from framecast.providers.registry import ModelSpec, ProviderSpec, SandboxMount
from framecast.settings import RateLimitConfig, VendorSettings


class AnthropicSettings(VendorSettings):
    """ANTHROPIC_API_KEY (or FRAMECAST_ANTHROPIC_API_KEY) and FRAMECAST_ANTHROPIC_BASE_URL."""

    SECRETS = ("anthropic_api_key",)
    URLS = ("anthropic_base_url",)
    anthropic_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("ANTHROPIC_API_KEY", "FRAMECAST_ANTHROPIC_API_KEY")
    )
    anthropic_base_url: str = "https://api.anthropic.com"


def settings(core=None) -> AnthropicSettings:
    """Anthropic's settings, read with the core settings `core` (default: the current ones)."""
    return connect.vendor_settings(AnthropicSettings, core)


def script(cfg, **_):
    """The script writer."""
    from framecast.providers.anthropic.client import AnthropicScriptWriter, anthropic_error

    mine = settings()
    client = connect.http(
        "anthropic",
        mine.anthropic_base_url,
        {"x-api-key": mine.require("anthropic_api_key", "anthropic")},
        anthropic_error,
    )
    return AnthropicScriptWriter(client, cfg.model or SPEC.defaults["script"])


def probe(core):
    """GET /v1/models?limit=1: free and authenticated."""
    from framecast.providers.anthropic.client import API_VERSION

    mine = settings(core)
    key = mine.anthropic_api_key.get_secret_value() if mine.anthropic_api_key else ""
    return connect.probe_run(
        "anthropic",
        "GET /v1/models",
        lambda: connect.probe_get(
            mine.anthropic_base_url,
            "/v1/models",
            {"x-api-key": key, "anthropic-version": API_VERSION},
            connect.probe_timeout(core),
            params={"limit": 1},
        ),
        connect.secrets(core),
    )[0]


SPEC = ProviderSpec(
    settings=AnthropicSettings,
    name="anthropic",
    roles=("script",),
    keys=("ANTHROPIC_API_KEY",),
    defaults={"script": "claude-sonnet-5-5"},
    ratings={"script": (4, 25.0)},
    # Blended, Sonnet 5.5 (the default): $2/$10 per 1M at a script call's ~800 in / 1,500 out = $7.2 per 1M.
    prices={"script": (0.0072 / 1000, "token"), "topics": (0.0072 / 1000, "token")},
    # Prices blended at a script call's ~800 input / 1,500 output tokens: (800 in + 1,500 out) / 2,300.
    models=(
        # platform.claude.com/docs/en/models/sonnet-5-5 (whats-new, migration guide), 2026-11: $2/$10 per 1M,
        # thinking adaptive and on by default; `thinking: disabled` is a 400 whose message points at
        # `between_tools`, "the lowest thinking setting" (allowed at effort low/medium/high), sent with effort low.
        ModelSpec(
            "claude-sonnet-5-5",
            ("script", "topics"),
            price=0.0072 / 1000,
            thinking="between-tools",
            source="platform.claude.com models overview (2026-11); anthropic SDK 2.17.0 between_tools",
        ),
        # platform.claude.com haiku-5-5 overview (2026-10-07): $0.10/$0.50 per 1M → $0.36 per 1M blended. Whether it
        # takes `disabled` is secondary (docs.apiyi.com) and `between_tools` unconfirmed: no `thinking`, effort low.
        ModelSpec(
            "claude-haiku-5-5",
            ("script", "topics"),
            price=0.00036 / 1000,
            thinking="low-effort",
            source="platform.claude.com haiku-5-5 overview (2026-10); anthropic SDK 2.17.0 types/model.py",
            note="cheapest current tier; script quality not yet checked against Sonnet 5.5",
        ),
        # anthropic SDK 2.17.0 types/model.py; $4/$20 per 1M (models overview) → $14.4 per 1M blended. Thinking is
        # always on (`disabled` is a 400); `between_tools` unconfirmed for it: no `thinking`, effort low.
        ModelSpec(
            "claude-opus-5-5",
            ("script", "topics"),
            price=0.0144 / 1000,
            thinking="low-effort",
            source="platform.claude.com models overview (2026-11); anthropic SDK 2.17.0 types/model.py",
            note="dearest current tier",
        ),
        ModelSpec(
            "claude-sonnet-4-6",
            ("script", "topics"),
            price=0.0108 / 1000,
            thinking="disabled",
            note="legacy, still available, no retirement date announced; dearer ($3/$15 per 1M)",
        ),
        ModelSpec(
            "claude-sonnet-4-5",
            ("script",),
            date(2026, 11, 30),
            "Anthropic model deprecations page",
            successor="claude-sonnet-4-6",
        ),
    ),
    factories={"script": script},
    probe=probe,
    rate_limit=RateLimitConfig(requests_per_minute=50, concurrency=4),
    sandbox=SandboxMount(
        "anthropic",
        "framecast.providers.anthropic.sandbox",
        lambda url, key: {"FRAMECAST_ANTHROPIC_BASE_URL": url, "ANTHROPIC_API_KEY": key},
    ),
)
