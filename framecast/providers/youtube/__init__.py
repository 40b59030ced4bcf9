"""YouTube: publishing (resumable uploads, thumbnails, captions) with an OAuth refresh token."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr

from framecast.core.errors import ConfigError
from framecast.providers import connect
from framecast.providers.registry import ProviderSpec, SandboxMount
from framecast.settings import VendorSettings, get_settings


class YouTubeSettings(VendorSettings):
    """YOUTUBE_CLIENT_ID, YOUTUBE_CLIENT_SECRET, YOUTUBE_REFRESH_TOKEN (or FRAMECAST_*), the API and token URLs."""

    SECRETS = ("youtube_client_secret", "youtube_refresh_token")
    CLEANED = ("youtube_client_id",)
    URLS = ("youtube_base_url", "google_token_url")
    youtube_client_id: str | None = Field(
        None, validation_alias=AliasChoices("YOUTUBE_CLIENT_ID", "FRAMECAST_YOUTUBE_CLIENT_ID")
    )
    youtube_client_secret: SecretStr | None = Field(
        None, validation_alias=AliasChoices("YOUTUBE_CLIENT_SECRET", "FRAMECAST_YOUTUBE_CLIENT_SECRET")
    )
    youtube_refresh_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("YOUTUBE_REFRESH_TOKEN", "FRAMECAST_YOUTUBE_REFRESH_TOKEN")
    )
    youtube_base_url: str = "https://www.googleapis.com"
    google_token_url: str = "https://oauth2.googleapis.com/token"


def settings(core=None) -> YouTubeSettings:
    """YouTube's settings, read with the core settings `core` (default: the current ones)."""
    return connect.vendor_settings(YouTubeSettings, core)


def publisher(cfg, store=None, **_):
    """The publisher; `store` (the artifact store) keeps its upload sessions, so a retried upload resumes."""
    import httpx

    from framecast.providers.youtube.client import YouTubePublisher, youtube_error
    from framecast.transport.http import ProviderHTTP

    core, mine = get_settings(), settings()
    if not mine.youtube_client_id:
        raise ConfigError(
            "YOUTUBE_CLIENT_ID is not set: the channel publishes to YouTube; put the OAuth client "
            "id, YOUTUBE_CLIENT_SECRET and YOUTUBE_REFRESH_TOKEN in the environment or .env"
        )
    if store is None:
        raise ConfigError("the YouTube publisher keeps its upload sessions in the artifact store: pass store=")
    client = httpx.Client(
        base_url=mine.youtube_base_url, timeout=core.http_timeout_seconds, follow_redirects=False
    )  # 308 is the resumable protocol's "go on", not a redirect
    http = ProviderHTTP("youtube", client, secrets=connect.secrets(core), reader=youtube_error)
    return YouTubePublisher(
        http,
        mine.google_token_url,
        mine.youtube_client_id,
        mine.require("youtube_client_secret", "youtube_client"),
        mine.require("youtube_refresh_token", "youtube_refresh"),
        (store.get_record, store.put_record),
    )


def probe(core):
    """The OAuth token refresh: a revoked refresh token answers `invalid_grant`."""

    mine = settings(core)
    data = {
        "grant_type": "refresh_token",
        "client_id": mine.youtube_client_id or "",
        "client_secret": mine.require("youtube_client_secret", "youtube_client"),
        "refresh_token": mine.require("youtube_refresh_token", "youtube_refresh"),
    }
    return connect.probe_run(
        "youtube",
        "POST oauth2 token",
        lambda: connect.probe_get(mine.google_token_url, "", {}, connect.probe_timeout(core), method="POST", data=data),
        connect.secrets(core),
    )[0]


SPEC = ProviderSpec(
    settings=YouTubeSettings,
    name="youtube",
    roles=("publish",),
    keys=("YOUTUBE_CLIENT_ID", "YOUTUBE_CLIENT_SECRET", "YOUTUBE_REFRESH_TOKEN"),
    factories={"publisher": publisher},
    probe=probe,
    sandbox=SandboxMount(
        "youtube",
        "framecast.providers.youtube.sandbox",
        lambda url, key: {
            "FRAMECAST_YOUTUBE_BASE_URL": url,
            "FRAMECAST_GOOGLE_TOKEN_URL": url + "/token",
            "YOUTUBE_CLIENT_ID": "sandbox-client",
            "YOUTUBE_CLIENT_SECRET": key,
            "YOUTUBE_REFRESH_TOKEN": "sandbox-refresh-token",
        },
    ),
)
