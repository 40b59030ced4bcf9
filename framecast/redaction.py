"""Keep provider secrets out of every log line, wherever the record comes from."""

from __future__ import annotations

import logging

from framecast.http import redact


class RedactingFilter(logging.Filter):
    """Replaces each secret in a record's message (and arguments) with ***."""

    def __init__(self, secrets: list[str]):
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            cleaned = redact(message, self.secrets)
            if cleaned != message:
                record.msg, record.args = cleaned, None
        return True


def install(secrets: list[str]) -> None:
    """Attach the filter to every handler of the root and Prefect loggers (idempotent)."""
    loggers = [logging.getLogger(), logging.getLogger("prefect")]
    loggers += [logging.getLogger(name) for name in list(logging.root.manager.loggerDict) if name.startswith("prefect")]
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(RedactingFilter(secrets))
