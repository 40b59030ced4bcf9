"""Gemini video understanding: the cloud eye of the quality gate (successor of Cloud Video Intelligence)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr

from framecast.providers import connect
from framecast.providers.registry import ModelSpec, ProviderSpec, SandboxMount
from framecast.settings import RateLimitConfig, VendorSettings, get_settings

# The model Google's own video-understanding guide uses (ai.google.dev/gemini-api/docs/generate-content/
# video-understanding, Python example `model="gemini-3.8-flash"`, read 2026-12-07; the API-currency review of
# 2026-12 names the same). No shutdown date is announced for it.
DEFAULT_MODEL = "gemini-3.8-flash"
# Video is billed as input tokens: 1 frame per second at 258 tokens plus 32 tokens per second of audio
# (Google's Gemini video page: "sampled at 1 fps, each frame 258 tokens; audio 32 tokens per second"), so
# ~300 tokens per second of video at the default media resolution. Used for the estimate only: a call is
# billed by the usage_metadata Google returns.
VIDEO_TOKENS_PER_SECOND = 300
# ai.google.dev/gemini-api/docs/pricing, Gemini 3.8 Flash, paid tier: input (text/image/video) $0.75 per 1M
# tokens "through December 31, 2026", output (thinking included) $3.75 per 1M (as transcribed 2026-09/10 by
# api-evangelist/gemini plans-pricing.yml and listed by Vercel's AI gateway). The ledger bills one unit: an
# input-token equivalent, so an output token counts OUTPUT_WEIGHT units.
INPUT_USD_PER_TOKEN = 0.75 / 1_000_000
OUTPUT_WEIGHT = 3.75 / 0.75
PROMPT_TOKENS, ANSWER_TOKENS = 1_500, 2_500  # the question with a dozen scenes; the JSON answer (thinking included)


def estimate_tokens(seconds: float) -> float:
    """Input-token equivalents of one analysis of a `seconds`-long video (an estimate: the bill is Google's count)."""
    return round(seconds * VIDEO_TOKENS_PER_SECOND + PROMPT_TOKENS + OUTPUT_WEIGHT * ANSWER_TOKENS)


class GeminiSettings(VendorSettings):
    """GEMINI_API_KEY (or GOOGLE_API_KEY, which the google-genai SDK also reads, or FRAMECAST_GEMINI_API_KEY) and
    FRAMECAST_GEMINI_BASE_URL (a local stand-in: the sandbox)."""

    SECRETS = ("gemini_api_key",)
    URLS = ("gemini_base_url",)
    gemini_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("GEMINI_API_KEY", "GOOGLE_API_KEY", "FRAMECAST_GEMINI_API_KEY")
    )
    gemini_base_url: str = "https://generativelanguage.googleapis.com"
    # Seconds between files.get polls while Google processes an upload (PROCESSING → ACTIVE).
    gemini_poll_seconds: float = Field(2.0, gt=0)


def settings(core=None) -> GeminiSettings:
    """Gemini's settings, read with the core settings `core` (default: the current ones)."""
    return connect.vendor_settings(GeminiSettings, core)


def analyzer(cfg, **_):
    """The video analyzer; `cfg` is the model to use (None: the registry's default)."""
    from google import genai
    from google.genai import types

    from framecast.providers.gemini.client import GeminiVideoAnalyzer

    mine = settings()
    timeout = get_settings().http_timeout_seconds
    client = genai.Client(
        api_key=mine.require("gemini_api_key", "the gemini quality analyzer"),
        http_options=types.HttpOptions(
            base_url=mine.gemini_base_url,
            api_version="v1beta",
            timeout=int(timeout * 1000),  # milliseconds
            # The SDK's own retries off: framecast.transport.retry is the one policy.
            retry_options=types.HttpRetryOptions(attempts=1),
        ),
    )
    return GeminiVideoAnalyzer(
        client,
        cfg or DEFAULT_MODEL,
        secrets=connect.secrets(get_settings()),
        poll_seconds=mine.gemini_poll_seconds,
        limiter=connect.shared_limiter("gemini"),
        timeout=timeout,
    )


def probe(core):
    """GET /v1beta/models/{default model}: free and authenticated; it also says whether the model is there."""
    mine = settings(core)
    key = mine.gemini_api_key.get_secret_value() if mine.gemini_api_key else ""
    path = f"/v1beta/models/{DEFAULT_MODEL}"
    result, _ = connect.probe_run(
        "gemini",
        f"GET {path}",
        lambda: connect.probe_get(mine.gemini_base_url, path, {"x-goog-api-key": key}, connect.probe_timeout(core)),
        connect.secrets(core),
    )
    return result


SPEC = ProviderSpec(
    settings=GeminiSettings,
    name="gemini",
    roles=("quality",),
    keys=("GEMINI_API_KEY",),
    defaults={"quality": DEFAULT_MODEL},
    prices={"quality": (INPUT_USD_PER_TOKEN, "token")},
    models=(ModelSpec(DEFAULT_MODEL, ("quality",), source="ai.google.dev/gemini-api/docs (2026-12-07)"),),
    factories={"analyzer": analyzer},
    probe=probe,
    # A gate makes four calls per video (upload, files.get, generateContent, delete); the paid tier's Flash
    # limits are far above this (ai.google.dev/gemini-api/docs/rate-limits).
    rate_limit=RateLimitConfig(requests_per_minute=1000, concurrency=4),
    sandbox=SandboxMount(
        "gemini",
        "framecast.providers.gemini.sandbox",
        lambda url, key: {
            "FRAMECAST_GEMINI_BASE_URL": url,
            "GEMINI_API_KEY": key,
            "FRAMECAST_GEMINI_POLL_SECONDS": "0.05",
        },
    ),
)
