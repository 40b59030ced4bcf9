"""Request validation against schemas extracted from the providers' official specs (specs/)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from jsonschema import Draft202012Validator

SPECS = Path(__file__).parent / "specs"


@lru_cache(maxsize=None)
def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads((SPECS / f"{name}.json").read_text()))


def problems(name: str, document: object) -> list[str]:
    """Why `document` breaks the schema `name` (empty when it conforms)."""
    errors = sorted(_validator(name).iter_errors(document), key=lambda e: list(e.path))
    return [f"{'.'.join(map(str, e.path)) or '(body)'}: {e.message[:200]}" for e in errors]
