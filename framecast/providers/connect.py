"""What every cloud vendor's factory and probe share: its settings, every vendor's secrets (for redaction, Prefect
Secret blocks and pre-flight), one rate limiter per vendor, its HTTP client, a key probe.

The orchestration layer wraps the in-process limiters and job slots (`framecast.providers.wrap_limiters`,
`wrap_job_slots`) with limits shared across runs; the wrappers are kept here, where the factories read them.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from framecast.core.envcheck import variable_name
from framecast.core.errors import AuthError
from framecast.providers import registry
from framecast.settings import RateLimitConfig, get_settings, load
from framecast.transport.errors import redact, translate_response, translate_transport
from framecast.transport.http import ProviderHTTP
from framecast.transport.retry import RateLimiter

LIMITER_WRAPPER: list[Callable[[str, Any], Any]] = []
JOB_SLOT_WRAPPER: list[Callable[[str, Any], Any]] = []
_JOB_SLOTS: dict[str, threading.BoundedSemaphore] = {}
_JOB_SLOTS_LOCK = threading.Lock()
# One limiter per provider, shared by every call in the process (limits: rate_limit below).
_LIMITERS: dict[str, RateLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


_VENDOR_SETTINGS: dict[type, tuple[object, Any]] = {}
_VENDOR_LOCK = threading.Lock()


def vendor_settings(cls, settings=None):
    """The vendor's settings (a `VendorSettings` class), read once per core settings object: re-read after
    `reset_settings`, as the core settings are."""
    core = settings or get_settings()
    with _VENDOR_LOCK:
        hit = _VENDOR_SETTINGS.get(cls)
        if hit is not None and hit[0] is core:
            return hit[1]
    made = load(cls)
    with _VENDOR_LOCK:
        _VENDOR_SETTINGS[cls] = (core, made)
    return made


def all_vendor_settings(settings) -> list[Any]:
    """Every vendor's own settings (keys, base URL, knobs), read with the core `settings`."""
    return [vendor_settings(spec.settings, settings) for spec in registry.all_specs() if spec.settings]


def secret_values(settings) -> dict[str, str]:
    """Every vendor's configured secrets by the variable each is read from (plugins' keys included)."""
    found: dict[str, str] = {}
    for mine in all_vendor_settings(settings):
        found.update(mine.secret_values())
    for spec in registry.all_specs():
        for name in spec.keys:
            if name not in found and name != "YOUTUBE_CLIENT_ID" and (value := key_value(name, settings)):
                found[name] = value
    return found


def secrets(settings) -> list[str]:
    """Every configured secret value, for redaction: the machine's and every vendor's keys (plugins included)."""
    found = settings.secrets()
    found += [value for value in secret_values(settings).values() if value not in found]
    return found


def key_value(name: str, settings) -> str | None:
    """The value of the variable `name` a vendor reads a key from (its settings' field, else the environment/.env)."""
    for mine in all_vendor_settings(settings):
        for name_, info in type(mine).model_fields.items():
            if name in getattr(info.validation_alias, "choices", ()):
                value = getattr(mine, name_)
                value = value.get_secret_value() if hasattr(value, "get_secret_value") else value
                return value or None
    return settings.env_value(name)


def secret_variables() -> list[str]:
    """Every variable a vendor reads a secret from (its settings' secrets, then each spec's keys)."""
    names = [
        variable_name(spec.settings, field)
        for spec in registry.all_specs()
        if spec.settings
        for field in spec.settings.SECRETS
    ]
    return list(
        dict.fromkeys(names + [key for spec in registry.all_specs() for key in spec.keys if key != "YOUTUBE_CLIENT_ID"])
    )


def endpoints(settings) -> dict[str, str]:
    """Every URL the providers are reached at, by settings field (the core's callback URL included)."""
    fields = {**settings.model_dump()}
    for mine in all_vendor_settings(settings):
        fields.update(mine.model_dump())
    return {
        name: value
        for name, value in fields.items()
        if name.endswith(("_base_url", "_endpoint", "_token_url")) and value
    }


def rate_limit(provider: str, settings=None) -> RateLimitConfig | None:
    """The account limits of `provider`: FRAMECAST_RATE_LIMITS, else its spec's defaults (None: none known)."""
    settings = settings or get_settings()
    if provider in settings.rate_limits:
        return settings.rate_limits[provider]
    found = registry.spec(provider)
    return found.rate_limit if found else None


def shared_limiter(provider: str):
    """The process's limiter of `provider`, wrapped by the orchestration layer's cross-run limit if it set one."""
    with _LIMITERS_LOCK:
        if provider not in _LIMITERS:
            limit = rate_limit(provider)
            if limit is None:
                raise KeyError(provider)
            _LIMITERS[provider] = RateLimiter(limit.requests_per_minute, limit.concurrency)
        local = _LIMITERS[provider]
    return LIMITER_WRAPPER[0](provider, local) if LIMITER_WRAPPER else local


def job_slot(provider: str):
    """A slot held from a paid job's submission until its media is downloaded (none: no `jobs` limit)."""
    limit = rate_limit(provider)
    jobs = limit.jobs if limit else None
    if not jobs:
        return contextlib.nullcontext()
    with _JOB_SLOTS_LOCK:
        local = _JOB_SLOTS.setdefault(provider, threading.BoundedSemaphore(jobs))
    return JOB_SLOT_WRAPPER[0](provider, local) if JOB_SLOT_WRAPPER else local


def http(provider: str, base_url: str, headers: dict, reader=None) -> ProviderHTTP:
    """A vendor's HTTP client: no redirects, the settings' timeout, its shared limiter, secrets redacted."""
    settings = get_settings()
    # No redirects: httpx would carry xi-api-key / x-api-key to whatever origin a 3xx names (review L3);
    # media downloads follow theirs by hand, each hop checked (framecast.transport.downloads).
    client = httpx.Client(
        base_url=base_url, headers=headers, timeout=settings.http_timeout_seconds, follow_redirects=False
    )
    extra = {"reader": reader} if reader else {}
    return ProviderHTTP(
        provider,
        client,
        secrets=secrets(settings),
        limiter=shared_limiter(provider),
        media_hosts=settings.media_hosts.get(provider),
        **extra,
    )


@dataclass
class ProbeResult:
    """What one probe learnt: whether the key was refused (`refused`), or could not be checked (`unknown`)."""

    provider: str
    endpoint: str
    refused: str = ""
    unknown: str = ""
    shutdowns: dict[str, date] = field(default_factory=dict)  # model id → the date the provider reports
    # model id → the provider's lifecycle stage ("active", "deprecated", "retired": Anthropic's `lifecycle`)
    lifecycle: dict[str, str] = field(default_factory=dict)


def probe_get(base: str, path: str, headers: dict, timeout: float, **kw) -> httpx.Response:
    """One request of a probe (no shared client, no limiter: pre-flight makes one call per vendor)."""
    with httpx.Client(headers=headers, timeout=timeout) as client:
        return client.request(kw.pop("method", "GET"), base.rstrip("/") + path, **kw)


def probe_run(
    provider: str, endpoint: str, call: Callable[[], httpx.Response], secrets: list[str]
) -> tuple[ProbeResult, httpx.Response | None]:
    """Make a probe's call; a refused key (or revoked refresh token) is `refused`, anything else `unknown`."""
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


def probe_timeout(settings) -> float:
    """A probe waits at most 15 s (or the settings' shorter HTTP timeout)."""
    return min(settings.http_timeout_seconds, 15.0)
