"""The HTTP layer every provider client shares (httpx clients directly, SDK calls via `with_retries`).

One place translates responses and transport failures into `framecast.core.errors`; one place decides
retries. The rule that keeps attempts from multiplying: this layer retries short blips inside
the call (bounded attempts, exponential backoff with jitter and a cap, never sooner than
Retry-After) and marks the error `attempts_exhausted` when it gives up, which the Prefect task
retry respects (it does not start the same four attempts again). The task retries only what
this layer handed over on purpose: a Retry-After longer than `max_wait` (slept once by the task,
see tasks/policies.py) and failures of a remote job (a Runway/Kling task that failed INTERNAL is
submitted afresh). Quota exhaustion is permanent: it is not retried for hours.
"""

from __future__ import annotations

import email.utils
import random
import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, TypeVar
from urllib.parse import urlparse

import httpx

from framecast.transport import downloads
from framecast.core import envcheck
from framecast.core import scrub
from framecast.core.errors import (
    AuthError, ContentRejected, InvalidRequest, ProviderError, ProviderTimeout, ProviderUnavailable, QuotaExhausted, RateLimited, RetryableError,
)

T = TypeVar("T")

QUOTA_HINTS = re.compile(r"insufficient_quota|quota_exceeded|daily|billing|credits", re.I)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 20.0
    jitter: float = 0.5
    max_wait: float = 60.0  # longer Retry-After: hand over to the task-level retry
    # A rate-limited call keeps trying (beyond `attempts`) until it has waited this long: a provider's
    # window is often a minute, and four fast attempts would give up after ~10 s.
    rate_limit_budget: float = 120.0


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
    now = now or datetime.now(timezone.utc)
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


def classify(provider: str, status: int, message: str, code: str = "", retry_after: str | None = None,
             secrets: list[str] | None = None) -> ProviderError:
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


def translate_response(provider: str, response: httpx.Response, reader: ErrorReader = default_error_reader,
                       secrets: list[str] | None = None) -> ProviderError:
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


class RateLimiter:
    """Requests per minute (token bucket) and concurrent requests, shared by every call in a process."""

    def __init__(self, rpm: float, concurrency: int):
        self.interval = 60.0 / rpm if rpm > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max(concurrency, 1))

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._slots:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next)
                self._next = start + self.interval
            if start > now:
                time.sleep(start - now)
            yield

    def pause(self, seconds: float) -> None:
        """The provider said "not before `seconds`" (a 429's Retry-After): every call of this process waits,
        not only the one that was told, so parallel scene calls do not hammer a limited account."""
        with self._lock:
            self._next = max(self._next, time.monotonic() + seconds)


@dataclass(frozen=True)
class Download:
    path: Path
    sha256: str
    size: int
    content_type: str


MAX_REPLY_BYTES = 128 * 1024 * 1024  # any API reply (a TTS reply with timestamps carries its audio as base64)


