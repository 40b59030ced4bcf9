"""Reading outside YAML and turning pydantic's errors into lines that name the field and the fix."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from framecast.core import textrules
from framecast.core.errors import ConfigError


def describe_validation_error(exc: ValidationError, source: str) -> str:
    """Turn pydantic's errors into lines that name the field, the problem and the input."""
    lines = [f"{source} is not valid:"]
    for err in exc.errors():
        loc = ""
        for part in err["loc"]:
            loc += f"[{part}]" if isinstance(part, int) else (f".{part}" if loc else str(part))
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling; see deployments/demo.yaml for the known fields)"
        elif err["type"] == "missing":
            msg = "required field is missing"
        got = err.get("input")
        shown = (
            ""
            if err["type"] in ("missing", "extra_forbidden") or isinstance(got, (dict, list))
            else f" (got {textrules.clip(repr(got), 80)})"
        )
        lines.append(f"  - {loc or '(top level)'}: {msg}{shown}")
    return "\n".join(lines)


def read_yaml(path: Path, what: str) -> dict:
    """Read a YAML mapping (size and nesting bounded), with an error naming the file when it is not one."""
    data = textrules.parse_structured(
        textrules.read_limited(path, what, ConfigError), f"{what} {path}", ConfigError, json_first=False
    )
    if not isinstance(data, dict):
        raise ConfigError(f"{what} {path} must be a YAML mapping of fields, got {type(data).__name__}")
    return data
