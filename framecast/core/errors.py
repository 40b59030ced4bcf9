"""One exception tree for everything framecast raises.

Drawn like httpx's: callers catch `RetryableError` to decide whether an attempt may be repeated
and `PermanentError` for everything that will fail the same way again.
"""

from __future__ import annotations


class FramecastError(Exception):
    """Base of every error framecast raises on purpose."""


class ConfigError(FramecastError):
    """A channel file, setting or argument is wrong; the message names the field and the fix."""


class ScriptError(FramecastError):
    """A script (from an LLM or a file) does not fit the schema or the channel's bounds."""


class ProviderError(FramecastError):
    """A provider call failed."""

    # Set only by the layers that know, read with getattr: a wait the provider asked for (seconds), the HTTP
    # layer having spent its attempts (the task must not multiply them), the message already located.
    retry_after: float | None
    attempts_exhausted: bool
    _located: bool

    def __init__(self, message: str, *, provider: str = "", status: int | None = None):
        super().__init__(message)
        self.provider = provider
        self.status = status
        # Where and how hard: filled in by the layers that know (the meter: stage; http: endpoint, attempts).
        self.stage: str = ""
        self.endpoint: str = ""
        self.attempts: int = 0
        self.waited: float = 0.0


class RetryableError(ProviderError):
    """The same call may succeed later."""


class RateLimited(RetryableError):
    """The provider asked us to slow down; `retry_after` is in seconds when it said how long."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw):
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ProviderTimeout(RetryableError):
    """The provider did not answer in time."""


class ProviderUnavailable(RetryableError):
    """The provider is down or overloaded (5xx, connection refused)."""


class PermanentError(ProviderError):
    """Repeating the call will not help."""


class AuthError(PermanentError):
    """Credentials are missing, wrong or revoked."""


class InvalidRequest(PermanentError):
    """The provider rejected what we sent."""


class ContentRejected(PermanentError):
    """The provider's safety system refused the input or the output."""


class QuotaExhausted(PermanentError):
    """A daily or account quota is used up; retrying within hours will not help."""


class MediaError(FramecastError):
    """ffmpeg/ffprobe failed or produced something unusable; the message carries stderr's tail."""


class ToolMissing(MediaError):
    """A required program (ffmpeg, ffprobe) is not installed."""


class StorageError(FramecastError):
    """An artifact could not be written or read."""


class ArtifactMissing(StorageError):
    """A referenced artifact is not (or no longer) in the store."""


class SlotTaken(StorageError):
    """The channel + date + topic was claimed for another video: publishing it would be a duplicate."""


class ChannelBusy(FramecastError):
    """The channel's lock stayed taken longer than a run waits for it (FRAMECAST_CHANNEL_WAIT_SECONDS)."""


# A store on a cloud service fails like a provider: these are StorageErrors and sit in the retryable /
# permanent halves of the tree, so task retries treat a 503 from the bucket like one from a provider
# (framecast/transport/google.py chooses them).
class StorageUnavailable(ProviderUnavailable, StorageError):
    """The store is down, overloaded or unreachable (5xx, connection reset); the same call may succeed later."""


class StorageTimeout(ProviderTimeout, StorageError):
    """The store did not answer in time."""


class StorageRateLimited(RateLimited, StorageError):
    """The store asked us to slow down (429, rateLimitExceeded)."""


class StorageDenied(AuthError, StorageError):
    """The store refused our credentials or permissions (401, 403)."""


class StorageRefused(InvalidRequest, StorageError):
    """The store refused the request itself (not found, bad request, precondition failed, quota used up)."""


class QualityGateFailed(FramecastError):
    """The video failed the quality gate and was not published."""

    def __init__(self, message: str, report=None):
        super().__init__(message)
        self.report = report


def is_retryable(exc: BaseException) -> bool:
    """True when `exc` is worth another attempt."""
    return isinstance(exc, RetryableError)


class BudgetExceeded(PermanentError):
    """The next call would take the run, the channel's day or its month over budget; nothing was spent on it."""
