"""Request validation against schemas extracted from the providers' official specs (specs/).

`issues()` names the field at fault, even inside a union: of a `oneOf`/`anyOf` whose branches are told
apart by a tag property (OpenAI's message `role`, Runway's `model`), only the branch the tag picks is
reported; a tag no branch takes is reported as the tag's own invalid value, listing the values the spec
allows. Each provider's router turns the issues into its own error shape.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

SPECS = Path(__file__).parent / "specs"
TOO_BIG = ("maxLength", "maxItems", "maximum", "exclusiveMaximum", "maxProperties")
TOO_SMALL = ("minLength", "minItems", "minimum", "exclusiveMinimum", "minProperties")


@dataclass
class Issue:
    """One reason a document breaks a schema.

    code: "missing" | "invalid_type" | "invalid_value" | "too_big" | "too_small" | "unrecognized" |
    "invalid_format" | "invalid"; `validator` is the JSON Schema keyword that failed.
    """

    path: tuple = ()
    code: str = "invalid"
    message: str = ""
    validator: str = ""
    value: object = None
    allowed: list = field(default_factory=list)  # invalid_value: what the spec takes
    expected: list = field(default_factory=list)  # invalid_type: the JSON types the spec takes

    @property
    def dotted(self) -> str:
        return ".".join(map(str, self.path)) or "(body)"


@cache
def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads((SPECS / f"{name}.json").read_text()))


def issues(name: str, document: object) -> list[Issue]:
    """Why `document` breaks the schema `name`, field by field (empty when it conforms)."""
    found = [i for e in _validator(name).iter_errors(document) for i in _resolve(e)]
    return sorted(found, key=lambda i: [str(p) for p in i.path])


def problems(name: str, document: object) -> list[str]:
    """Why `document` breaks the schema `name` (empty when it conforms), one line per issue."""
    return [f"{i.dotted}: {i.message[:200]}" for i in issues(name, document)]


def _types(schema: dict) -> list[str]:
    kind = schema.get("type")
    return list(kind) if isinstance(kind, list) else [kind] if kind else []


def _tags(branches: list, schema: dict) -> list[str]:
    """The properties that tell a union's branches apart: one fixed value in every branch."""
    named = (schema.get("discriminator") or {}).get("propertyName")
    if named:
        return [named]
    tags = None
    for branch in branches:
        props = branch.get("properties", {}) if isinstance(branch, dict) else {}
        fixed = {k for k, v in props.items() if isinstance(v, dict) and ("const" in v or len(v.get("enum", ())) == 1)}
        tags = fixed if tags is None else tags & fixed
    return sorted(tags or ())


def _fixed_values(branches: list, tag: str) -> list:
    values = []
    for branch in branches:
        prop = (branch.get("properties") or {}).get(tag, {}) if isinstance(branch, dict) else {}
        for value in [prop["const"]] if "const" in prop else prop.get("enum", []):
            if value not in values:
                values.append(value)
    return values


def _resolve(error: ValidationError) -> list[Issue]:
    """The issues behind one validation error, descending into the union branch that applies."""
    path = tuple(error.absolute_path)
    if error.validator in ("oneOf", "anyOf") and error.context:
        branches = error.validator_value
        by_branch: dict[int, list[ValidationError]] = {}
        for sub in error.context:
            by_branch.setdefault(sub.relative_schema_path[0], []).append(sub)
        instance = error.instance
        for tag in _tags(branches, error.schema) if isinstance(instance, dict) else []:
            if tag not in instance:
                return [Issue(path + (tag,), "missing", f"'{tag}' is required", "required")]
            fits = [
                i
                for i, subs in by_branch.items()
                if not any(s.validator in ("const", "enum") and tuple(s.relative_path) == (tag,) for s in subs)
            ]
            fits += [i for i in range(len(branches)) if i not in by_branch]  # (a branch that passed)
            if not fits:
                allowed = _fixed_values(branches, tag)
                return [
                    Issue(
                        path + (tag,),
                        "invalid_value",
                        f"{instance[tag]!r} is not one of {allowed!r}",
                        "enum",
                        instance[tag],
                        allowed,
                    )
                ]
            if len(fits) == 1 and fits[0] in by_branch:
                return [i for sub in by_branch[fits[0]] for i in _resolve(sub)]
        subs = error.context
        if all(s.validator == "type" and not s.relative_path for s in subs):
            expected = [t for s in subs for t in _types(s.schema)]
            return [
                Issue(
                    path,
                    "invalid_type",
                    f"{error.instance!r} is not of type {' or '.join(expected)}",
                    "type",
                    error.instance,
                    expected=expected,
                )
            ]
        if all(s.validator in ("const", "enum", "type") and not s.relative_path for s in subs):
            allowed = [
                v
                for s in subs
                for v in (
                    [s.validator_value]
                    if s.validator == "const"
                    else s.validator_value
                    if s.validator == "enum"
                    else []
                )
            ]
            return [
                Issue(
                    path,
                    "invalid_value",
                    f"{error.instance!r} is not one of {allowed!r}",
                    "enum",
                    error.instance,
                    allowed,
                )
            ]
        return _resolve(best_match(subs))
    if error.validator == "required":
        missing = [n for n in error.validator_value if isinstance(error.instance, dict) and n not in error.instance]
        return [Issue(path + (n,), "missing", f"'{n}' is required", "required") for n in missing[:1] or ["?"]]
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = set(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in known] or ["?"]
        return [
            Issue(path + (k,), "unrecognized", f"unrecognized property '{k}'", "additionalProperties") for k in extra
        ]
    if error.validator == "type":
        expected = _types({"type": error.validator_value})
        return [Issue(path, "invalid_type", error.message, "type", error.instance, expected=expected)]
    if error.validator in ("enum", "const"):
        allowed = [error.validator_value] if error.validator == "const" else list(error.validator_value)
        return [Issue(path, "invalid_value", error.message, error.validator, error.instance, allowed)]
    if error.validator in TOO_BIG:
        return [Issue(path, "too_big", error.message, error.validator, error.instance)]
    if error.validator in TOO_SMALL:
        return [Issue(path, "too_small", error.message, error.validator, error.instance)]
    if error.validator in ("pattern", "format"):
        return [Issue(path, "invalid_format", error.message, error.validator, error.instance)]
    return [Issue(path, "invalid", error.message, str(error.validator), error.instance)]
