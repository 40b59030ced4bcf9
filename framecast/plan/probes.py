"""Is each key accepted? The cheapest authenticated call a provider offers, made by pre-flight.

Each probe is free at the provider: OpenAI and Anthropic `GET /v1/models` (OpenAI's answer may also
carry a model's shutdown date, which pre-flight reads), ElevenLabs `GET /v2/voices?page_size=1`, and
YouTube's OAuth token refresh (a revoked refresh token answers `invalid_grant`). Runway, Kling and
Stability offer no call that is both free and authenticated in the specs framecast follows, so their
keys are checked as set, not as accepted. Each probe is its vendor's (`SPEC.probe`, built on
`framecast.providers.connect.probe_run`); errors go through the one status→error mapping
(`framecast.transport.http.translate_response`), so a refused key is an `AuthError` whatever the vendor.
"""

from __future__ import annotations

from framecast.providers import registry
from framecast.providers.connect import ProbeResult


def probe(provider: str, settings) -> ProbeResult | None:
    """Ask `provider` whether its key is accepted (its spec's probe); None when it offers no free authenticated call."""
    found = registry.spec(provider)
    return found.probe(settings) if found is not None and found.probe is not None else None
