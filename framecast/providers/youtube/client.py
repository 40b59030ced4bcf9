"""Publishing to YouTube: Data API v3 resumable upload with OAuth 2.0 refresh tokens.

Over 300 lines, on purpose: one upload's protocol (token, session recorded before the first byte, chunks, resume,
thumbnail, captions) in one place; the formatter spread its calls one argument per line.

Idempotent per (channel, date, topic): the upload session and then the video id are recorded in
the artifact store before and after the transfer, so a re-run or a retry after an upload whose
response was lost asks the session where it stands (`Content-Range: bytes */TOTAL`) instead of
uploading a second copy.

Every call goes through framecast.transport.http (ProviderHTTP: the one status → error mapping, retries for
short blips); chunk PUTs are sent once each, because after a failed chunk the protocol asks the
session how much arrived rather than sending the same bytes again. `uploadLimitExceeded` (400,
the channel's 24-hour limit) and `quotaExceeded` (403) are QuotaExhausted. Once the video is up,
the thumbnail and the caption track are best effort: a failure is logged as a warning and recorded
in the returned record's "skipped" (a retryable one is tried again by the next publish, a permanent
one is not), and the publication stands.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx

from framecast.core import safe_text
from framecast.core.errors import (
    AuthError,
    FramecastError,
    ProviderError,
    ProviderUnavailable,
    QuotaExhausted,
    RetryableError,
)
from framecast.providers.youtube.sessions import check_session
from framecast.transport import redaction
from framecast.transport.errors import translate_response
from framecast.transport.http import ProviderHTTP
from framecast.transport.redaction import error_text
from framecast.transport.retry import RetryPolicy

log = logging.getLogger(__name__)

CHUNK = 8 * 256 * 1024  # a multiple of 256 KiB, as the resumable protocol requires
MAX_INTERRUPTIONS = 5
QUOTA_REASONS = re.compile(r"quotaExceeded|uploadLimitExceeded|dailyLimitExceeded")
VIDEOS = "/upload/youtube/v3/videos"


def youtube_error(response: httpx.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300], ""
    err = body.get("error")
    if isinstance(err, dict):
        reasons = [e.get("reason", "") for e in err.get("errors", [])]
        return str(err.get("message", "")), ",".join(r for r in reasons if r)
    return str(body.get("error_description") or err or body)[:300], str(err or "")


def _attempts(exc: BaseException) -> str:
    n = getattr(exc, "attempts", None)
    return f" ({n} attempt{'s' if n != 1 else ''})" if n else ""


def in_context(exc: ProviderError, endpoint: str) -> ProviderError:
    """`exc` with a message that names the stage, the provider, the endpoint and the attempts spent."""
    text = str(exc)
    if not text.startswith("publish: "):
        counted = "" if getattr(exc, "_located", False) else _attempts(exc)  # the HTTP layer already said
        exc.args = (f"publish: youtube {endpoint}: {text.removeprefix('youtube ')}{counted}",)
    return exc


class YouTubePublisher:
    def __init__(
        self,
        http: ProviderHTTP,
        token_url: str,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        records: tuple[Callable[[str], dict | None], Callable[[str, dict], None]],
        sleep=time.sleep,
    ):
        self.http, self.token_url = http, token_url
        # A chunk is sent once per attempt: after a failure the session says how much arrived.
        self._once = ProviderHTTP(
            http.provider,
            http.client,
            secrets=http.secrets,
            retry=RetryPolicy(attempts=1),
            limiter=http.limiter,
            reader=http.reader,
            sleep=http.sleep,
        )
        self.client_id, self.client_secret, self.refresh_token = client_id, client_secret, refresh_token
        self.get_record, self.put_record = records
        self.sleep = sleep
        self._token: tuple[str, float] | None = None

    # -- every call: the one httpx mapping, then YouTube's own reasons ------------------------------
    def _request(
        self, endpoint: str, method: str, url: str, *, allow: tuple[int, ...] = (), once: bool = False, **kwargs
    ) -> httpx.Response:
        """Send through framecast.transport.http; 400/403 are read for YouTube's quota reasons, then translated."""
        http = self._once if once else self.http
        try:
            response = http.request(method, url, allow=(*allow, 400, 403), **kwargs)
        except ProviderError as exc:
            raise in_context(exc, endpoint)
        if response.status_code in (400, 403) and response.status_code not in allow:
            self._raise(response, endpoint)
        return response

    def _raise(self, response: httpx.Response, endpoint: str) -> None:
        message, reasons = youtube_error(response)
        status = response.status_code
        if status in (400, 403) and QUOTA_REASONS.search(reasons):
            what = (
                "the channel's 24-hour upload limit is reached"
                if "uploadLimitExceeded" in reasons
                else "the daily quota is used up (YouTube allows about 100 uploads a day per project)"
            )
            outcome = "; the video was not uploaded" if endpoint.startswith("videos.insert") else ""
            raise QuotaExhausted(
                f"publish: youtube {endpoint}: {status} {reasons}: {what}{outcome}", provider="youtube", status=status
            )
        raise in_context(translate_response("youtube", response, youtube_error, self.http.secrets), endpoint)

    @staticmethod
    def _json(response: httpx.Response, endpoint: str) -> dict:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ProviderUnavailable(
                f"publish: youtube {endpoint}: malformed JSON in a {response.status_code} response",
                provider="youtube",
                status=response.status_code,
            )
        return body

    # -- auth ---------------------------------------------------------------------------------
    def _access_token(self) -> str:
        if self._token and self._token[1] > time.monotonic() + 60:
            return self._token[0]
        response = self._request(
            "oauth2 token",
            "POST",
            self.token_url,
            allow=(400,),
            data={
                "grant_type": "refresh_token",
                "refresh_token": self.refresh_token,
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            },
        )
        if response.status_code == 400 and "invalid_grant" in response.text:
            raise AuthError(
                "publish: youtube oauth2 token: the refresh token was refused (invalid_grant). "
                "Re-consent and store a new YOUTUBE_REFRESH_TOKEN; OAuth apps in 'Testing' lose refresh "
                "tokens after 7 days, so publish the app (or re-consent weekly).",
                provider="youtube",
                status=400,
            )
        if response.status_code == 400:
            self._raise(response, "oauth2 token")
        body = self._json(response, "oauth2 token")
        if not body.get("access_token"):
            raise ProviderUnavailable(
                "publish: youtube oauth2 token: no access_token in the answer", provider="youtube"
            )
        redaction.register([body["access_token"]])  # a bearer token obtained at run time: masked like the keys
        self._token = (body["access_token"], time.monotonic() + float(body.get("expires_in", 3600)))
        return self._token[0]

    def _auth(self) -> dict:
        return {"Authorization": f"Bearer {self._access_token()}"}

    # -- resumable upload -----------------------------------------------------------------------
    def _start(self, meta: dict, size: int) -> str:
        response = self._request(
            "videos.insert",
            "POST",
            VIDEOS,
            params={"uploadType": "resumable", "part": "snippet,status"},
            json=meta,
            headers={**self._auth(), "X-Upload-Content-Length": str(size), "X-Upload-Content-Type": "video/mp4"},
        )
        session = response.headers.get("location")
        if not session:
            raise ProviderUnavailable(
                "publish: youtube videos.insert: resumable upload started without a session URI", provider="youtube"
            )
        return session

    def _status(self, session: str, size: int) -> tuple[str, int | dict]:
        """Where a session stands: ('done', resource) | ('partial', next_offset) | ('gone', 0)."""
        check_session(session, self.http.client.base_url, "videos.insert status")
        response = self._request(
            "videos.insert status",
            "PUT",
            session,
            allow=(308, 404, 410),
            headers={**self._auth(), "Content-Range": f"bytes */{size}"},
        )
        if response.status_code in (404, 410):
            return "gone", 0
        if response.status_code == 308:
            match = re.match(r"bytes=0-(\d+)", response.headers.get("range", ""))
            return "partial", int(match.group(1)) + 1 if match else 0
        return "done", self._json(response, "videos.insert status")

    def _send(self, session: str, video: Path, offset: int) -> dict:
        size, interruptions = video.stat().st_size, 0
        check_session(session, self.http.client.base_url, "videos.insert upload")
        with video.open("rb") as fh:
            while True:
                fh.seek(offset)
                chunk = fh.read(CHUNK)
                end = offset + len(chunk) - 1
                try:
                    response = self._request(
                        "videos.insert upload",
                        "PUT",
                        session,
                        allow=(308,),
                        once=True,
                        content=chunk,
                        headers={**self._auth(), "Content-Range": f"bytes {offset}-{end}/{size}"},
                    )
                except RetryableError as exc:  # dropped, timed out or 5xx: ask the session, resume from there
                    interruptions += 1
                    if interruptions > MAX_INTERRUPTIONS:
                        raise ProviderUnavailable(
                            f"publish: youtube videos.insert upload: interrupted "
                            f"{interruptions} times, last: {exc}; the recorded session "
                            "resumes on the next run",
                            provider="youtube",
                        ) from exc
                    self.sleep(min(2**interruptions, 30))
                    state, value = self._status(session, size)
                    if state == "done":
                        return value
                    if state == "gone":
                        raise ProviderUnavailable(
                            "publish: youtube videos.insert upload: the upload session "
                            "expired; it restarts on the next run",
                            provider="youtube",
                        ) from exc
                    offset = value
                    continue
                if response.status_code == 308:
                    match = re.match(r"bytes=0-(\d+)", response.headers.get("range", ""))
                    offset = int(match.group(1)) + 1 if match else 0
                    continue
                return self._json(response, "videos.insert upload")

    # -- the whole publication ------------------------------------------------------------------
    def publish(
        self,
        key: str,
        video: Path,
        thumbnail: Path | None,
        captions: Path | None,
        meta: dict,
        caption_language: str = "en",
    ) -> dict:
        """Upload once per key; complete whatever a previous attempt left undone. Returns the record.

        The thumbnail and captions are best effort once the video is up (see the module docstring).
        """
        record = self.get_record(key) or {}
        size = video.stat().st_size
        if not record.get("video_id"):
            resource = None
            if record.get("session"):
                state, value = self._status(record["session"], size)
                if state == "done":
                    resource = value
                elif state == "partial":
                    resource = self._send(record["session"], video, value)
            if resource is None:
                session = self._start(meta, size)
                record = {"session": session}
                self.put_record(key, record)  # before sending a byte: a lost response cannot double-post
                resource = self._send(session, video, 0)
            if not resource.get("id"):
                raise ProviderUnavailable(
                    "publish: youtube videos.insert upload: the finished upload returned no video id",
                    provider="youtube",
                )
            record = {**record, "video_id": resource["id"], "url": f"https://youtu.be/{resource['id']}"}
            self.put_record(key, record)
        if thumbnail is not None:
            record = self._best_effort(key, record, "thumbnail", lambda: self._thumbnail(record["video_id"], thumbnail))
        if captions is not None:
            record = self._best_effort(
                key, record, "captions", lambda: self._captions(record["video_id"], captions, caption_language)
            )
        return record

    def _best_effort(self, key: str, record: dict, what: str, action: Callable[[], None]) -> dict:
        """Run `action` unless done (or refused for good before); a failure is a warning and a "skipped" entry."""
        skipped = dict(record.get("skipped") or {})
        if record.get(f"{what}_set") or skipped.get(what, {}).get("permanent"):
            return record
        try:
            action()
        except (FramecastError, OSError) as exc:
            permanent = not isinstance(exc, RetryableError)
            log.warning(
                "publish: youtube video %s is published without its %s: %s%s",
                record["video_id"],
                what,
                exc,
                "" if permanent else "; the next publish of this slot tries again",
            )
            skipped[what] = {
                "error": error_text(exc),
                "permanent": permanent,
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            record = {**record, "skipped": skipped}
        else:
            skipped.pop(what, None)
            record = {k: v for k, v in record.items() if k != "skipped"} | {f"{what}_set": True}
            if skipped:
                record["skipped"] = skipped
        self.put_record(key, record)
        return record

    def _thumbnail(self, video_id: str, thumbnail: Path) -> None:
        self._request(
            "thumbnails.set",
            "POST",
            "/upload/youtube/v3/thumbnails/set",
            params={"videoId": video_id, "uploadType": "media"},
            content=thumbnail.read_bytes(),
            headers={**self._auth(), "Content-Type": "image/jpeg"},
        )

    def _captions(self, video_id: str, captions: Path, language: str) -> None:
        boundary = "framecast-caption-boundary"
        snippet = json.dumps(
            {"snippet": {"videoId": video_id, "language": language, "name": language, "isDraft": False}}
        )
        body = (
            (
                f"--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{snippet}\r\n"
                f"--{boundary}\r\nContent-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + captions.read_bytes()
            + f"\r\n--{boundary}--\r\n".encode()
        )
        self._request(
            "captions.insert",
            "POST",
            "/upload/youtube/v3/captions",
            params={"part": "snippet", "uploadType": "multipart"},
            content=body,
            headers={**self._auth(), "Content-Type": f"multipart/related; boundary={boundary}"},
        )


def video_resource(
    title: str, description: str, tags: list[str], privacy: str, category_id: str, publish_at: str | None
) -> dict:
    """The videos.insert body: privacy explicit, AI-generated media declared."""
    status = {"privacyStatus": privacy, "containsSyntheticMedia": True, "selfDeclaredMadeForKids": False}
    if publish_at:
        status["publishAt"] = publish_at
    # Sanitised, never refused: YouTube's limits on any title a topic or a model produced (framecast.core.safe_text).
    snippet = {
        "title": safe_text.youtube_title(title),
        "description": safe_text.youtube_description(description),
        "tags": safe_text.youtube_tags(tags),
        "categoryId": category_id,
    }
    return {"snippet": snippet, "status": status}
