"""Engine failures as user errors: the action that failed, in the engine's own words.

A refusal by the engine (an overlapping pool, a missing parent, an address in use) is something
the user can fix, so it must reach them as a message naming what vlanspec was doing and quoting
what the engine said, never as a traceback.
"""

from __future__ import annotations

from vlanspec.errors import UserError


class EngineError(UserError):
    """The engine refused or failed one action.

    ``action`` says what vlanspec asked for ("create network lan"), ``reason`` is the engine's
    own explanation, and ``status`` the HTTP status when there was one (409 conflict, 404 ...).
    """

    def __init__(
        self, action: str, reason: str, *, status: int | None = None, hint: str | None = None
    ) -> None:
        super().__init__(f"{action}: the engine said: {reason}", hint)
        self.action = action
        self.reason = reason
        self.status = status

    @property
    def transient(self) -> bool:
        """A failure of the engine itself (5xx), worth a retry, not a refusal of the request."""
        return self.status is not None and self.status >= 500


class EngineUnreachable(UserError):
    """No engine answered at the address vlanspec was given (or the socket refused us).

    ``timed_out`` is True when the engine took longer than the timeout to answer (it may still
    be doing what it was asked), False when the connection failed or broke.
    """

    def __init__(self, url: str, reason: str, hint: str, *, timed_out: bool = False) -> None:
        super().__init__(f"cannot reach the Docker engine at {url}: {reason}", hint)
        self.url = url
        self.reason = reason
        self.timed_out = timed_out
