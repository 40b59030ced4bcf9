"""Publishing to YouTube: Data API v3 resumable upload with OAuth 2.0 refresh tokens.

Idempotent per (channel, date, topic): the upload session and then the video id are recorded in
the artifact store before and after the transfer, so a re-run or a retry after an upload whose
response was lost asks the session where it stands (`Content-Range: bytes */TOTAL`) instead of
uploading a second copy.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Callable

import httpx

from framecast.errors import AuthError, ProviderUnavailable, QuotaExhausted
from framecast.http import ProviderHTTP, translate_response

CHUNK = 8 * 256 * 1024  # a multiple of 256 KiB, as the resumable protocol requires
MAX_INTERRUPTIONS = 5


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


class YouTubePublisher:
    def __init__(self, http: ProviderHTTP, token_url: str, client_id: str, client_secret: str, refresh_token: str,
                 records: tuple[Callable[[str], dict | None], Callable[[str, dict], None]], sleep=time.sleep):
        self.http, self.token_url = http, token_url
        self.client_id, self.client_secret, self.refresh_token = client_id, client_secret, refresh_token
        self.get_record, self.put_record = records
        self.sleep = sleep
        self._token: tuple[str, float] | None = None

    # -- auth ---------------------------------------------------------------------------------
    def _access_token(self) -> str:
        if self._token and self._token[1] > time.monotonic() + 60:
            return self._token[0]
        response = self.http.client.post(self.token_url, data={
            "grant_type": "refresh_token", "refresh_token": self.refresh_token,
            "client_id": self.client_id, "client_secret": self.client_secret})
        if response.status_code == 400 and "invalid_grant" in response.text:
            raise AuthError("youtube: the refresh token was refused (invalid_grant). Re-consent and store a new "
                            "YOUTUBE_REFRESH_TOKEN; OAuth apps in 'Testing' lose refresh tokens after 7 days, so "
                            "publish the app (or re-consent weekly).", provider="youtube")
        if not response.is_success:
            raise translate_response("youtube", response, youtube_error, self.http.secrets)
        body = response.json()
        self._token = (body["access_token"], time.monotonic() + float(body.get("expires_in", 3600)))
        return self._token[0]

    def _auth(self) -> dict:
        return {"Authorization": f"Bearer {self._access_token()}"}

    def _raise(self, response: httpx.Response) -> None:
        message, reasons = youtube_error(response)
        if response.status_code == 403 and re.search(r"quotaExceeded|uploadLimitExceeded|dailyLimitExceeded", reasons):
            raise QuotaExhausted(f"youtube: daily quota used up ({reasons}); the video is kept and will be uploaded "
                                 "by the next run (YouTube allows about 100 uploads a day per project)",
                                 provider="youtube", status=403)
        raise translate_response("youtube", response, youtube_error, self.http.secrets)

    # -- resumable upload -----------------------------------------------------------------------
    def _start(self, meta: dict, size: int) -> str:
        response = self.http.request(
            "POST", "/upload/youtube/v3/videos", params={"uploadType": "resumable", "part": "snippet,status"},
            json=meta, headers={**self._auth(), "X-Upload-Content-Length": str(size),
                                "X-Upload-Content-Type": "video/mp4"}, allow=(403,))
        if response.status_code == 403:
            self._raise(response)
        session = response.headers.get("location")
        if not session:
            raise ProviderUnavailable("youtube: resumable upload started without a session URI", provider="youtube")
        return session

    def _status(self, session: str, size: int) -> tuple[str, int | dict]:
        """Where a session stands: ('done', resource) | ('partial', next_offset) | ('gone', 0)."""
        response = self.http.client.put(session, headers={**self._auth(), "Content-Range": f"bytes */{size}"})
        if response.status_code in (200, 201):
            return "done", response.json()
        if response.status_code == 308:
            match = re.match(r"bytes=0-(\d+)", response.headers.get("range", ""))
            return "partial", int(match.group(1)) + 1 if match else 0
        if response.status_code in (404, 410):
            return "gone", 0
        self._raise(response)
        raise AssertionError("unreachable")

    def _send(self, session: str, video: Path, offset: int) -> dict:
        size, interruptions = video.stat().st_size, 0
        with video.open("rb") as fh:
            while True:
                fh.seek(offset)
                chunk = fh.read(CHUNK)
                end = offset + len(chunk) - 1
                try:
                    response = self.http.client.put(session, content=chunk, headers={
                        **self._auth(), "Content-Range": f"bytes {offset}-{end}/{size}"})
                except httpx.TransportError:
                    response = None
                if response is not None and response.status_code in (200, 201):
                    return response.json()
                if response is not None and response.status_code == 308:
                    match = re.match(r"bytes=0-(\d+)", response.headers.get("range", ""))
                    offset = int(match.group(1)) + 1 if match else 0
                    continue
                if response is not None and response.status_code < 500:
                    self._raise(response)
                interruptions += 1  # dropped or 5xx: ask the session how much arrived, resume from there
                if interruptions > MAX_INTERRUPTIONS:
                    raise ProviderUnavailable("youtube: upload kept failing; it resumes on the next run",
                                              provider="youtube")
                self.sleep(min(2 ** interruptions, 30))
                state, value = self._status(session, size)
                if state == "done":
                    return value
                if state == "gone":
                    raise ProviderUnavailable("youtube: the upload session expired; it restarts on the next run",
                                              provider="youtube")
                offset = value

    # -- the whole publication ------------------------------------------------------------------
    def publish(self, key: str, video: Path, thumbnail: Path | None, captions: Path | None, meta: dict,
                caption_language: str = "en") -> dict:
        """Upload once per key; complete whatever a previous attempt left undone. Returns the record."""
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
            record = {**record, "video_id": resource["id"], "url": f"https://youtu.be/{resource['id']}"}
            self.put_record(key, record)
        if thumbnail is not None and not record.get("thumbnail_set"):
            response = self.http.request("POST", "/upload/youtube/v3/thumbnails/set",
                                         params={"videoId": record["video_id"], "uploadType": "media"},
                                         content=thumbnail.read_bytes(),
                                         headers={**self._auth(), "Content-Type": "image/jpeg"})
            record = {**record, "thumbnail_set": response.is_success}
            self.put_record(key, record)
        if captions is not None and not record.get("captions_set"):
            self._captions(record["video_id"], captions, caption_language)
            record = {**record, "captions_set": True}
            self.put_record(key, record)
        return record

    def _captions(self, video_id: str, captions: Path, language: str) -> None:
        boundary = "framecast-caption-boundary"
        snippet = json.dumps({"snippet": {"videoId": video_id, "language": language, "name": language,
                                          "isDraft": False}})
        body = (f"--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{snippet}\r\n"
                f"--{boundary}\r\nContent-Type: application/octet-stream\r\n\r\n").encode() + captions.read_bytes() \
            + f"\r\n--{boundary}--\r\n".encode()
        self.http.request("POST", "/upload/youtube/v3/captions", params={"part": "snippet", "uploadType": "multipart"},
                          content=body, headers={**self._auth(), "Content-Type": f"multipart/related; boundary={boundary}"})


def video_resource(title: str, description: str, tags: list[str], privacy: str, category_id: str,
                   publish_at: str | None) -> dict:
    """The videos.insert body: privacy explicit, AI-generated media declared."""
    status = {"privacyStatus": privacy, "containsSyntheticMedia": True, "selfDeclaredMadeForKids": False}
    if publish_at:
        status["publishAt"] = publish_at
    return {"snippet": {"title": title[:100], "description": description[:5000], "tags": tags,
                        "categoryId": category_id}, "status": status}

