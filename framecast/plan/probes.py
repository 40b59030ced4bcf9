"""Is each key accepted? The cheapest authenticated call a provider offers, made by pre-flight.

Each probe is free at the provider: OpenAI `GET /v1/models` (each model's `shutdown_date`, which pre-flight
reads), Anthropic `GET /v1/models/{model}` for each model the channel uses (its `lifecycle` and `retires_at`),
ElevenLabs `GET /v2/voices?page_size=1`, and
YouTube's OAuth token refresh (a revoked refresh token answers `invalid_grant`). Runway, Kling and
Stability offer no call that is both free and authenticated in the specs framecast follows, so their
keys are checked as set, not as accepted. Each probe is its vendor's (`SPEC.probe`, built on
`framecast.providers.connect.probe_run`); errors go through the one status→error mapping
(`framecast.transport.http.translate_response`), so a refused key is an `AuthError` whatever the vendor.
"""

from __future__ import annotations

import inspect

from framecast.providers import registry
from framecast.providers.connect import ProbeResult


def probe(provider: str, settings, models: tuple[str, ...] = ()) -> ProbeResult | None:
    """Ask `provider` whether its key is accepted (its spec's probe; one that takes `models` also reports on those);
    None when it offers no free authenticated call."""
    found = registry.spec(provider)
    if found is None or found.probe is None:
        return None
    if models and "models" in inspect.signature(found.probe).parameters:  # a plugin's probe may take settings only
        return found.probe(settings, models=models)
    return found.probe(settings)
