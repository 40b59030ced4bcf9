"""Google Cloud Video Intelligence: a cloud video analyzer of the quality stage, deprecated in favour of `gemini`.

Google deprecated the API on 2026-09-14 and shuts it down on 2027-09-14, pointing to Gemini's video
understanding: use `quality.analyzers: [local, gemini]`, keeping `google` at most as a stand-in
(`quality.fallback: [google, local]`) until then."""

from __future__ import annotations

import logging
from datetime import date

from framecast.providers import connect
from framecast.providers.registry import ModelSpec, ProviderSpec, SandboxMount
from framecast.settings import VendorSettings

log = logging.getLogger(__name__)


class GoogleSettings(VendorSettings):
    """FRAMECAST_VIDEOINTELLIGENCE_ENDPOINT: a local stand-in (the sandbox); empty = Google, with its credentials."""

    URLS = ("videointelligence_endpoint",)
    videointelligence_endpoint: str | None = None  # e.g. the sandbox's http://127.0.0.1:PORT/videointelligence


def settings(core=None) -> GoogleSettings:
    """Video Intelligence's settings, read with the core settings `core` (default: the current ones)."""
    return connect.vendor_settings(GoogleSettings, core)


def analyzer(cfg, **_):
    """The video analyzer (the sandbox's stand-in over REST with no credentials when an endpoint is set).

    Deprecated: Video Intelligence shuts down on 2027-09-14; the `gemini` analyzer is its successor."""
    log.warning(
        "quality: the google analyzer (Cloud Video Intelligence) is deprecated and shuts down on 2027-09-14; "
        "use quality.analyzers: [local, gemini] (docs/stages.md, Quality: gemini)"
    )
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import videointelligence_v1 as vi

    from framecast.providers.google.client import GoogleVideoAnalyzer

    endpoint = settings().videointelligence_endpoint
    if endpoint:  # a local stand-in (the sandbox): REST transport, no Google credentials
        client = vi.VideoIntelligenceServiceClient(
            transport="rest", credentials=AnonymousCredentials(), client_options={"api_endpoint": endpoint}
        )
    else:
        client = vi.VideoIntelligenceServiceClient()
    return GoogleVideoAnalyzer(client)


SPEC = ProviderSpec(
    settings=GoogleSettings,
    name="google",
    roles=("quality",),
    defaults={"quality": "videointelligence-v1"},
    # 5 features of annotate_video, each per started minute
    prices={"quality": (0.448, "minute")},
    models=(
        ModelSpec(
            "videointelligence-v1",
            ("quality",),
            date(2027, 9, 14),
            "Google Cloud Video Intelligence deprecation notice (2026-09-14)",
            successor="gemini-3.8-flash (quality.analyzers: [local, gemini])",
            note="deprecated in favour of the gemini analyzer",
        ),
    ),
    factories={"analyzer": analyzer},
    probe=None,  # application default credentials: nothing to probe for free
    sandbox=SandboxMount(
        "videointelligence",
        "framecast.providers.google.sandbox",
        lambda url, key: {"FRAMECAST_VIDEOINTELLIGENCE_ENDPOINT": url},
    ),
)
