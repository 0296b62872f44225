"""Diagnostics as text for people, JSON for tools, and GitHub Actions annotations.

The JSON shape, one object per diagnostic in a list, is documented in
``schemas/diagnostics.schema.json``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from vlanspec.diagnostics import Diagnostic


def as_text(diagnostics: Sequence[Diagnostic]) -> str:
    """``path:line:col: error: message`` lines, each followed by its indented hint."""
    lines: list[str] = []
    for d in diagnostics:
        lines.append(f"{d.location}: {d.severity.value}: {d.message}")
        if d.hint:
            lines.append(f"    hint: {d.hint}")
    return "\n".join(lines)


def as_dicts(diagnostics: Sequence[Diagnostic]) -> list[dict[str, object]]:
    return [
        {
            "severity": d.severity.value,
            "code": d.code,
            "message": d.message,
            "file": d.location.file,
            "line": d.location.line,
            "column": d.location.column,
            "hint": d.hint,
        }
        for d in diagnostics
    ]


def as_json(diagnostics: Sequence[Diagnostic]) -> str:
    return json.dumps(as_dicts(diagnostics), indent=2)


def _escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def as_github(diagnostics: Sequence[Diagnostic]) -> str:
    """One ``::error file=…,line=…,col=…::message`` workflow command per diagnostic."""
    lines = []
    for d in diagnostics:
        message = d.message + (f" (hint: {d.hint})" if d.hint else "")
        lines.append(
            f"::{d.severity.value} file={_escape(d.location.file, prop=True)},"
            f"line={d.location.line},col={d.location.column},"
            f"title={_escape('vlanspec ' + d.code, prop=True)}::{_escape(message)}"
        )
    return "\n".join(lines)
