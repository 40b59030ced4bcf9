"""Signed per-job callback URLs, and the callback outcome a receiver writes into a job record.

Kling does not sign its callbacks, so the URL framecast hands it carries the proof instead:
`{base}/kling/{job_id}?ts={unix seconds}&nonce={n}&token={HMAC-SHA256(secret, "kling:{job_id}:{n}:{ts}")}`.
The token is bound to one job, one submission (the random nonce, also kept in the job record when
the URL is minted: a URL from an earlier submission of the job stops working once the record is
cleared or resubmitted) and one issue time; the receiver refuses it once it is older than the
replay window (3 h by default: Kling's queue limit is 2 h and a task runs minutes). `job_id` is the
sha256 part of the job's store record `jobs/kling/<sha256>` (see `visuals.job_record`), so the
receiver finds the record without any index, and the strict hex patterns keep a path out of the
store key and non-ASCII text out of the comparison.

A callback is a wake-up, never the answer: the worker confirms it with one authenticated poll of
the provider before it downloads, clears or refunds anything (`providers.kling`).

This module has no web-framework imports: the provider client uses it to mint URLs and read
outcomes, the receiver (`framecast.callbacks.receiver`) to verify and record them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from urllib.parse import urlencode, urlparse

from framecast.core.envcheck import loopback
from framecast.core.errors import ConfigError

# Kling's queue limit is 2 h and a task then runs minutes: 3 h covers a genuine callback with room
# for the receiver's clock, while a URL leaked from a log stops working the same afternoon.
DEFAULT_MAX_AGE_SECONDS = 3 * 3600
CLOCK_SKEW_SECONDS = 300  # a token "from the future" beyond this is not one we issued
MIN_SECRET_LENGTH = 16
PROVIDERS = ("kling",)
JOB_ID = re.compile(r"[0-9a-f]{64}")  # always fullmatch: `$` would let a trailing newline in
# fullmatch on ASCII-only classes: `\d` would take Arabic-Indic digits, `$` a trailing newline.
TS = re.compile(r"[0-9]{1,12}")
NONCE = re.compile(r"[0-9a-f]{32}")
TOKEN = re.compile(r"[0-9a-f]{64}")
TERMINAL = ("succeed", "failed")


class CallbackRejected(Exception):
    """A callback whose URL token does not prove it belongs to the job (forged or expired)."""


class ForgedToken(CallbackRejected):
    """The token is missing or is not the HMAC framecast issued for this job and time."""


class ExpiredToken(CallbackRejected):
    """The token is genuine but older than the replay window."""


class CallbackSigner:
    """Mints and verifies the per-job callback URLs (one shared secret, a replay window)."""

    def __init__(
        self,
        secret: str,
        base_url: str | None = None,
        *,
        max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS,
        clock=time.time,
    ):
        if not secret or len(secret) < MIN_SECRET_LENGTH:
            raise ConfigError(
                f"the callback secret must be at least {MIN_SECRET_LENGTH} characters (FRAMECAST_CALLBACK_SECRET)"
            )
        if base_url:
            parsed = urlparse(base_url)
            # The token travels in the URL: anything but https would show it to the network.
            if parsed.scheme != "https" and not (parsed.scheme == "http" and loopback(parsed.hostname or "")):
                raise ConfigError(
                    f"the callback base URL must be https (plain http only on loopback): {base_url!r} "
                    "(FRAMECAST_CALLBACK_BASE_URL)"
                )
        self._secret = secret.encode()
        self.base_url = (base_url or "").rstrip("/")
        self.max_age, self.clock = max_age_seconds, clock

    def sign(self, provider: str, job_id: str, nonce: str, ts: int) -> str:
        """The hex HMAC that proves `provider/job_id` submission `nonce` was issued at `ts`."""
        return hmac.new(self._secret, f"{provider}:{job_id}:{nonce}:{ts}".encode(), hashlib.sha256).hexdigest()

    def url(self, provider: str, job_id: str, nonce: str) -> str:
        """The callback URL to give the provider for this submission of the job, signed now."""
        if not self.base_url:
            raise ConfigError("no callback base URL configured (FRAMECAST_CALLBACK_BASE_URL)")
        ts = int(self.clock())
        query = urlencode({"ts": ts, "nonce": nonce, "token": self.sign(provider, job_id, nonce, ts)})
        return f"{self.base_url}/{provider}/{job_id}?{query}"

    def verify(
        self, provider: str, job_id: str, ts: str | int | None, token: str | None, nonce: str | None = None
    ) -> None:
        """Raise ForgedToken or ExpiredToken unless the token is ours, for this job and nonce, and recent."""
        if not TS.fullmatch(str(ts or "")):
            raise ForgedToken("missing or malformed ts")
        if not NONCE.fullmatch(str(nonce or "")):
            raise ForgedToken("missing or malformed nonce")
        if not TOKEN.fullmatch(str(token or "")):
            raise ForgedToken("missing or malformed token")
        issued = int(str(ts))
        expected = self.sign(provider, job_id, str(nonce), issued)
        # compare_digest: a byte-by-byte early exit would leak how much of a guess was right.
        if not hmac.compare_digest(expected, str(token)):
            raise ForgedToken("token does not match")
        now = self.clock()
        if issued > now + CLOCK_SKEW_SECONDS:
            raise ForgedToken("token issued in the future")
        if now - issued > self.max_age:
            raise ExpiredToken(f"token older than {self.max_age:.0f} s")


def new_nonce() -> str:
    """A fresh random nonce for one submission of a job (kept in its record, carried by its callback URL)."""
    return secrets.token_hex(16)


def record_key(provider: str, job_id: str) -> str:
    """The store record a callback for `provider/job_id` completes."""
    return f"jobs/{provider}/{job_id}"


def job_id_from_key(key: str | None, provider: str) -> str | None:
    """The job id in a record key `jobs/<provider>/<sha256>`, or None when the key is not one."""
    prefix = f"jobs/{provider}/"
    if not key or not key.startswith(prefix) or not JOB_ID.fullmatch(key[len(prefix) :]):
        return None
    return key[len(prefix) :]


def outcome_entry(task_id: str, status: str, video_url: str, message: str, received_at: float) -> dict:
    """What a receiver writes under "callback" in the job record."""
    return {
        "task_id": task_id,
        "status": status,
        "video_url": video_url,
        "message": message,
        "received_at": received_at,
    }


def recorded_task(record: dict | None, task_id: str) -> dict | None:
    """The terminal callback outcome recorded for `task_id`, or None.

    It is a wake-up only: Kling does not sign callbacks, so the worker confirms it with one
    authenticated poll and uses that answer. An outcome for another task (a job that failed and
    was resubmitted) does not count.
    """
    outcome = (record or {}).get("callback") or {}
    if outcome.get("task_id") != task_id or outcome.get("status") not in TERMINAL:
        return None
    return dict(outcome)
