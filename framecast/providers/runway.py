"""Runway image-to-video over its REST API: submit, poll to a terminal status, download at once."""

from __future__ import annotations

import base64
import io
import math
import random
import time
from pathlib import Path

from PIL import Image

from framecast.errors import ContentRejected, InvalidRequest, ProviderTimeout, ProviderUnavailable
from framecast.http import ProviderHTTP
from framecast.providers.base import JobRecord

API_VERSION = "2024-11-06"
MEDIA_HOSTS = ("runwayml.com", "amazonaws.com", "cloudfront.net", "googleapis.com")
MAX_IMAGE_BYTES = 5 * 1024 * 1024
NON_TERMINAL = {"PENDING", "THROTTLED", "RUNNING"}
MAX_DOWNLOAD = 512 * 1024 * 1024


def ratio_for(width: int, height: int) -> str:
    """Runway's pixel-pair ratio closest to the frame ('16:9' is rejected)."""
    if width == height:
        return "960:960"
    return "1280:720" if width > height else "720:1280"


def data_uri(image: Path) -> str:
    """The still as a JPEG data URI under Runway's 5 MB limit."""
    with Image.open(image) as im:
        rgb = im.convert("RGB")
        for quality in (92, 85, 75, 60):
            buf = io.BytesIO()
            rgb.save(buf, "JPEG", quality=quality)
            encoded = base64.b64encode(buf.getvalue()).decode()
            if len(encoded) + 23 <= MAX_IMAGE_BYTES:
                return f"data:image/jpeg;base64,{encoded}"
    raise InvalidRequest(f"runway: {image.name} is too large for a data URI even at JPEG quality 60", provider="runway")


class RunwayVideoGenerator:
    name = "runway"

    def __init__(self, http: ProviderHTTP, model: str, *, poll_seconds: float = 5.0, deadline_seconds: float = 900.0,
                 sleep=time.sleep):
        self.http, self.model, self.poll, self.deadline, self.sleep = http, model, poll_seconds, deadline_seconds, sleep
        self.seconds_billed = 0

    @staticmethod
    def billed_seconds(duration: float) -> int:
        """The clip length Runway is asked for, and bills: whole seconds, 2–10."""
        return min(10, max(2, math.ceil(duration)))

    def animate(self, image: Path, *, prompt: str, duration: float, width: int, height: int, fps: int, seed: int,
                out: Path, job: JobRecord | None = None) -> Path:
        job = job or JobRecord()
        seconds = self.billed_seconds(duration)
        headers = {"X-Runway-Version": API_VERSION}
        task_id = job.get().get("task_id")
        if not task_id:  # nothing paid yet for these inputs
            body = {"model": self.model, "promptImage": data_uri(image), "ratio": ratio_for(width, height),
                    "duration": seconds, "seed": seed % 4294967295}
            if prompt:
                body["promptText"] = prompt[:1000]
            task = self.http.json("POST", "/v1/image_to_video", json=body, headers=headers)
            task_id = task.get("id")
            if not task_id:
                raise ProviderUnavailable("runway: image_to_video answered without a task id", provider="runway")
            job.put({"task_id": task_id, "seconds": seconds, "submitted_at": time.time()})
        self.seconds_billed = job.get().get("seconds", seconds)
        url = self._wait(task_id, headers, job)
        out.parent.mkdir(parents=True, exist_ok=True)
        self.http.download(url, out, allowed_hosts=MEDIA_HOSTS, max_bytes=MAX_DOWNLOAD, content_types=("video/",))
        return out

    def _wait(self, task_id: str, headers: dict, job: JobRecord) -> str:
        """Poll until SUCCEEDED (→ output URL) or a failure; PENDING/THROTTLED/RUNNING keep waiting.

        A job that ended without a clip is cleared from `job`; a blip or the deadline leaves it, so
        the next attempt resumes polling it rather than paying for another.
        """
        started = time.monotonic()
        while True:
            self.sleep(self.poll * (1 + random.uniform(0, 0.3)))
            response = self.http.request("GET", f"/v1/tasks/{task_id}", headers=headers, allow=(404,))
            if response.status_code == 404:
                job.clear()
                raise InvalidRequest(f"runway: task {task_id} was cancelled or deleted", provider="runway", status=404)
            try:
                task = response.json()
            except ValueError as exc:
                raise ProviderUnavailable(f"runway: malformed JSON polling task {task_id}", provider="runway") from exc
            status = task.get("status")
            if status == "SUCCEEDED":
                outputs = task.get("output") or []
                if not outputs:
                    raise ProviderUnavailable(f"runway: task {task_id} succeeded without output", provider="runway")
                return outputs[0]
            if status == "FAILED":
                job.clear()
                code, why = task.get("failureCode", ""), task.get("failure", "")
                message = f"runway: task {task_id} failed: {why} ({code})"
                if code.startswith("SAFETY"):
                    raise ContentRejected(message, provider="runway")
                if code.startswith("INTERNAL"):
                    raise ProviderUnavailable(message, provider="runway")
                raise InvalidRequest(message, provider="runway")
            if status == "CANCELLED":
                job.clear()
                raise InvalidRequest(f"runway: task {task_id} was cancelled", provider="runway")
            if status not in NON_TERMINAL:
                raise ProviderUnavailable(f"runway: unknown task status {status!r}", provider="runway")
            if time.monotonic() - started > self.deadline:
                raise ProviderTimeout(f"runway: task {task_id} still {status} after {self.deadline:.0f} s",
                                      provider="runway")
