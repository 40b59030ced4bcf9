"""YouTube: publishing (resumable uploads, thumbnails, captions) with an OAuth refresh token."""

from __future__ import annotations

from framecast.core.errors import ConfigError
from framecast.providers import connect
from framecast.providers.registry import ProviderSpec, SandboxMount
from framecast.settings import get_settings


def publisher(cfg, store=None, **_):
    """The publisher; `store` (the artifact store) keeps its upload sessions, so a retried upload resumes."""
    import httpx

    from framecast.providers import secrets
    from framecast.providers.youtube.client import YouTubePublisher, youtube_error
    from framecast.transport.http import ProviderHTTP

    settings = get_settings()
    if not settings.youtube_client_id:
        raise ConfigError("YOUTUBE_CLIENT_ID is not set: the channel publishes to YouTube; put the OAuth client "
                          "id, YOUTUBE_CLIENT_SECRET and YOUTUBE_REFRESH_TOKEN in the environment or .env")
    if store is None:
        raise ConfigError("the YouTube publisher keeps its upload sessions in the artifact store: pass store=")
    client = httpx.Client(base_url=settings.youtube_base_url, timeout=settings.http_timeout_seconds,
                          follow_redirects=False)  # 308 is the resumable protocol's "go on", not a redirect
    http = ProviderHTTP("youtube", client, secrets=secrets(settings), reader=youtube_error)
    return YouTubePublisher(http, settings.google_token_url, settings.youtube_client_id,
                            settings.api_key("youtube_client"), settings.api_key("youtube_refresh"),
                            (store.get_record, store.put_record))


def probe(settings):
    """The OAuth token refresh: a revoked refresh token answers `invalid_grant`."""
    from framecast.providers import secrets

    data = {"grant_type": "refresh_token", "client_id": settings.youtube_client_id or "",
            "client_secret": settings.api_key("youtube_client"), "refresh_token": settings.api_key("youtube_refresh")}
    return connect.probe_run("youtube", "POST oauth2 token", lambda: connect.probe_get(
        settings.google_token_url, "", {}, connect.probe_timeout(settings), method="POST", data=data),
        secrets(settings))[0]


SPEC = ProviderSpec(
    name="youtube", roles=("publish",), keys=("YOUTUBE_CLIENT_ID", "YOUTUBE_CLIENT_SECRET", "YOUTUBE_REFRESH_TOKEN"),
    factories={"publisher": publisher},
    probe=probe,
    sandbox=SandboxMount("youtube", "framecast.providers.youtube.sandbox", lambda url, key: {
        "FRAMECAST_YOUTUBE_BASE_URL": url, "FRAMECAST_GOOGLE_TOKEN_URL": url + "/token",
        "YOUTUBE_CLIENT_ID": "sandbox-client", "YOUTUBE_CLIENT_SECRET": key,
        "YOUTUBE_REFRESH_TOKEN": "sandbox-refresh-token"}),
)
