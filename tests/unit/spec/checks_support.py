"""Building specs from YAML text for the check tests, and reading what the checks found."""

from __future__ import annotations

import textwrap

from vlanspec.diagnostics import Diagnostic
from vlanspec.spec import schema
from vlanspec.spec.build import build_spec
from vlanspec.spec.checks import check_spec
from vlanspec.spec.model import Spec
from vlanspec.spec.yaml_source import parse

Found = tuple[str, str, int, int]


def spec_of(text: str, file: str = "spec.yaml") -> Spec:
    """The spec in ``text`` (dedented); it must pass the schema, so only checks can object."""
    document = parse(file, textwrap.dedent(text))
    problems = schema.validate(document.data, document.source)
    assert not problems, [f"{d.location}: {d.message}" for d in problems]
    return build_spec(document.data, document.source)


def summary(diagnostics: list[Diagnostic]) -> list[Found]:
    """(severity, code, line, column) of each diagnostic, in file order."""
    return [(d.severity.value, d.code, d.location.line, d.location.column) for d in diagnostics]


def found(text: str) -> list[Found]:
    return summary(check_spec(spec_of(text)))


def one(text: str, code: str) -> Diagnostic:
    """The single diagnostic with ``code`` that the checks find in ``text``."""
    matching = [d for d in check_spec(spec_of(text)) if d.code == code]
    assert len(matching) == 1, summary(check_spec(spec_of(text)))
    return matching[0]
