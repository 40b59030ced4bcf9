"""Faults for the GCS emulator, played in the real client's transport (a requests adapter), not in framecast.

gcp-storage-emulator has no fault knobs, so a `FaultyTransport` mounted on the client's session answers
chosen requests itself — a 503 in Google's JSON error shape, or a dropped connection — and passes
everything else to the emulator. framecast's own code runs unchanged.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter

Match = Callable[[requests.PreparedRequest], bool]


def uploads(name_part: str = "") -> Match:
    """Object uploads (media or multipart/resumable), optionally only those whose object name has `name_part`."""

    def match(request: requests.PreparedRequest) -> bool:
        if request.method not in ("POST", "PUT") or "/upload/storage/" not in request.url:
            return False
        body = request.body if isinstance(request.body, (bytes, str)) else b""
        body = body.encode() if isinstance(body, str) else body
        return not name_part or name_part in request.url or name_part.encode() in body[:4096]

    return match


def downloads() -> Match:
    return lambda request: request.method == "GET" and "alt=media" in request.url


def copies() -> Match:
    return lambda request: request.method == "POST" and "/copyTo/" in request.url


@dataclass
class _Planned:
    match: Match
    status: int  # 0: drop the connection
    reason: str
    times: int


class FaultyTransport(HTTPAdapter):
    def __init__(self):
        super().__init__()
        self._plan: list[_Planned] = []
        self._lock = threading.Lock()
        self.played: list[tuple[str, str, int]] = []  # (method, url, status) of every fault answered here
        self.requests: list[tuple[str, str]] = []

    def fail(self, match: Match, status: int = 503, times: int = 1, reason: str = "backendError") -> None:
        """Answer the next `times` matching requests with `status` (0: a dropped connection)."""
        with self._lock:
            self._plan.append(_Planned(match, status, reason, times))

    def hits(self, match: Match) -> int:
        return sum(1 for method, url in self.requests if match(_Probe(method, url)))

    def send(self, request, **kwargs):
        with self._lock:
            self.requests.append((request.method, request.url))
            planned = next((p for p in self._plan if p.times > 0 and p.match(request)), None)
            if planned is not None:
                planned.times -= 1
                self.played.append((request.method, request.url, planned.status))
        if planned is None:
            return super().send(request, **kwargs)
        if planned.status == 0:
            raise requests.ConnectionError("injected: connection reset by peer", request=request)
        response = requests.Response()
        response.status_code = planned.status
        response.reason = "injected"
        response.url = request.url
        response.request = request
        response.headers["content-type"] = "application/json"
        response._content = json.dumps(
            {
                "error": {
                    "code": planned.status,
                    "message": f"injected {planned.status}",
                    "errors": [{"reason": planned.reason, "domain": "global"}],
                }
            }
        ).encode()
        return response


class _Probe:
    def __init__(self, method: str, url: str):
        self.method, self.url, self.body = method, url, b""


def faulty_client(emulator_url: str, project: str = "framecast-test"):
    """A real storage.Client for the emulator with a FaultyTransport in its session: (client, transport)."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    client = storage.Client(project=project, credentials=AnonymousCredentials())
    transport = FaultyTransport()
    client._http.mount(emulator_url.rstrip("/") + "/", transport)
    return client, transport
