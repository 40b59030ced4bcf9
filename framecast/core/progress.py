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


class RichBars:
    """Progress bars per stage, drawn by a rich `Progress` (which Prefect already depends on): the CLI's listener."""

    LABELS = {
        "script": "Script",
        "images": "Scene images",
        "narration": "Narration",
        "motion": "Scene motion",
        "assembly": "Assembly",
        "quality": "Quality gate",
        "publish": "Publish",
    }

    def __init__(self, progress):
        self.progress, self.bars, self.current = progress, {}, "the run"

    def stage(self, name: str, total: int) -> None:
        label = self.LABELS.get(name, name)
        self.current = f"the {label.lower()} stage"  # what an unexpected error is reported against
        self.bars[name] = self.progress.add_task(f"{label} ({total})" if total > 1 else label, total=total)

    def advance(self, name: str, detail: str = "") -> None:
        if name in self.bars:
            self.progress.advance(self.bars[name])


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
