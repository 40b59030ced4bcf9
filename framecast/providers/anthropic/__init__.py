"""Anthropic: scripts and topic ideas on the Messages API."""

from __future__ import annotations

from datetime import date

from framecast.providers import connect
from framecast.providers.registry import ModelSpec, ProviderSpec, SandboxMount
from framecast.settings import RateLimitConfig, get_settings


def script(cfg, **_):
    """The script writer."""
    from framecast.providers.anthropic.client import AnthropicScriptWriter, anthropic_error

    settings = get_settings()
    client = connect.http("anthropic", settings.anthropic_base_url, {"x-api-key": settings.api_key("anthropic")},
                          anthropic_error)
    return AnthropicScriptWriter(client, cfg.model or SPEC.defaults["script"])


def probe(settings):
    """GET /v1/models?limit=1: free and authenticated."""
    from framecast.providers import secrets
    from framecast.providers.anthropic.client import API_VERSION

    key = settings.anthropic_api_key.get_secret_value() if settings.anthropic_api_key else ""
    return connect.probe_run("anthropic", "GET /v1/models", lambda: connect.probe_get(
        settings.anthropic_base_url, "/v1/models", {"x-api-key": key, "anthropic-version": API_VERSION},
        connect.probe_timeout(settings), params={"limit": 1}), secrets(settings))[0]


SPEC = ProviderSpec(
    name="anthropic", roles=("script",), keys=("ANTHROPIC_API_KEY",), defaults={"script": "claude-sonnet-5-5"},
    ratings={"script": (4, 25.0)},
    # blended, Sonnet 4.6
    prices={"script": (0.009 / 1000, "token"), "topics": (0.009 / 1000, "token")},
    models=(
        # platform.claude.com/docs/en/models/sonnet-5-5 (whats-new, migration guide), 2026-11: $2/$10 per 1M,
        # thinking adaptive and on by default; `thinking: disabled` is a 400, so effort low keeps it short.
        ModelSpec("claude-sonnet-5-5", ("script", "topics"), price=0.0072 / 1000, thinking="low-effort",
                  source="platform.claude.com models overview (2026-11)"),
        ModelSpec("claude-sonnet-4-6", ("script", "topics"), price=0.0108 / 1000, thinking="disabled",
                  note="legacy, still available, no retirement date announced; dearer ($3/$15 per 1M)"),
        ModelSpec("claude-sonnet-4-5", ("script",), date(2026, 11, 30), "Anthropic model deprecations page",
                  successor="claude-sonnet-4-6"),
    ),
    factories={"script": script},
    probe=probe,
    rate_limit=RateLimitConfig(requests_per_minute=50, concurrency=4),
    sandbox=SandboxMount("anthropic", "framecast.providers.anthropic.sandbox", lambda url, key: {
        "FRAMECAST_ANTHROPIC_BASE_URL": url, "ANTHROPIC_API_KEY": key}),
)
