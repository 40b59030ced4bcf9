"""Keep provider secrets out of every log line and every stored error, wherever they come from.

`install` puts a log-record factory in place once per process: every record any logger makes (Prefect's
API log handler included, and handlers added later) has its message, traceback and stack redacted as
it is created, against the secrets configured *now* (re-read when the settings are), plus every secret
this process has seen before (a rotated-out key stays masked).
"""

from __future__ import annotations

import logging
import threading
import traceback

from framecast.core.scrub import redact

_lock = threading.Lock()
_seen: set[str] = set()  # every secret registered in this process, never forgotten
_settings_secrets: tuple[object, tuple[str, ...]] = (None, ())  # (the Settings object, its secrets)
_busy = threading.local()  # reading the settings may log: those records use the secrets already known
_installed = False
# settings → every secret they configure; framecast.providers hands in the one that knows each vendor's keys.
_source: list = []


def use_secrets(source) -> None:
    """Take the secrets to redact from `source(settings)` (set by framecast.providers, which knows the vendors)."""
    _source[:] = [source]


def register(secrets) -> None:
    """Add secrets to the ones every record and stored error is redacted against."""
    with _lock:
        _seen.update(s for s in secrets if s)


def current() -> list[str]:
    """The secrets to redact now: the current settings' and every one registered before."""
    global _settings_secrets
    if not getattr(_busy, "on", False):
        _busy.on = True
        try:
            from framecast.settings import get_settings

            settings = get_settings()
            if settings is not _settings_secrets[0]:
                fresh = tuple(_source[0](settings) if _source else settings.secrets())
                with _lock:
                    _seen.update(_settings_secrets[1])  # a rotated-out key may still be in a late message
                    _settings_secrets = (settings, fresh)
        except Exception:  # invalid settings are reported where they are used; keep what is known
            pass
        finally:
            _busy.on = False
    with _lock:
        return sorted(_seen.union(_settings_secrets[1]))


def scrub(text: str) -> str:
    """`text` without any current secret: for an error message that is stored (manifests, records)."""
    return redact(str(text), current())


def error_text(exc: BaseException) -> str:
    """An exception's message for storing, redacted."""
    return scrub(str(exc))


def clean_record(record: logging.LogRecord, secrets: list[str]) -> None:
    """Redact a record's message, traceback (rendered now, chained causes included) and stack, in place."""
    if not secrets:
        return
    try:
        message = record.getMessage()
    except Exception:  # a malformed call (args not matching msg): logging reports it; leave it as it is
        return
    cleaned = redact(message, secrets)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_info and record.exc_info[0] is not None:
        # Rendered into exc_text, which every Formatter prints instead of formatting exc_info again.
        record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_info = None
    if record.exc_text:
        record.exc_text = redact(record.exc_text, secrets)
    if record.stack_info:
        record.stack_info = redact(record.stack_info, secrets)


class RedactingFilter(logging.Filter):
    """Redacts each record it sees (for a handler that should be safe on its own); None = the current secrets."""

    def __init__(self, secrets: list[str] | None = None):
        super().__init__()
        self.secrets = None if secrets is None else [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        clean_record(record, current() if self.secrets is None else self.secrets)
        return True


def install(secrets=()) -> None:
    """Register `secrets` and make every log record of this process redacted from now on (idempotent)."""
    global _installed
    register(secrets)
    with _lock:
        if _installed:
            return
        _installed = True
        make = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = make(*args, **kwargs)
        clean_record(record, current())
        return record

    logging.setLogRecordFactory(factory)
