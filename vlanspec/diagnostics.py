"""Diagnostics: every problem a user can cause, with where it is and what to do.

A diagnostic is data, not an exception, so that one run can report every problem at once and the
renderers (text, JSON, CI annotations) can show the same facts in different ways.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How bad a diagnostic is: errors stop a command, warnings are shown (``--strict`` fails)."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """A place in a spec file; line and column are 1-based as editors show them."""

    file: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a spec (or between a spec and the engine)."""

    severity: Severity
    code: str
    message: str
    location: Location
    hint: str | None = None

    @classmethod
    def error(
        cls, code: str, message: str, location: Location, hint: str | None = None
    ) -> Diagnostic:
        return cls(Severity.ERROR, code, message, location, hint)

    @classmethod
    def warning(
        cls, code: str, message: str, location: Location, hint: str | None = None
    ) -> Diagnostic:
        return cls(Severity.WARNING, code, message, location, hint)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.location.file, self.location.line, self.location.column, self.message)


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics in file order, duplicates removed, so output is stable and readable."""
    unique = {(d.severity, d.code, d.message, d.location, d.hint): d for d in diagnostics}
    return sorted(unique.values(), key=Diagnostic.sort_key)


def has_errors(diagnostics: Iterable[Diagnostic], *, strict: bool = False) -> bool:
    """True when the diagnostics should fail the command (warnings too when ``strict``)."""
    return any(d.is_error or strict for d in diagnostics)


class SpecError(Exception):
    """Raised when a spec cannot be used; carries every diagnostic found, not just the first."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = sorted_diagnostics(diagnostics)
        first = self.diagnostics[0] if self.diagnostics else None
        super().__init__(f"{first.location}: {first.message}" if first else "invalid spec")
