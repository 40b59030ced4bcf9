"""Which resumable-upload session URLs may receive the YouTube access token.

The session URL is kept in the store (records/youtube/<slot>.json) between attempts, and whoever can
write the store can write it: before the bearer token goes with it, the URL must be Google's upload
endpoint, or the configured API base itself (the sandbox, or a proxy that already gets the token).
"""

from __future__ import annotations

import httpx

from framecast.core.errors import InvalidRequest

UPLOAD_HOSTS = ("www.googleapis.com", "youtube.googleapis.com")
UPLOAD_PATH = "/upload/youtube/v3/videos"


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


def check_session(session: str, base_url: httpx.URL | str, where: str = "videos.insert") -> str:
    """`session` if it may receive the token; else InvalidRequest naming the host that was refused."""
    try:
        url = httpx.URL(session)
    except (httpx.InvalidURL, TypeError):
        url = None
    base = httpx.URL(str(base_url))
    google = (
        url is not None
        and url.scheme == "https"
        and url.host in UPLOAD_HOSTS
        and url.port in (None, 443)
        and url.path == UPLOAD_PATH
    )
    configured = url is not None and _origin(url) == _origin(base) and url.path == base.path.rstrip("/") + UPLOAD_PATH
    if url is not None and not url.userinfo and (google or configured):
        return session
    host = (url.host if url is not None else "") or "(none)"
    raise InvalidRequest(
        f"publish: youtube {where}: the upload session URL on host {host[:100]!r} is not YouTube's "
        f"upload endpoint (https://{UPLOAD_HOSTS[0]}{UPLOAD_PATH}) nor the configured "
        f"{base.host}; refusing to send the access token to it (the record in records/youtube/ "
        "was not written by framecast: remove it)",
        provider="youtube",
    )
