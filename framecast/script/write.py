"""Getting a valid script: from the channel's writer, or from a user's JSON/YAML file."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from pydantic import ValidationError

from framecast import providers
from framecast.core import textrules
from framecast.core.errors import ScriptError
from framecast.core.models import Origin, Script
from framecast.core.textrules import MAX_NOTE_CHARS, MAX_NOTES, MAX_TOPIC_CHARS, fold, has_word, why_bad  # noqa: F401
from framecast.core.validation import describe_validation_error
from framecast.cost.meter import Charge, Meter
from framecast.cost.tokens import script_reservation
from framecast.providers import chain as fallback
from framecast.providers.base import ScriptBrief
from framecast.script.config import ScriptConfig

ESTIMATED_SCRIPT_TOKENS = 3000


def clean_topic(topic: str) -> str:
    """The topic with whitespace folded, or a ScriptError saying what a topic must be."""
    return textrules.check_topic(topic, "topic", ScriptError)


def script_topic(script: Script) -> str:
    """The topic of a run given only a script: its title, checked like a topic."""
    return textrules.check_topic(script.title, "the script's title (the run's topic when none is given)", ScriptError)


def check_notes(notes, source: str = "notes") -> tuple[str, ...]:
    """Notes on one line each, blank ones dropped, within MAX_NOTES of MAX_NOTE_CHARS; else a ScriptError."""
    kept = tuple(n for n in (fold(n) for n in notes) if n)
    if len(kept) > MAX_NOTES:
        raise ScriptError(
            f"{source}: {len(kept)} notes; at most {MAX_NOTES} (one fact per scene); keep the most important ones"
        )
    for i, note in enumerate(kept):
        problem = why_bad(note)
        if problem:
            raise ScriptError(f"{source}[{i}]: {problem}")
        if len(note) > MAX_NOTE_CHARS:
            raise ScriptError(
                f"{source}[{i}]: {len(note)} characters; keep each note to {MAX_NOTE_CHARS} "
                "(split it into several notes, one fact each)"
            )
        if not has_word(note):
            raise ScriptError(f"{source}[{i}]: {note[:20]!r} has no letter or digit; write the fact in words")
    return kept


def run_inputs(topic, notes, script, publish_date) -> tuple[str, tuple[str, ...], Script | None, date | None]:
    """A run's parameters as given by a form, the API or Python, checked with errors that name the field."""
    if not isinstance(topic, str):
        raise ScriptError(f'topic: must be text, got {type(topic).__name__}; e.g. "How volcanoes work"')
    if notes is not None and not (isinstance(notes, (list, tuple)) and all(isinstance(n, str) for n in notes)):
        raise ScriptError('notes: must be a list of short texts (one fact each), e.g. ["Lava is molten rock"]')
    if topic.strip():
        topic = clean_topic(topic)
    notes = check_notes(notes or ())
    if isinstance(script, dict):
        try:
            script = Script.model_validate(script)
        except ValidationError as exc:
            raise ScriptError(describe_validation_error(exc, "the script parameter")) from exc
    elif script is not None and not isinstance(script, Script):
        raise ScriptError("script: must be a script object with title and scenes (see examples/script.yaml)")
    if isinstance(publish_date, str) and publish_date.strip():
        try:
            publish_date = date.fromisoformat(publish_date.strip())
        except ValueError as exc:
            raise ScriptError(
                f"publish_date: {publish_date!r} is not a date ({exc}); use YYYY-MM-DD, e.g. 2026-12-02, "
                "or leave it blank for the day the run was scheduled for"
            ) from None
    elif isinstance(publish_date, str) or publish_date is None:
        publish_date = None
    elif isinstance(publish_date, datetime) or not isinstance(publish_date, date):
        raise ScriptError(f"publish_date: must be a date (YYYY-MM-DD), got {publish_date!r}")
    return topic, notes, script, publish_date


def check_for_channel(script: Script, cfg: ScriptConfig, source: str) -> Script:
    """Enforce the channel's scene-count bounds on a schema-valid script."""
    n = len(script.scenes)
    if not cfg.min_scenes <= n <= cfg.max_scenes:
        raise ScriptError(
            f"{source}: scenes has {n} entries; the channel allows {cfg.min_scenes}–{cfg.max_scenes} "
            f"(change the script, or script.min_scenes/max_scenes in the channel file)"
        )
    return script


def write(
    topic: str, cfg: ScriptConfig, meter: Meter, language: str = "en", notes: tuple[str, ...] = ()
) -> tuple[Script, Origin]:
    """A validated script about `topic` from the first writer of the channel's chain that can, and who wrote it."""
    return fallback.run_chain(
        "script", cfg, lambda one: _write(topic, one, meter, language, notes), day=meter.run_day, memory=meter.fallbacks
    )


def _write(topic: str, cfg: ScriptConfig, meter: Meter, language: str, notes: tuple[str, ...]) -> Script:
    writer = providers.script_writer(cfg)
    brief = ScriptBrief(
        topic=clean_topic(topic),
        min_scenes=cfg.min_scenes,
        max_scenes=cfg.max_scenes,
        target_seconds=cfg.target_seconds,
        language=language,
        notes=tuple(notes),
    )
    with meter.charge(
        provider=writer.name,
        role="script",
        units=script_reservation(brief, writer),
        unit="token",
        model=getattr(writer, "model", ""),
    ) as bill:
        try:
            script = writer.write(brief)
        except ValidationError as exc:  # any writer, built-in or plugin: a described ScriptError, not a dump
            raise ScriptError(describe_validation_error(exc, f"script from the {writer.name} writer")) from None
        bill_tokens(bill, writer)
    return check_for_channel(script, cfg, f"script from the {writer.name} writer")


def parse(text: str, source: str) -> Script:
    """Validate script text (JSON, or YAML) against the schema, with errors that name the field."""
    data = textrules.parse_structured(text, source, ScriptError)
    if not isinstance(data, dict):
        raise ScriptError(f"{source} must be a mapping with title and scenes (see examples/script.yaml)")
    try:
        return Script.model_validate(data)
    except ValidationError as exc:
        raise ScriptError(describe_validation_error(exc, source)) from exc


def load(path: Path, cfg: ScriptConfig) -> Script:
    """A user's own script file, validated against the schema and the channel."""
    text = textrules.read_limited(Path(path), "--script", ScriptError)
    return check_for_channel(parse(text, f"script file {path}"), cfg, f"script file {path}")


def read_notes(path: Path | None) -> tuple[str, ...]:
    """Notes for the writer: one point per non-empty line (bullets stripped)."""
    if path is None:
        return ()
    lines = textrules.read_limited(Path(path), "--notes", ScriptError).splitlines()
    return check_notes((line.strip().lstrip("-*• ").strip() for line in lines), f"--notes {path}, note")


def bill_tokens(bill: Charge, writer) -> None:
    """Tokens from the responses' usage when the writer reports them, else one request (local writers)."""
    tokens = getattr(writer, "tokens_used", 0)
    bill.units, bill.unit = (tokens, "token") if tokens else (1, "request")
