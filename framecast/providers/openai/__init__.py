"""OpenAI: scripts, images, speech (with whisper-1 word timing) and embeddings."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import AliasChoices, Field, SecretStr

from framecast.core.errors import ConfigError
from framecast.providers import connect
from framecast.providers.openai import lifecycle
from framecast.providers.registry import ModelSpec, ProviderSpec, SandboxMount
from framecast.settings import RateLimitConfig, VendorSettings, get_settings

OPENAI_DEPRECATIONS = "OpenAI deprecations page (notice 2026-10-01)"


class OpenAISettings(VendorSettings):
    """OPENAI_API_KEY (or FRAMECAST_OPENAI_API_KEY) and FRAMECAST_OPENAI_BASE_URL."""

    SECRETS = ("openai_api_key",)
    URLS = ("openai_base_url",)
    openai_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("OPENAI_API_KEY", "FRAMECAST_OPENAI_API_KEY")
    )
    openai_base_url: str = "https://api.openai.com/v1"


def settings(core=None) -> OpenAISettings:
    """OpenAI's settings, read with the core settings `core` (default: the current ones)."""
    return connect.vendor_settings(OpenAISettings, core)


def _client():
    import openai  # the SDK only when a channel uses OpenAI

    mine = settings()
    return openai.OpenAI(
        api_key=mine.require("openai_api_key", "openai"),
        base_url=mine.openai_base_url,
        max_retries=0,
        timeout=get_settings().http_timeout_seconds,
    )


def _secrets() -> list[str]:
    return connect.secrets(get_settings())


def script(cfg, **_):
    """The script writer (and topic chooser) on the chat API."""
    from framecast.providers.openai.client import OpenAIScriptWriter

    return OpenAIScriptWriter(
        _client(), cfg.model or SPEC.defaults["script"], _secrets(), limiter=connect.shared_limiter("openai")
    )


# USD per token of GPT image 2.x by kind: $5 per 1M text input, $8 image input, $30 image output (OpenAI pricing
# 2026-09-09 as quoted by apidog's gpt-image-2.5 API guide: secondary). An image is billed from its response's
# `usage` with these; a model not named here (or a response without usage) at the flat per-image list price.
IMAGE_TOKEN_PRICES = {"gpt-image-2": {"text_input": 5e-6, "image_input": 8e-6, "output": 30e-6}}


def image(cfg, **_):
    """The image generator, at the channel's image.quality (sent explicitly: `auto` lets the server pick the cost)."""
    from framecast.providers.openai.client import OpenAIImageGenerator

    return OpenAIImageGenerator(
        _client(),
        cfg.model or SPEC.defaults["image"],
        _secrets(),
        limiter=connect.shared_limiter("openai"),
        quality=getattr(cfg, "quality", "medium"),
    )


def voice(cfg, **_):
    """Speech, timed by the offline aligner or whisper-1 (a second paid call)."""
    from framecast.providers.openai.client import OpenAITextToSpeech

    if not cfg.model:  # no default: every OpenAI speech model shuts down 2027-01-06 (the models below)
        raise ConfigError(
            "voice.model: OpenAI speech has no default model (tts-1, tts-1-hd and gpt-4o-mini-tts "
            "shut down on 2027-01-06); name one until then, or use voice.provider: elevenlabs "
            "or local"
        )
    timing = cfg.timing_source()
    return OpenAITextToSpeech(
        _client(),
        cfg.model,
        cfg.voice or SPEC.default_voice,
        _secrets(),
        transcribe_model=None if timing == "local" else timing,
        limiter=connect.shared_limiter("openai"),
    )


def embeddings(cfg, **_):
    """Text embeddings (topic de-duplication)."""
    from framecast.providers.openai.client import OpenAIEmbeddings

    return OpenAIEmbeddings(
        _client(), SPEC.defaults["embeddings"], _secrets(), limiter=connect.shared_limiter("openai")
    )


def shutdowns(body: dict) -> dict[str, date]:
    """Shutdown dates OpenAI reports per model: `shutdown_date` (YYYY-MM-DD or null, the spec's and SDK's field);
    the older `shutdown_at`/`deprecation.shutdown_at` (seconds or ISO) are read only where it is absent."""
    found = {}
    for item in body.get("data") or []:
        value = (
            item.get("shutdown_date") or item.get("shutdown_at") or (item.get("deprecation") or {}).get("shutdown_at")
        )
        if isinstance(value, bool):
            continue
        if isinstance(value, (int, float)):
            found[item["id"]] = datetime.fromtimestamp(value, UTC).date()
        elif isinstance(value, str):
            try:
                found[item["id"]] = date.fromisoformat(value[:10])
            except ValueError:
                continue
    return found


