"""JSON Schema validation of a spec document, in words a person understands.

The schema (``schemas/vlanspec.schema.json``, shipped inside the package) is the contract editors
use too. jsonschema's own messages (``'foo' is not valid under any of the given schemas``) are
rewritten here, and each one is placed at the line and column of the offending key or value.
"""

from __future__ import annotations

import functools
import ipaddress
import json
from collections.abc import Iterator
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from vlanspec.diagnostics import Diagnostic, sorted_diagnostics
from vlanspec.spec.model import Path, SourceMap

#: Schema problems reported per file; past this the rest are counted, not listed.
MAX_REPORTED = 50

_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}


def schema_text(name: str = "vlanspec.schema.json") -> str:
    """A JSON Schema shipped in the package (the spec format's by default)."""
    return resources.files("vlanspec").joinpath("schemas", name).read_text("utf-8")


@functools.cache
def _validator() -> Draft202012Validator:
    checker = FormatChecker(formats=("ipv4", "ipv6"))
    checker.checks("vlanspec-cidr", raises=ValueError)(_is_cidr)
    return Draft202012Validator(json.loads(schema_text()), format_checker=checker)


def _is_cidr(value: object) -> bool:
    if not isinstance(value, str):
        return True  # formats judge strings only; the type rule reports anything else
    if "/" not in value:
        return False
    ipaddress.ip_network(value, strict=False)  # raises ValueError with the reason
    return True


def validate(data: Any, source: SourceMap) -> list[Diagnostic]:
    """Every schema violation in ``data``, each at its place in the file."""
    errors = list(_validator().iter_errors(data))
    # A CIDR has both a pattern (for editors) and a format (for the real check): say it once.
    formatted = {tuple(e.absolute_path) for e in errors if e.validator == "format"}
    # A value of the wrong type breaks every other rule about it too: say only the type.
    mistyped = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
    diagnostics: list[Diagnostic] = []
    for error in errors:
        path = tuple(error.absolute_path)
        if error.validator == "pattern" and path in formatted:
            continue
        if error.validator != "type" and path in mistyped:
            continue
        diagnostics.extend(_explain(error, source))
    return _at_most(MAX_REPORTED, sorted_diagnostics(diagnostics))


