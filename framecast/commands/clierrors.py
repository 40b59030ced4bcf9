"""How the CLI reports a failure: one line on stderr, the stage named, a traceback only with --verbose.

Exit codes (README): 0 published, 1 rejected by the quality gate, 2 bad input or a failed step.
"""

from __future__ import annotations

import logging
import sys
import traceback

BAD_INPUT_OR_FAILED_STEP = 2
MAX_LINE = 600


def one_line(text: str) -> str:
    """A (possibly multi-line) message as one line: a validation error's list becomes '; '-separated."""
    parts = [part.strip().removeprefix("- ").strip() for part in str(text).splitlines()]
    parts = [p for p in parts if p]
    if not parts:
        return ""
    head, rest = parts[0], parts[1:]
    line = head + (" " + "; ".join(rest) if rest else "")
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…"


def redacted(text: str) -> str:
    """`text` with every secret this process knows removed (settings that cannot load redact nothing)."""
    try:
        from framecast.transport import redaction

        return redaction.scrub(text)  # the configured keys and the tokens obtained at run time
    except Exception:  # noqa: BLE001 — a broken .env must not hide the error being reported
        return text


def unexpected(exc: BaseException, stage: str, verbose: bool | None) -> int:
    """Report an exception framecast did not raise on purpose: one line naming the stage; exit code 2.

    `verbose` None: the command has no --verbose, so the line does not offer it.
    """
    if verbose:
        print(redacted("".join(traceback.format_exception(exc))), file=sys.stderr, end="")
    what = one_line(redacted(str(exc))) or "(no message)"
    hint = " (run again with --verbose for the traceback)" if verbose is False else ""
    print(f"error: {stage}: unexpected {type(exc).__name__}: {what}{hint}", file=sys.stderr)
    return BAD_INPUT_OR_FAILED_STEP


class _NoTraceback(logging.Formatter):
    """A console formatter that keeps a record's message and drops its traceback (kept for other handlers)."""

    def __init__(self, inner: logging.Formatter):
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            return self.inner.format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved


def quiet_tracebacks() -> None:
    """Console log lines (Prefect's among them) without tracebacks; the run's API logs keep them."""
    names = [""] + [n for n in list(logging.root.manager.loggerDict) if n.startswith("prefect")]
    for name in names:
        for handler in getattr(logging.getLogger(name), "handlers", []):
            if isinstance(handler, logging.StreamHandler) and not isinstance(handler.formatter, _NoTraceback):
                handler.setFormatter(_NoTraceback(handler.formatter or logging.Formatter()))
