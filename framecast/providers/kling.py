"""Kling image-to-video: per-request JWT, submit, poll (or callback), download."""

from __future__ import annotations

import base64
import io
import random
import time
from pathlib import Path

import jwt
from PIL import Image

from framecast.errors import ContentRejected, InvalidRequest, ProviderTimeout, ProviderUnavailable, RateLimited
from framecast.http import ProviderHTTP
from framecast.providers.base import JobRecord

MEDIA_HOSTS = ("klingai.com", "kling.ai", "aliyuncs.com", "amazonaws.com")
MAX_DOWNLOAD = 512 * 1024 * 1024
TOO_MANY_TASKS = 1303


def token(access_key: str, secret_key: str, now: float | None = None) -> str:
    """The HS256 JWT Kling expects on every request (valid 30 minutes)."""
    now = time.time() if now is None else now
    return jwt.encode({"iss": access_key, "exp": int(now) + 1800, "nbf": int(now) - 5}, secret_key,
                      algorithm="HS256", headers={"alg": "HS256", "typ": "JWT"})


def kling_error(response) -> tuple[str, str]:
    try:
        body = response.json()
        return str(body.get("message", "")), str(body.get("code", ""))
    except (ValueError, AttributeError):
        return response.text[:300], ""


class KlingVideoGenerator:
    name = "kling"

    def __init__(self, http: ProviderHTTP, model: str, access_key: str, secret_key: str, *, mode: str = "std",
                 poll_seconds: float = 5.0, deadline_seconds: float = 900.0, callback_url: str | None = None,
                 sleep=time.sleep):
        self.http, self.model, self.mode = http, model, mode
        self.access_key, self.secret_key = access_key, secret_key
        self.poll, self.deadline, self.callback_url, self.sleep = poll_seconds, deadline_seconds, callback_url, sleep
        self.seconds_billed = 0

    def _auth(self) -> dict:
        return {"Authorization": f"Bearer {token(self.access_key, self.secret_key)}"}

    def _check(self, body: dict, what: str) -> dict:
        code = body.get("code", 0)
        if code == TOO_MANY_TASKS:
            raise RateLimited(f"kling: too many parallel tasks (1303) while {what}", retry_after=10, provider="kling")
        if code:
            raise InvalidRequest(f"kling: {what} failed: {body.get('message')} ({code})", provider="kling")
        return body.get("data") or {}

    @staticmethod
    def billed_seconds(duration: float) -> int:
        """Kling makes, and bills, 5 or 10 s clips."""
        return 5 if duration <= 5 else 10

    def animate(self, image: Path, *, prompt: str, duration: float, width: int, height: int, fps: int, seed: int,
                out: Path, job: JobRecord | None = None) -> Path:
        job = job or JobRecord()
        seconds = str(self.billed_seconds(duration))
        task_id = job.get().get("task_id")
        if not task_id:  # nothing paid yet for these inputs
            with Image.open(image) as im:
                buf = io.BytesIO()
                im.convert("RGB").save(buf, "JPEG", quality=90)
            body = {"model_name": self.model, "image": base64.b64encode(buf.getvalue()).decode(),  # raw, no data: prefix
                    "prompt": prompt[:2500], "mode": self.mode, "duration": seconds}
            if self.callback_url:
                body["callback_url"] = self.callback_url
            data = self._check(self.http.json("POST", "/v1/videos/image2video", json=body, headers=self._auth()),
                               "submitting image2video")
            task_id = data.get("task_id")
            if not task_id:
                raise ProviderUnavailable("kling: image2video answered without a task_id", provider="kling")
            job.put({"task_id": task_id, "seconds": int(seconds), "submitted_at": time.time()})
        self.seconds_billed = job.get().get("seconds", int(seconds))  # Kling bills 5 or 10 s
        url = self._wait(task_id, job)
        out.parent.mkdir(parents=True, exist_ok=True)
        self.http.download(url, out, allowed_hosts=MEDIA_HOSTS, max_bytes=MAX_DOWNLOAD, content_types=("video/",))
        return out

    def _wait(self, task_id: str, job: JobRecord) -> str:
        """Poll to a terminal status; a failed job is cleared from `job`, a blip or the deadline is not."""
        started = time.monotonic()
        while True:
            self.sleep(self.poll * (1 + random.uniform(0, 0.3)))
            data = self._check(self.http.json("GET", f"/v1/videos/image2video/{task_id}", headers=self._auth()),
                               "polling")
            status = data.get("task_status")
            if status == "succeed":
                videos = (data.get("task_result") or {}).get("videos") or []
                if not videos:
                    raise ProviderUnavailable(f"kling: task {task_id} succeeded without videos", provider="kling")
                return videos[0]["url"]
            if status == "failed":
                job.clear()
                why = data.get("task_status_msg", "")
                error = ContentRejected if "risk" in why.lower() or "safety" in why.lower() else InvalidRequest
                raise error(f"kling: task {task_id} failed: {why}", provider="kling")
            if status not in ("submitted", "processing"):
                raise ProviderUnavailable(f"kling: unknown task status {status!r}", provider="kling")
            if time.monotonic() - started > self.deadline:
                raise ProviderTimeout(f"kling: task {task_id} still {status} after {self.deadline:.0f} s",
                                      provider="kling")
