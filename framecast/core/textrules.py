"""Rules every piece of outside text obeys: no control or bidi-override characters, bounded files and nesting.

Text reaches framecast from a terminal, a Prefect form, a notes file, a script file and a channel file, and
leaves it in ffmpeg graphs, captions, YouTube metadata and a PostgreSQL-backed Prefect database (which
refuses NUL in JSON). Checking it once here, with the field named, keeps every later stage total.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import yaml

# Limits a user can meet; the README and docs/reference.md state them.
MAX_TOPIC_CHARS = 200
MAX_NOTES = 40  # a video has at most 40 scenes (models.MAX_SCENES); more facts than that cannot all be used
MAX_NOTE_CHARS = 1000
MAX_FILE_BYTES = 1_000_000  # a script, channel, notes or topics file; the largest valid script is ~120 kB
MAX_NESTING = 20  # levels of mappings/lists in a script or channel file; real ones use 4-5

# Explicit direction controls can make a title read differently from what it says (U+202E "right-to-left
# override"); the implicit marks U+200E/U+200F that Arabic and Hebrew text needs are kept.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAKS = frozenset("\n\t\r")


def bad_character(text: str, multiline: bool = False) -> tuple[int, str] | None:
    """(position, character) of the first control, surrogate or bidi-override character, else None."""
    for i, ch in enumerate(text):
        if multiline and ch in LINE_BREAKS:
            continue
        if ch in BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cs"):
            return i, ch
    return None


def why_bad(text: str, multiline: bool = False) -> str | None:
    """What is wrong with `text`'s characters, as the tail of a one-line message; None when nothing is."""
    found = bad_character(text, multiline)
    if found is None:
        return None
    i, ch = found
    kind = "a bidi-override" if ch in BIDI_CONTROLS else "a control"
    return f"contains {kind} character U+{ord(ch):04X} at position {i + 1}; remove it"


def refuse_bad(value: str) -> str:
    """A pydantic validator: `value` unchanged, or a ValueError saying which character to remove."""
    problem = why_bad(value, multiline=True)
    if problem:
        raise ValueError(problem)
    return value


def fold(text: str) -> str:
    """`text` on one line: every run of whitespace (newlines and tabs too) becomes one space."""
    return " ".join(text.split())


def has_word(text: str) -> bool:
    """Whether `text` has at least one letter or digit (something a voice can say)."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


def check_topic(topic: str, field: str, error: type[Exception]) -> str:
    """A topic with whitespace folded, or `error` naming `field` and saying what a topic must be."""
    cleaned = fold(topic or "")
    if not cleaned:
        raise error(
            f'{field}: must not be empty; pass what the video is about, e.g. "How volcanoes work" '
            "(scheduled runs take it from the channel's topics list)"
        )
    if len(cleaned) > MAX_TOPIC_CHARS:
        raise error(f"{field}: {len(cleaned)} characters; keep it to {MAX_TOPIC_CHARS} (put detail in --notes)")
    shown = repr(clip(cleaned, 40))
    problem = why_bad(cleaned)
    if problem:
        raise error(f"{field}: {shown} {problem}")
    if not has_word(cleaned):
        raise error(
            f'{field}: {shown} has no letter or digit; say in words what the video is about, e.g. "How volcanoes work"'
        )
    return cleaned


def clip(text: str, limit: int, ellipsis: str = "…") -> str:
    """`text` cut to at most `limit` characters at a word boundary (mid-word only when a word is that long)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ellipsis)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + ellipsis


def depth(data) -> int:
    """Levels of nested mappings and lists in parsed data (shared YAML aliases counted once, cycles ended)."""
    level, current, seen = 0, [data], set[int]()
    while current:
        containers = [c for c in current if isinstance(c, (dict, list)) and id(c) not in seen]
        if not containers:
            break
        level += 1
        if level > MAX_NESTING:
            return level
        seen.update(id(c) for c in containers)
        current = [v for c in containers for v in (c.values() if isinstance(c, dict) else c)]
    return level


def read_limited(path: Path, what: str, error: type[Exception]) -> str:
    """A text file's content, refused as `error` when it cannot be read or is over MAX_FILE_BYTES."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise error(f"{what} {path}: {size} bytes; the limit is {MAX_FILE_BYTES} bytes (is it the right file?)")
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"{what} {path}: cannot read it ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise error(f"{what} {path}: not UTF-8 text (byte {exc.start + 1}); save it as UTF-8") from exc


def parse_structured(text: str, what: str, error: type[Exception], json_first: bool = True):
    """JSON (when `json_first`) or YAML text parsed safely, with nesting and size bounded; `error` otherwise."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise error(f"{what}: more than {MAX_FILE_BYTES} bytes; shorten it")
    kind = "neither valid JSON nor valid YAML" if json_first else "not valid YAML"
    try:
        data = _json_or_yaml(text, json_first)
    except RecursionError:
        data, nested = None, True
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
        # PyYAML raises ValueError for impossible dates (2026-02-30); the parser's text is one clipped line.
        raise error(f"{what} is {kind}: {clip(fold(str(exc)), 300)}") from None
    else:
        nested = depth(data) > MAX_NESTING
    if nested:
        raise error(f"{what}: nested more than {MAX_NESTING} levels deep; a script or channel file needs about 5")
    return data


def _json_or_yaml(text: str, json_first: bool):
    if json_first:
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            pass
    return yaml.safe_load(text)
