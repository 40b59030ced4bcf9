"""Fallback chains: a stage tries its providers in order and moves on only for what the next one can avoid.

A channel names a chain per stage (`motion: {providers: [runway, kling, local]}`); the old
`provider: runway` is a chain of one. Moving on happens for failures that would hit every later
call to the same provider in this run — quota used up, credentials refused, a key or default
model missing, a model past its shutdown date (from the registry, checked before any call) or
gone at the provider (404/410) — and for a job the provider failed for good. A content rejection
moves on only for pictures and sounds (image, motion, sound): another vendor's moderation judges a
still or a prompt differently and the local providers refuse nothing; a script or narration refused for its
words would be refused for the same words again, so it stops the run. A budget never falls back
(a cheaper provider is a decision for the channel file, not for a failing run). Retryable errors
stay with the provider: the task's retries handle them.

Run-wide failures are remembered for the run (`FallbackMemory`, carried by the run's Meter), so
scene 7 does not ask an exhausted Runway again. What was skipped and why travels with each asset
(`Origin`), into the manifest, the logs and the cost artifact.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any, ClassVar, Self, TypeVar

from pydantic import Field, model_validator

from framecast.core.errors import (
    AuthError,
    ConfigError,
    ContentRejected,
    InvalidRequest,
    PermanentError,
    ProviderError,
    QuotaExhausted,
)
from framecast.core.models import FallbackStep, Frozen, Origin
from framecast.providers import registry
from framecast.transport.redaction import error_text

T = TypeVar("T")
# Roles whose content rejection the next provider may not repeat: another vendor's moderation judges a still,
# a prompt or a sound differently, and the local providers refuse nothing.
PICTURE_ROLES = ("image", "motion")
REJECTION_MOVES_ON = (*PICTURE_ROLES, "sound")


class StageConfig(Frozen):
    """Who makes a stage's output: one provider, or a chain tried in order (`providers`)."""

    ROLE: ClassVar[str] = ""
    provider: str = "local"
    providers: tuple[str, ...] = ()  # the fallback chain, first = preferred; empty = just `provider`
    model: str | None = None  # for the first provider (None: the registry's default)
    models: dict[str, str] = Field(default_factory=dict)  # per provider of the chain

    @model_validator(mode="before")
    @classmethod
    def _first_of_chain(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("providers") and "provider" not in data:
            data = {**data, "provider": list(data["providers"])[0]}
        return data

    @model_validator(mode="after")
    def _known_providers(self) -> Self:
        chain = self.providers or (self.provider,)
        if self.providers and self.provider != chain[0]:
            raise ValueError(
                f"provider {self.provider!r} and providers {list(chain)} disagree: give providers "
                f"alone (its first entry is the preferred provider)"
            )
        if len(set(chain)) != len(chain):
            raise ValueError(f"providers lists a provider twice: {list(chain)}")
        known = sorted(s.name for s in registry.all_specs() if self.ROLE in s.roles)
        for name in chain:
            if name not in known:
                raise ValueError(
                    f"unknown {self.ROLE} provider {name!r}; known: {', '.join(known)} "
                    f"(a plugin's provider appears once its package is installed)"
                )
        stray = sorted(set(self.models) - set(chain))
        if stray:
            raise ValueError(f"models names {', '.join(stray)}, which is not in the chain {list(chain)}")
        return self

    def chain(self) -> list[Self]:
        """One single-provider config per link, in order (each with its own model)."""
        names = self.providers or (self.provider,)
        return [self._link(name, first=i == 0) for i, name in enumerate(names)]

    def _link(self, name: str, first: bool) -> Self:
        model = self.models.get(name) or (self.model if first else None)
        return self.model_copy(update={"provider": name, "providers": (), "model": model, "models": {}})


class FallbackMemory:
    """Providers found unusable for the rest of a run, per role, with why (thread-safe; one per run)."""

    def __init__(self) -> None:
        self._marks: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:  # the meter travels to other processes; a lock does not
        with self._lock:
            return {"_marks": dict(self._marks)}

    def __setstate__(self, state: dict) -> None:
        self._marks, self._lock = state["_marks"], threading.Lock()

    def mark(self, role: str, provider: str, reason: str) -> None:
        with self._lock:
            self._marks.setdefault((role, provider), reason)

    def reason(self, role: str, provider: str) -> str | None:
        with self._lock:
            return self._marks.get((role, provider))


def reason_to_move_on(exc: BaseException, role: str) -> tuple[str, bool] | None:
    """(why, for the whole run) when the next provider may succeed where this one failed; None: stop here."""
    from framecast.core.errors import BudgetExceeded  # the meter imports config, which imports this module

    if isinstance(exc, BudgetExceeded):
        return None
    if isinstance(exc, QuotaExhausted):
        return "quota used up", True
    if isinstance(exc, AuthError):
        return "credentials refused", True
    if isinstance(exc, ConfigError):
        return f"not configured ({exc})", True
    if isinstance(exc, ContentRejected):
        return ("content rejected", False) if role in REJECTION_MOVES_ON else None
    if isinstance(exc, InvalidRequest):
        return ("model not available at the provider", True) if exc.status in (404, 410) else None
    if type(exc) is PermanentError:  # the provider's job failed for good (not a bad request of ours)
        return "job failed", False
    return None


def retired(role: str, provider: str, model: str | None, day: date) -> str | None:
    """Why this link must not be called on `day` (its model is past its shutdown date), else None."""
    known = registry.model(provider, model or registry.default_model(role, provider) or "")
    if known and known.shutdown and day >= known.shutdown:
        return f"model {known.id} shut down on {known.shutdown}"
    return None


def run_chain(
    role: str, cfg: StageConfig, attempt: Callable[[StageConfig], T], *, day: date, memory: FallbackMemory | None = None
) -> tuple[T, Origin]:
    """The first link of `cfg`'s chain that succeeds: its result and where it came from (what was skipped, why).

    When the last link fails too, its error is raised with what was tried before it.
    """
    memory = memory or FallbackMemory()
    links = cfg.chain()
    skipped: list[FallbackStep] = []
    for i, link in enumerate(links):
        last = i == len(links) - 1
        known = memory.reason(role, link.provider) or retired(role, link.provider, link.model, day)
        if known and not last:
            skipped.append(FallbackStep(provider=link.provider, reason=known))
            continue
        try:
            result = attempt(link)
        except Exception as exc:
            why = reason_to_move_on(exc, role)
            if why is None or last:
                if skipped:
                    _add_context(exc, skipped)
                raise
            reason, run_wide = why
            reason = f"{reason}: {_short(exc)}"
            if run_wide:
                memory.mark(role, link.provider, reason)
            skipped.append(FallbackStep(provider=link.provider, reason=reason))
            continue
        return result, Origin(
            provider=link.provider,
            model=link.model or registry.default_model(role, link.provider) or "",
            skipped=skipped,
        )
    raise AssertionError("unreachable: the last link either returns or raises")


def _short(exc: BaseException) -> str:
    full = error_text(exc)  # stored in the manifest's fallbacks: never a secret
    text = full.splitlines()[0] if full else type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def _add_context(exc: BaseException, skipped: list[FallbackStep]) -> None:
    tried = "; ".join(f"{s.provider}: {s.reason}" for s in skipped)
    if isinstance(exc, ProviderError) or isinstance(exc, ConfigError):
        exc.args = (f"{exc.args[0] if exc.args else exc} (the fallback chain tried before it: {tried})", *exc.args[1:])
    exc.add_note(f"fallback chain tried before: {tried}")
