"""The one place Google client errors become `framecast.core.errors` (the httpx twin is framecast/transport/http.py).

Google's Python clients raise their own trees: `google.api_core.exceptions` (every REST/gRPC
client, including google-cloud-storage and Video Intelligence), plus whatever the transport
underneath lets through — requests/urllib3 connection errors, `google.auth` transport and refresh
errors, and google-cloud-storage's own `InvalidResponse`/`DataCorruption` from its media uploads.
`translate` sorts them the way `framecast.transport.errors.classify` sorts HTTP statuses:

- retryable: 429/TooManyRequests/ResourceExhausted (RateLimited, with Retry-After when sent),
  408, 500/InternalServerError, 502, 503/ServiceUnavailable (ProviderUnavailable),
  504/GatewayTimeout/DeadlineExceeded and timeouts (ProviderTimeout), connection resets, a
  checksum mismatch on a transfer, 403 rateLimitExceeded / userRateLimitExceeded;
- permanent: 401/403/Forbidden/PermissionDenied and refused credentials (AuthError), daily quotas
  (QuotaExhausted), 400/BadRequest, 404/NotFound, 409, 412/PreconditionFailed and everything else
  (InvalidRequest).

With `storage=True` the classes are the Storage* ones (framecast.core.errors): the same retryable /
permanent halves, and StorageErrors too. Messages name the stage, the provider, the endpoint and,
through `call`, the attempts spent: "storage: gcs objects.insert gs://b/k: 503 ServiceUnavailable:
… (4 attempts)".

`call` runs one client call under `framecast.transport.retry.with_retries` — the one retry policy, so pass
`retry=None` to the client method itself or attempts multiply.
"""

from __future__ import annotations

import http.client
import re
import time
from collections.abc import Callable
from typing import TypeVar

import requests
import urllib3.exceptions
from google.api_core import exceptions as gexc
from google.auth import exceptions as auth_exc

from framecast.core.errors import (
    AuthError,
    InvalidRequest,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
    QuotaExhausted,
    RateLimited,
    StorageDenied,
    StorageRateLimited,
    StorageRefused,
    StorageTimeout,
    StorageUnavailable,
)
from framecast.transport.errors import parse_retry_after, redact
from framecast.transport.retry import RetryPolicy, with_retries

try:  # google-cloud-storage ≥ 3 carries its own copy of google-resumable-media
    from google.cloud.storage.exceptions import DataCorruption, InvalidResponse
except ImportError:  # pragma: no cover - older google-cloud-storage
    from google.resumable_media import DataCorruption, InvalidResponse

T = TypeVar("T")

# What a Google client call can raise that is not a bug in our code.
GOOGLE_ERRORS: tuple[type[BaseException], ...] = (
    gexc.GoogleAPIError,
    auth_exc.GoogleAuthError,
    InvalidResponse,
    DataCorruption,
    requests.RequestException,
    urllib3.exceptions.HTTPError,
    http.client.HTTPException,
    ConnectionError,
    TimeoutError,
)
_TIMEOUTS = (requests.Timeout, urllib3.exceptions.TimeoutError, TimeoutError, gexc.DeadlineExceeded)
_RATE_REASONS = re.compile(r"rateLimitExceeded|userRateLimitExceeded|RATE_LIMIT_EXCEEDED")
_QUOTA_REASONS = re.compile(r"quotaExceeded|dailyLimitExceeded|per day|daily", re.I)
STORAGE_CLASSES: dict[type[ProviderError], type[ProviderError]] = {
    RateLimited: StorageRateLimited,
    ProviderTimeout: StorageTimeout,
    ProviderUnavailable: StorageUnavailable,
    AuthError: StorageDenied,
    QuotaExhausted: StorageRefused,
    InvalidRequest: StorageRefused,
}


def _status(exc: BaseException) -> int | None:
    """The HTTP status behind `exc`, when there is one."""
    code = getattr(exc, "code", None)
    if isinstance(exc, gexc.GoogleAPICallError) and isinstance(code, int):
        return code
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    return status if isinstance(status, int) else None


