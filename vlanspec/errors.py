"""Errors a user can cause that are not about a spec's text (those are diagnostics)."""

from __future__ import annotations


class UserError(Exception):
    """A failure with a message meant for the user: shown without a traceback, exit code 1."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
