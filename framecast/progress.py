"""Stage progress for whoever is watching (the CLI's progress bars); silent by default."""

from __future__ import annotations

from typing import Protocol


class Listener(Protocol):
    def stage(self, name: str, total: int) -> None: ...

    def advance(self, name: str, detail: str = "") -> None: ...


class _Silent:
    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, name: str, detail: str = "") -> None:
        pass


_listener: Listener = _Silent()


def listen(listener: Listener | None) -> None:
    """Install a listener (None restores silence)."""
    global _listener
    _listener = listener or _Silent()


def stage(name: str, total: int = 1) -> None:
    """A stage with `total` steps begins."""
    _listener.stage(name, total)


def advance(name: str, detail: str = "") -> None:
    """One step of a stage finished."""
    _listener.advance(name, detail)