class ProviderHTTP:
    """A provider's httpx client with error translation, retries, rate limiting and safe downloads."""

    def __init__(self, provider: str, client: httpx.Client, *, secrets: list[str] | None = None,
                 retry: RetryPolicy = RetryPolicy(), limiter: RateLimiter | None = None,
                 reader: ErrorReader = default_error_reader, sleep: Callable[[float], None] = time.sleep,
                 media_hosts: tuple[str, ...] | None = None, resolve: downloads.Resolver = downloads.system_resolve,
                 media_transport: httpx.BaseTransport | None = None):
        """`media_hosts` (the operator's list) replaces a download's own; `resolve` and `media_transport` are
        the media connections' resolver and transport (the guarded one by default)."""
        self.provider, self.client, self._secrets = provider, client, [s for s in (secrets or []) if s]
        self.retry, self.limiter, self.reader, self.sleep = retry, limiter, reader, sleep
        self.media_hosts, self.resolve, self._media_transport = media_hosts, resolve, media_transport
        self._media_client: httpx.Client | None = None
        self._media_lock = threading.Lock()

    @property
    def secrets(self) -> list[str]:
        """The client's keys plus every secret this process knows now (tokens obtained at run time included)."""
        from framecast.transport import redaction

        return self._secrets + redaction.current()

    def request(self, method: str, url: str, *, allow: tuple[int, ...] = (), max_bytes: int = MAX_REPLY_BYTES,
                **kwargs) -> httpx.Response:
        """Send with retries for transient failures; return a 2xx (or `allow`ed) response or raise.

        The body is streamed and refused past `max_bytes` (an error reply is read to 64 KiB for its message).
        """

        endpoint = f"{method} {urlparse(url).path or url}"

        def attempt() -> httpx.Response:
            try:
                with self.client.stream(method, url, **kwargs) as response:
                    if not response.is_success and response.status_code not in allow:
                        body = downloads.read_limited(response, downloads.MAX_ERROR_BODY, what="an error reply",
                                                      provider=self.provider, truncate=True)
                        error = translate_response(self.provider, downloads.buffered(response, body), self.reader,
                                                   self.secrets)
                        error.endpoint = endpoint
                        raise error
                    body = downloads.read_limited(response, max_bytes, what=f"the reply to {endpoint}",
                                                  provider=self.provider)
                    return downloads.buffered(response, body)
            except httpx.TransportError as exc:
                error = translate_transport(self.provider, exc, self.secrets)
                error.endpoint = endpoint
                raise error from redacted_cause(exc, self.secrets)

        try:
            return with_retries(attempt, self.retry, self.sleep, limiter=self.limiter)
        except ProviderError as error:
            raise located(error)

    def json(self, method: str, url: str, **kwargs) -> dict:
        """`request` and decode a JSON object, with a clear error when the body is not one (or over the size limit)."""
        response = self.request(method, url, **kwargs)
        try:
            body = response.json()
        except ValueError as exc:
            raise ProviderUnavailable(f"{self.provider}: malformed JSON in the response to {method} "
                                      f"{urlparse(url).path}", provider=self.provider) from exc
        if not isinstance(body, dict):
            raise ProviderUnavailable(f"{self.provider}: expected a JSON object from {urlparse(url).path}",
                                      provider=self.provider)
        return body

    def media_client(self) -> httpx.Client:
        """The client media is fetched with: no redirects followed, connections only to vetted addresses."""
        with self._media_lock:
            if self._media_client is None:
                transport = self._media_transport or downloads.GuardedTransport(self.media_policy(()), self.resolve)
                self._media_client = httpx.Client(transport=transport, follow_redirects=False, trust_env=False,
                                                  timeout=self.client.timeout)
            return self._media_client

    def media_policy(self, allowed_hosts: tuple[str, ...]) -> downloads.MediaPolicy:
        """Where this provider's media may come from: loopback only if its API is on loopback (the sandbox)."""
        hosts = self.media_hosts if self.media_hosts is not None else allowed_hosts
        return downloads.MediaPolicy(self.provider, envcheck.loopback(self.client.base_url.host),
                                     tuple(hosts))

    def download(self, url: str, dest: Path, *, allowed_hosts: tuple[str, ...], max_bytes: int,
                 content_types: tuple[str, ...]) -> Download:
        """Stream generated media to `dest`, every redirect hop and address checked (framecast.transport.downloads)."""
        policy = self.media_policy(allowed_hosts)
        first = policy.check_url(url)  # refused before anything is sent
        # The media is paid for by now: a blip or a cut-off body is retried here, never by buying a new job.
        return with_retries(lambda: downloads.fetch(self, policy, first, dest, max_bytes=max_bytes,
                                                    content_types=content_types), self.retry, self.sleep)


def located(error: ProviderError) -> ProviderError:
    """The error's message with where it happened and what was spent: "… — POST /v1/x, waited 12 s (4 attempts)"."""
    if error.endpoint and not getattr(error, "_located", False) and error.args:
        waited = f", waited {error.waited:.0f} s" if error.waited >= 1 else ""
        tried = f" ({error.attempts} attempt{'s' if error.attempts != 1 else ''})" if error.attempts else ""
        error.args = (f"{error.args[0]} — {error.endpoint}{waited}{tried}", *error.args[1:])
        error._located = True
    return error


@contextmanager
def _null() -> Iterator[None]:
    yield


def with_retries(attempt: Callable[[], T], policy: RetryPolicy = RetryPolicy(),
                 sleep: Callable[[float], None] = time.sleep, limiter=None) -> T:
    """Call `attempt` until it succeeds, retrying only RetryableErrors, with backoff ≥ Retry-After.

    `attempt` must raise framecast errors (translated once, where the call is made). A rate limit is
    waited out up to `policy.rate_limit_budget` seconds in all, however many attempts that takes.
    """
    n, waited = 0, 0.0
    while True:
        try:
            with limiter.slot() if limiter else _null():  # each attempt takes its turn; waiting holds no slot
                return attempt()
        except RetryableError as error:
            if limiter is not None and getattr(error, "retry_after", None) and hasattr(limiter, "pause"):
                limiter.pause(error.retry_after)
            n += 1
            error.attempts, error.waited = n, waited  # what this call spent (messages cite it)
            backoff = min(policy.max_delay, policy.base_delay * 2 ** (n - 1)) * (1 + random.uniform(0, policy.jitter))
            wait = max(backoff, getattr(error, "retry_after", None) or 0.0)
            limited = isinstance(error, RateLimited) and waited + wait <= policy.rate_limit_budget
            if n >= policy.attempts and not limited:
                error.attempts_exhausted = True  # the task must not multiply these attempts
                raise
            if wait > policy.max_wait:
                raise  # a long wait: the task-level retry sleeps it, not this thread
            sleep(wait)
            waited += wait
        except ProviderError as error:
            error.attempts, error.waited = n + 1, waited
            raise
