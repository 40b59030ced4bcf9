"""Anthropic: scripts and topic ideas on the Messages API."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

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


def lifecycle(result, model: str, info: dict) -> None:
    """Record a ModelInfo's `lifecycle` and `retires_at` (RFC 3339, or null) on the probe's result."""
    result.lifecycle[model] = str(info.get("lifecycle") or "")
    retires = info.get("retires_at")
    if isinstance(retires, str):
        try:
            result.shutdowns[model] = date.fromisoformat(retires[:10])
        except ValueError:
            pass


def probe(core, models: tuple[str, ...] = ()):
    """GET /v1/models/{model} for each model named (free and authenticated: the key, and each model's lifecycle);
    GET /v1/models?limit=1 when none is."""
    from framecast.providers.anthropic.client import API_VERSION

    mine = settings(core)
    key = mine.anthropic_api_key.get_secret_value() if mine.anthropic_api_key else ""
    headers = {"x-api-key": key, "anthropic-version": API_VERSION}
    if not models:
        return connect.probe_run(
            "anthropic",
            "GET /v1/models",
            lambda: connect.probe_get(
                mine.anthropic_base_url, "/v1/models", headers, connect.probe_timeout(core), params={"limit": 1}
            ),
            connect.secrets(core),
        )[0]
    found = None
    for model in dict.fromkeys(models):
        path = "/v1/models/" + quote(model, safe="")
        answered: list = []

        def call(path=path):
            answered.append(connect.probe_get(mine.anthropic_base_url, path, headers, connect.probe_timeout(core)))
            return answered[-1]

        result, response = connect.probe_run("anthropic", "GET /v1/models/{model}", call, connect.secrets(core))
        if answered and answered[-1].status_code == 404:  # the key is fine; the model is not Anthropic's (any more)
            result.unknown, result.lifecycle[model] = "", "not found"
        if found is None:
            found = result
        else:
            found.lifecycle.update(result.lifecycle)
        if found is not result and result.unknown:
            found.unknown = "; ".join(filter(None, (found.unknown, result.unknown)))
        if result.refused:  # the key is refused: asking about the other models would say the same
            return result
        if response is not None:
            try:
                lifecycle(found, model, response.json())
            except ValueError:
                found.unknown = "; ".join(filter(None, (found.unknown, f"{model}: the answer is not JSON")))
    return found


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
        # Lifecycle only: deprecated 2026-11-23, retires 2027-01-22 (the SDK's DEPRECATED_MODELS; GET /v1/models/{id}
        # reports the same as `lifecycle: deprecated` and `retires_at`).
        *(
            ModelSpec(
                model,
                ("script", "topics"),
                date(2027, 1, 22),
                "Anthropic model deprecations; anthropic 2.17.0 _data/deprecated_models.py (checked 2026-12-07)",
                successor="claude-opus-5-5",
                deprecated=date(2026, 11, 23),
            )
            for model in ("claude-opus-4-5", "claude-opus-4-5-20251101")
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