def _at_most(limit: int, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The first ``limit`` problems and a note of how many more: a wall of errors helps no one."""
    if len(diagnostics) <= limit:
        return diagnostics
    rest = diagnostics[limit:]
    more = Diagnostic.error(
        "schema.more",
        f"{len(rest)} more problem(s) like the ones above",
        rest[0].location,
        "fix the ones above first; this file may not be a vlanspec spec at all",
    )
    return [*diagnostics[:limit], more]


def _explain(error: ValidationError, source: SourceMap) -> Iterator[Diagnostic]:
    path: Path = tuple(error.absolute_path)
    where = source.value(path)
    field = _describe(path)
    validator = error.validator
    value: Any = error.instance
    rule: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    if validator in ("oneOf", "anyOf") and error.context:
        yield from _explain_alternatives(error, source)
        return
    if "propertyNames" in error.schema_path:
        yield Diagnostic.error(
            "schema.name",
            f"{value!r} in {field} is not a valid Docker name",
            source.key((*path, str(value))),
            "names start with a letter or digit, then letters, digits, '_', '.' or '-'",
        )
        return
    if validator == "additionalProperties" and isinstance(value, dict):
        allowed = sorted(rule.get("properties", {}))
        for key in _unexpected_keys(error):
            suggestion = _closest(key, allowed)
            hint = f"did you mean '{suggestion}'?" if suggestion else None
            if allowed and not hint:
                hint = "allowed keys: " + ", ".join(allowed)
            yield Diagnostic.error(
                "schema.unknown-key",
                f"unknown key '{key}' in {field}",
                source.key((*path, key)),
                hint,
            )
        return
    if validator == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else "?"
        yield Diagnostic.error(
            "schema.required", f"{field} is missing required key '{missing}'", where
        )
        return
    if validator == "type":
        expected = error.validator_value
        kinds = expected if isinstance(expected, list) else [expected]
        words = " or ".join(_TYPE_WORDS.get(str(k), str(k)) for k in kinds)
        yield Diagnostic.error("schema.type", f"{field} must be {words}, not {_kind(value)}", where)
        return
    if validator == "enum":
        choices = [str(o) for o in _as_list(error.validator_value)]
        options = ", ".join(choices)
        if isinstance(value, dict | list) or value is None:
            yield Diagnostic.error(
                "schema.enum", f"{field} must be one of: {options}, not {_kind(value)}", where
            )
            return
        suggestion = _closest(str(value), choices)
        yield Diagnostic.error(
            "schema.enum",
            f"{field} is '{value}', but must be one of: {options}",
            where,
            f"did you mean '{suggestion}'?" if suggestion else None,
        )
        return
    if validator == "const":
        yield Diagnostic.error(
            "schema.const", f"{field} must be {error.validator_value!r}, not {value!r}", where
        )
        return
    if validator == "not" or (validator is None and error.schema is False):
        reason = rule.get("description") or "it is not allowed here"
        yield Diagnostic.error(
            "schema.not-allowed", f"{field} is not allowed: {reason}", source.key(path)
        )
        return
    if validator == "format":
        reason = f" ({error.cause})" if error.cause else ""
        yield Diagnostic.error(
            "schema.format",
            f"{field} is not a valid {_format_word(error)}: {value!r}{reason}",
            where,
        )
        return
    if validator == "pattern":
        described = rule.get("description")
        yield Diagnostic.error(
            "schema.pattern",
            f"{field} has an invalid value {value!r}",
            where,
            described or f"it must match {error.validator_value}",
        )
        return
    if validator == "uniqueItems":
        yield Diagnostic.error("schema.unique", f"{field} lists the same item twice", where)
        return
    if validator in ("maxLength", "minLength"):
        yield Diagnostic.error(
            "schema.length",
            f"{field} must be {'at most' if validator == 'maxLength' else 'at least'} "
            f"{error.validator_value} characters long",
            where,
        )
        return
    yield Diagnostic.error("schema.invalid", f"{field}: {error.message}", where)


def _explain_alternatives(error: ValidationError, source: SourceMap) -> Iterator[Diagnostic]:
    """For ``oneOf``/``anyOf``, explain the branch that fits the value's type best."""
    context = list(error.context or [])
    path: Path = tuple(error.absolute_path)
    type_errors = [e for e in context if e.validator == "type" and len(e.relative_path) == 0]
    wrong_type_branches = {e.relative_schema_path[0] for e in type_errors}
    other = [e for e in context if e.relative_schema_path[0] not in wrong_type_branches]
    if other:
        own_formats = [o for o in other if o.validator == "format" and not o.relative_path]
        if own_formats and len(own_formats) == len(other):  # e.g. "ipv4 or ipv6" both failed
            yield Diagnostic.error(
                "schema.format",
                f"{_describe(path)} is not a valid IP address: {error.instance!r}",
                source.value(path),
            )
            return
        for sub in other:
            yield from _explain(sub, source)
        return
    kinds = sorted({str(e.validator_value) for e in type_errors})
    words = " or ".join(_TYPE_WORDS.get(k, k) for k in kinds)
    yield Diagnostic.error(
        "schema.type",
        f"{_describe(path)} must be {words}, not {_kind(error.instance)}",
        source.value(path),
    )


def _unexpected_keys(error: ValidationError) -> list[str]:
    rule: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    instance: Any = error.instance
    if rule.get("patternProperties"):
        return []
    properties = rule.get("properties", {})
    return sorted(str(k) for k in instance if k not in properties)


def _as_list(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _closest(word: str, options: list[str]) -> str | None:
    import difflib

    matches = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return matches[0] if matches else None


def _format_word(error: ValidationError) -> str:
    return {
        "ipv4": "IPv4 address",
        "ipv6": "IPv6 address",
        "vlanspec-cidr": "network in CIDR notation (like 192.0.2.0/24)",
    }.get(str(error.validator_value), str(error.validator_value))


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"the number {value}"
    return f"the string {value!r}"


def _describe(path: Path) -> str:
    """A readable name for a place in the document: ``networks.lan.subnets[0].gateway``."""
    if not path:
        return "the spec"
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return f"'{text}'"
