"""One translation of HTTP statuses and transport failures into framecast.core.errors, per provider reply.

Quota exhaustion is permanent (not retried for hours); a rate limit, a timeout or an outage is
retryable; every message is redacted and located (endpoint, time waited, attempts).
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Callable
from datetime import UTC, datetime

import httpx

from framecast.core import scrub
from framecast.core.errors import (
    AuthError,
    ContentRejected,
    InvalidRequest,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
    QuotaExhausted,
    RateLimited,
)

QUOTA_HINTS = re.compile(r"insufficient_quota|quota_exceeded|daily|billing|credits", re.I)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = now or datetime.now(UTC)
    return max((when - now).total_seconds(), 0.0)


_GO_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")


def retry_after_from(headers) -> str | None:
    """A Retry-After value from the standard header or a provider's own variant, as seconds text.

    Order: `retry-after-ms` (OpenAI, Anthropic), `retry-after` (seconds or HTTP-date), then
    OpenAI's `x-ratelimit-reset-requests` / `-tokens` durations such as "6m0s" or "20ms".
    """
    if headers.get("retry-after-ms"):
        try:
            return str(float(headers["retry-after-ms"]) / 1000)
        except ValueError:
            pass
    if headers.get("retry-after"):
        return headers["retry-after"]
    for name in ("x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"):
        value = headers.get(name)
        if value:
            units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
            seconds = sum(float(n) * units[u] for n, u in _GO_DURATION.findall(value))
            if seconds:
                return str(seconds)
    return None


def redact(text: str, secrets: list[str]) -> str:
    """`text` with every secret, in every escaped or encoded form, replaced by *** (see framecast.core.scrub)."""
    return scrub.redact(text, secrets)


ErrorReader = Callable[[httpx.Response], tuple[str, str]]


def default_error_reader(response: httpx.Response) -> tuple[str, str]:
    """(message, code) from the common JSON error shapes; the body text otherwise."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase, ""
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, dict):
        return str(err.get("message", "")), str(err.get("code") or err.get("type") or "")
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, dict):
        return str(detail.get("message", "")), str(detail.get("status", ""))
    if isinstance(body, dict) and isinstance(body.get("errors"), list):  # Stability: {id, name, errors: [...]}
        return "; ".join(map(str, body["errors"]))[:300] or str(body.get("name", "")), str(body.get("name", ""))
    if isinstance(body, dict):
        return str(body.get("message") or body.get("error") or body)[:300], str(body.get("code", ""))
    return str(body)[:300], ""


def classify(
    provider: str,
    status: int,
    message: str,
    code: str = "",
    retry_after: str | None = None,
    secrets: list[str] | None = None,
) -> ProviderError:
    """The framecast error for an HTTP error status: the one place statuses get their meaning."""
    text = redact(f"{provider} {status}: {message}" + (f" ({code})" if code else ""), secrets or [])
    wait = parse_retry_after(retry_after)
    if status in (401, 403):
        return AuthError(text, provider=provider, status=status)
    if status == 429:
        if QUOTA_HINTS.search(f"{message} {code}") or (wait or 0) > 3600:
            return QuotaExhausted(text, provider=provider, status=status)
        return RateLimited(text, retry_after=wait, provider=provider, status=status)
    if status == 408 or status >= 500:
        return ProviderUnavailable(text, provider=provider, status=status)
    if re.search(r"safety|moderation|content[_ ]?polic|filtered", f"{message} {code}", re.I):
        return ContentRejected(text, provider=provider, status=status)
    return InvalidRequest(text, provider=provider, status=status)


def translate_response(
    provider: str,
    response: httpx.Response,
    reader: ErrorReader = default_error_reader,
    secrets: list[str] | None = None,
) -> ProviderError:
    """`classify` for an httpx response."""
    message, code = reader(response)
    message = scrub.redact_cut(message, secrets or [])  # readers cut bodies at 300 characters, maybe mid-key
    return classify(provider, response.status_code, message, code, retry_after_from(response.headers), secrets)


def translate_transport(provider: str, exc: httpx.TransportError, secrets: list[str] | None = None) -> ProviderError:
    text = redact(f"{provider}: {type(exc).__name__}: {exc}", secrets or [])
    if isinstance(exc, httpx.TimeoutException):
        return ProviderTimeout(text, provider=provider)
    return ProviderUnavailable(text, provider=provider)


def redacted_cause(exc: httpx.TransportError, secrets: list[str] | None) -> httpx.TransportError | None:
    """A stand-in for `exc` to chain from: same type (callers ask "was it sent?"), redacted text, no traceback.

    h11 quotes an illegal header value (the key) in its message, and a traceback prints every cause.
    """
    try:
        return type(exc)(redact(str(exc), secrets or []))
    except Exception:  # an exception type with another constructor: chain nothing
        return None


def located(error: ProviderError) -> ProviderError:
    """The error's message with where it happened and what was spent: "… — POST /v1/x, waited 12 s (4 attempts)"."""
    if error.endpoint and not getattr(error, "_located", False) and error.args:
        waited = f", waited {error.waited:.0f} s" if error.waited >= 1 else ""
        tried = f" ({error.attempts} attempt{'s' if error.attempts != 1 else ''})" if error.attempts else ""
        error.args = (f"{error.args[0]} — {error.endpoint}{waited}{tried}", *error.args[1:])
        error._located = True
    return error