def _reasons(exc: BaseException) -> str:
    """Google's machine-readable reasons (errors[].reason, ErrorInfo.reason), comma-separated."""
    found = [str(e.get("reason", "")) for e in getattr(exc, "errors", None) or [] if isinstance(e, dict)]
    if getattr(exc, "reason", None):
        found.append(str(getattr(exc, "reason")))
    return ",".join(r for r in found if r)


def _message(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())[:300]


def _retry_after(exc: BaseException) -> float | None:
    headers = getattr(getattr(exc, "response", None), "headers", None)
    return parse_retry_after(headers.get("retry-after")) if headers is not None else None


def _kind(exc: BaseException, status: int | None, text: str, forbidden: type[ProviderError]) -> type[ProviderError]:
    if isinstance(exc, gexc.RetryError):  # a client-side retry gave up: judge what it gave up on
        cause = exc.cause
        return _kind(cause, _status(cause), text, forbidden) if cause is not None else ProviderUnavailable
    if isinstance(exc, _TIMEOUTS):
        return ProviderTimeout
    if isinstance(exc, auth_exc.TransportError):  # the token endpoint was unreachable
        return ProviderUnavailable
    if isinstance(exc, auth_exc.GoogleAuthError):  # refused or unusable credentials
        return AuthError
    if status is None:
        if isinstance(exc, gexc.GoogleAPIError):
            return InvalidRequest  # an API error without a status: nothing says a retry helps
        return ProviderUnavailable  # no answer at all: a dropped connection, a reset, a corrupt transfer
    if status == 429:
        return QuotaExhausted if _QUOTA_REASONS.search(text) else RateLimited
    if status == 504:
        return ProviderTimeout
    if status == 408 or status >= 500:
        return ProviderUnavailable
    if status == 403 and _RATE_REASONS.search(text):
        return RateLimited
    if status == 403 and _QUOTA_REASONS.search(text):
        return QuotaExhausted
    if status == 403:
        return forbidden
    if status == 401:
        return AuthError
    return InvalidRequest


def translate(
    exc: BaseException,
    *,
    provider: str,
    endpoint: str,
    stage: str,
    storage: bool = False,
    forbidden: type[ProviderError] = AuthError,
    secrets: list[str] | None = None,
) -> ProviderError:
    """The framecast error for a Google client error raised by `endpoint` of `provider` during `stage`.

    `forbidden` is the class for a plain 403 (AuthError; a caller whose 403 means something else says so).
    """
    status, reasons, message = _status(exc), _reasons(exc), _message(exc)
    kind = _kind(exc, status, f"{message} {reasons}", forbidden)
    if storage:
        kind = STORAGE_CLASSES.get(kind, StorageRefused)
    head = " ".join(str(p) for p in (status, type(exc).__name__) if p)
    text = f"{stage}: {provider} {endpoint}: {head}: {message}" + (f" ({reasons})" if reasons else "")
    text = redact(text, secrets or [])
    if issubclass(kind, RateLimited):
        return kind(text, retry_after=_retry_after(exc), provider=provider, status=status)
    return kind(text, provider=provider, status=status)


def call(
    fn: Callable[[], T],
    *,
    provider: str,
    endpoint: str,
    stage: str,
    storage: bool = False,
    retry: RetryPolicy = RetryPolicy(),
    sleep: Callable[[float], None] = time.sleep,
    forbidden: type[ProviderError] = AuthError,
) -> T:
    """`fn()` with its Google errors translated and the transient ones retried (framecast.transport.retry.with_retries).

    The error that ends the call says how many attempts it spent.
    """
    spent = 0

    def attempt() -> T:
        nonlocal spent
        spent += 1
        try:
            return fn()
        except GOOGLE_ERRORS as exc:
            raise translate(
                exc, provider=provider, endpoint=endpoint, stage=stage, storage=storage, forbidden=forbidden
            ) from exc

    try:
        return with_retries(attempt, retry, sleep)
    except ProviderError as error:
        error.args = (f"{error.args[0] if error.args else error} ({spent} attempt{'s' if spent != 1 else ''})",)
        error.attempts = spent
        raise