def probe(core):
    """GET /models: free, authenticated, and it may carry a model's shutdown date."""

    mine = settings(core)
    key = mine.openai_api_key.get_secret_value() if mine.openai_api_key else ""
    result, response = connect.probe_run(
        "openai",
        "GET /models",
        lambda: connect.probe_get(
            mine.openai_base_url, "/models", {"Authorization": f"Bearer {key}"}, connect.probe_timeout(core)
        ),
        connect.secrets(core),
    )
    if response is not None:
        result.shutdowns = shutdowns(response.json())
    return result


SPEC = ProviderSpec(
    settings=OpenAISettings,
    name="openai",
    roles=("script", "image", "voice", "timing", "embeddings"),
    keys=("OPENAI_API_KEY",),
    ratings={"script": (4, 20.0), "image": (4, 15.0), "voice": (3, 2.0)},
    prices={
        "script": (0.01 / 1000, "token"),  # blended in/out tokens (gpt-5.5 list: $5/$30 per 1M)
        "topics": (0.01 / 1000, "token"),
        # gpt-image-2, ~1536x864, medium: the estimate, and the bill when a response reports no usage (by gpt-image-1's
        # token table a medium 1536x864 image is about 1,340 output tokens ≈ $0.04; low ≈ $0.01, high ≈ $0.16).
        "image": (0.04, "image"),
        "embeddings": (0.02 / 1_000_000, "token"),
        "voice": (0.015 / 1000, "character"),
        "timing": (0.006, "minute"),
    },
    defaults={"script": "gpt-6.2-sol", "image": "gpt-image-2", "embeddings": "text-embedding-3-small"},
    default_voice="alloy",
    models=(
        # developers.openai.com/api/docs/models, 2026-11: "go-to model for everyday work", $2/$10 per 1M;
        # blended here for a script call (~800 tokens in, ~1,500 out): $7.2 per 1M.
        ModelSpec(
            "gpt-6.2-sol",
            ("script", "topics"),
            price=0.0072 / 1000,
            source="developers.openai.com/api/docs/models (2026-11)",
        ),
        # openai SDK 3.63.0 types/shared/chat_model.py; $8/$40 per 1M (docs.laozhang.ai, litellm discussion #52347:
        # secondary) → $28.9 per 1M blended, so an astra channel is not budgeted at the vendor's $10 per 1M.
        ModelSpec(
            "gpt-6.2-astra",
            ("script", "topics"),
            price=0.0289 / 1000,
            source="openai SDK 3.63.0 chat_model.py; price secondary (docs.laozhang.ai, 2026-11)",
            note="dearer sibling of gpt-6.2-sol",
        ),
        ModelSpec(
            "gpt-5.5",
            ("script", "topics"),
            price=0.0213 / 1000,
            note="superseded by GPT-6.2; dearer ($5/$30 per 1M in/out); no shutdown date announced",
        ),
        ModelSpec("gpt-image-2", ("image",), note="billed by usage tokens (IMAGE_TOKEN_PRICES), quality sent"),
        # Every speech model on /audio/speech shuts down together; the successor is Realtime-only.
        *(
            ModelSpec(m, ("voice",), lifecycle.SPEECH_ENDS, lifecycle.SPEECH, note=lifecycle.SPEECH_NOTE)
            for m in ("gpt-4o-mini-tts", "tts-1", "tts-1-hd")
        ),
        ModelSpec(
            "whisper-1",
            ("timing",),
            date(2027, 2, 26),
            lifecycle.WHISPER,
            note="its successor gpt-transcribe has no word timestamps",
        ),
        ModelSpec("gpt-4o-transcribe", ("timing",), date(2027, 2, 26), OPENAI_DEPRECATIONS),
        ModelSpec("gpt-4o-mini-transcribe", ("timing",), date(2027, 2, 26), OPENAI_DEPRECATIONS),
        ModelSpec("text-embedding-3-small", ("embeddings",)),
        *lifecycle.RETIRING,  # models a channel may still name, with their shutdown dates
    ),
    role_shutdowns={"voice": lifecycle.SPEECH_ROLE},
    factories={"script": script, "image": image, "voice": voice, "embeddings": embeddings},
    probe=probe,
    rate_limit=RateLimitConfig(requests_per_minute=500, concurrency=8),
    sandbox=SandboxMount(
        "openai",
        "framecast.providers.openai.sandbox",
        lambda url, key: {"FRAMECAST_OPENAI_BASE_URL": url + "/v1", "OPENAI_API_KEY": key},
    ),
)
