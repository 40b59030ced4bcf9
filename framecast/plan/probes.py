"""Is each key accepted? The cheapest authenticated call a provider offers, made by pre-flight.

Each probe is free at the provider: OpenAI and Anthropic `GET /v1/models` (OpenAI's answer may also
carry a model's shutdown date, which pre-flight reads), ElevenLabs `GET /v2/voices?page_size=1`, and
YouTube's OAuth token refresh (a revoked refresh token answers `invalid_grant`). Runway, Kling and
Stability offer no call that is both free and authenticated in the specs framecast follows, so their
keys are checked as set, not as accepted. Errors go through the one status→error mapping
(`framecast.transport.errors.translate_response`), so a refused key is an `AuthError` whatever the vendor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Callable

import httpx

from framecast.core.errors import AuthError
from framecast.transport.errors import redact, translate_response, translate_transport
from framecast.providers.anthropic import API_VERSION as ANTHROPIC_VERSION


@dataclass
class ProbeResult:
    """What one probe learnt: whether the key was refused (`refused`), or could not be checked (`unknown`)."""

    provider: str
    endpoint: str
    refused: str = ""
    unknown: str = ""
    shutdowns: dict[str, date] = field(default_factory=dict)  # model id → the date the provider reports


def _get(provider: str, base: str, path: str, headers: dict, timeout: float, **kw) -> httpx.Response:
    with httpx.Client(headers=headers, timeout=timeout) as client:
        return client.request(kw.pop("method", "GET"), base.rstrip("/") + path, **kw)


def _run(provider: str, endpoint: str, call: Callable[[], httpx.Response], secrets: list[str]) -> tuple[ProbeResult, httpx.Response | None]:
    result = ProbeResult(provider, endpoint)
    try:
        response = call()
    except httpx.TransportError as exc:
        result.unknown = str(translate_transport(provider, exc, secrets))
        return result, None
    except (httpx.InvalidURL, UnicodeError) as exc:  # a header or URL httpx cannot send: a warning, not a trace
        result.unknown = redact(f"{provider}: {type(exc).__name__}: {exc}", secrets)
        return result, None
    if response.is_success:
        return result, response
    error = translate_response(provider, response, secrets=secrets)
    if isinstance(error, AuthError) or "invalid_grant" in response.text:  # a revoked refresh token: 400
        result.refused = str(error)
    else:
        result.unknown = str(error)
    return result, None


def _openai_shutdowns(body: dict) -> dict[str, date]:
    """Shutdown dates OpenAI reports on a model (`shutdown_at`/`deprecation.shutdown_at`, seconds or ISO)."""
    found = {}
    for item in body.get("data") or []:
        value = item.get("shutdown_at") or (item.get("deprecation") or {}).get("shutdown_at")
        if isinstance(value, (int, float)):
            found[item["id"]] = datetime.fromtimestamp(value, timezone.utc).date()
        elif isinstance(value, str):
            try:
                found[item["id"]] = date.fromisoformat(value[:10])
            except ValueError:
                continue
    return found


def probe(provider: str, settings) -> ProbeResult | None:
    """Ask `provider` whether its key is accepted; None when it offers no free authenticated call."""
    secrets, timeout = settings.secrets(), min(settings.http_timeout_seconds, 15.0)
    if provider == "openai":
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
        result, response = _run(provider, "GET /models", lambda: _get(
            provider, settings.openai_base_url, "/models", {"Authorization": f"Bearer {key}"}, timeout), secrets)
        if response is not None:
            result.shutdowns = _openai_shutdowns(response.json())
        return result
    if provider == "anthropic":
        key = settings.anthropic_api_key.get_secret_value() if settings.anthropic_api_key else ""
        return _run(provider, "GET /v1/models", lambda: _get(
            provider, settings.anthropic_base_url, "/v1/models",
            {"x-api-key": key, "anthropic-version": ANTHROPIC_VERSION}, timeout, params={"limit": 1}), secrets)[0]
    if provider == "elevenlabs":
        key = settings.elevenlabs_api_key.get_secret_value() if settings.elevenlabs_api_key else ""
        return _run(provider, "GET /v2/voices", lambda: _get(
            provider, settings.elevenlabs_base_url, "/v2/voices", {"xi-api-key": key}, timeout,
            params={"page_size": 1}), secrets)[0]
    if provider == "youtube":
        data = {"grant_type": "refresh_token", "client_id": settings.youtube_client_id or "",
                "client_secret": settings.api_key("youtube_client"), "refresh_token": settings.api_key("youtube_refresh")}
        return _run(provider, "POST oauth2 token", lambda: _get(
            provider, settings.google_token_url, "", {}, timeout, method="POST", data=data), secrets)[0]
    return None
