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

import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import httpx

from framecast.core import envcheck
from framecast.core.errors import (
    ProviderError,
    ProviderUnavailable,
)
from framecast.transport import downloads
from framecast.transport.downloads import Download
from framecast.transport.errors import (
    ErrorReader,
    default_error_reader,
    located,
    redacted_cause,
    translate_response,
    translate_transport,
)
from framecast.transport.retry import RateLimiter, RetryPolicy, with_retries

MAX_REPLY_BYTES = 128 * 1024 * 1024  # any API reply (a TTS reply with timestamps carries its audio as base64)


class ProviderHTTP:
    """A provider's httpx client with error translation, retries, rate limiting and safe downloads."""

    def __init__(
        self,
        provider: str,
        client: httpx.Client,
        *,
        secrets: list[str] | None = None,
        retry: RetryPolicy = RetryPolicy(),
        limiter: RateLimiter | None = None,
        reader: ErrorReader = default_error_reader,
        sleep: Callable[[float], None] = time.sleep,
        media_hosts: tuple[str, ...] | None = None,
        resolve: downloads.Resolver = downloads.system_resolve,
        media_transport: httpx.BaseTransport | None = None,
    ):
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

    def request(
        self, method: str, url: str, *, allow: tuple[int, ...] = (), max_bytes: int = MAX_REPLY_BYTES, **kwargs
    ) -> httpx.Response:
        """Send with retries for transient failures; return a 2xx (or `allow`ed) response or raise.

        The body is streamed and refused past `max_bytes` (an error reply is read to 64 KiB for its message).
        """

        endpoint = f"{method} {urlparse(url).path or url}"

        def attempt() -> httpx.Response:
            try:
                with self.client.stream(method, url, **kwargs) as response:
                    if not response.is_success and response.status_code not in allow:
                        body = downloads.read_limited(
                            response,
                            downloads.MAX_ERROR_BODY,
                            what="an error reply",
                            provider=self.provider,
                            truncate=True,
                        )
                        error = translate_response(
                            self.provider, downloads.buffered(response, body), self.reader, self.secrets
                        )
                        error.endpoint = endpoint
                        raise error
                    body = downloads.read_limited(
                        response, max_bytes, what=f"the reply to {endpoint}", provider=self.provider
                    )
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
            raise ProviderUnavailable(
                f"{self.provider}: malformed JSON in the response to {method} {urlparse(url).path}",
                provider=self.provider,
            ) from exc
        if not isinstance(body, dict):
            raise ProviderUnavailable(
                f"{self.provider}: expected a JSON object from {urlparse(url).path}", provider=self.provider
            )
        return body

    def media_client(self) -> httpx.Client:
        """The client media is fetched with: no redirects followed, connections only to vetted addresses."""
        with self._media_lock:
            if self._media_client is None:
                transport = self._media_transport or downloads.GuardedTransport(self.media_policy(()), self.resolve)
                self._media_client = httpx.Client(
                    transport=transport, follow_redirects=False, trust_env=False, timeout=self.client.timeout
                )
            return self._media_client

    def media_policy(self, allowed_hosts: tuple[str, ...]) -> downloads.MediaPolicy:
        """Where this provider's media may come from: loopback only if its API is on loopback (the sandbox)."""
        hosts = self.media_hosts if self.media_hosts is not None else allowed_hosts
        return downloads.MediaPolicy(self.provider, envcheck.loopback(self.client.base_url.host), tuple(hosts))

    def download(
        self, url: str, dest: Path, *, allowed_hosts: tuple[str, ...], max_bytes: int, content_types: tuple[str, ...]
    ) -> Download:
        """Stream generated media to `dest`, every redirect hop and address checked (framecast.transport.downloads)."""
        policy = self.media_policy(allowed_hosts)
        first = policy.check_url(url)  # refused before anything is sent
        # The media is paid for by now: a blip or a cut-off body is retried here, never by buying a new job.
        return with_retries(
            lambda: downloads.fetch(self, policy, first, dest, max_bytes=max_bytes, content_types=content_types),
            self.retry,
            self.sleep,
        )
