"""Logging through structlog: readable on a terminal, JSON lines for machines.

Logs go to standard error so that standard output carries only what a command produces (a plan,
a schema, diagnostics) and can be piped.

structlog is imported only when an event is actually emitted: importing it costs ~80 ms (its
package imports structlog.dev, which imports rich, and structlog.stdlib, which imports asyncio),
more than start-up can spare, and a run without ``-v`` usually emits nothing.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TextIO, cast

if TYPE_CHECKING:  # structlog is imported when an event is emitted (see the module docstring)
    from structlog.typing import FilteringBoundLogger

LogFormat = Literal["text", "json"]


@dataclass(frozen=True)
class _Settings:
    """What :func:`configure` was asked for, captured when it was called."""

    log_format: LogFormat
    level: int
    stream: TextIO
    colors: bool


#: The settings of the last :func:`configure`; None before it (structlog's defaults apply).
_settings: _Settings | None = None
#: Whether structlog has been configured with :data:`_settings` yet.
_applied = True
_applying = threading.Lock()

#: The level of each logging method, to drop an event below it without importing structlog.
_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "msg": logging.INFO,
    "warning": logging.WARNING,
    "warn": logging.WARNING,
    "error": logging.ERROR,
    "err": logging.ERROR,
    "exception": logging.ERROR,
    "critical": logging.CRITICAL,
    "fatal": logging.CRITICAL,
}


def configure(log_format: LogFormat = "text", verbosity: int = 0) -> None:
    """Set up structlog for one run of the CLI: ``-v`` shows info, ``-vv`` debug.

    Applied to structlog now if it is already imported, else when the first event is emitted,
    with the stream (and whether it is a terminal) of now either way.
    """
    global _settings, _applied
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    _settings = _Settings(log_format, level, sys.stderr, sys.stderr.isatty())
    _applied = False
    if "structlog" in sys.modules:  # costs nothing, and keeps structlog's own tools working
        _structlog()


def _structlog() -> Any:
    """structlog, configured with the settings of the last :func:`configure` (imported here, on
    the first event emitted, because importing it is slow)."""
    global _applied
    import structlog

    with _applying:
        if not _applied and _settings is not None:
            _apply(_settings)
            _applied = True
    return structlog


def _apply(settings: _Settings) -> None:
    """Configure structlog: timestamped events, rendered as text or JSON lines on the stream."""
    import structlog

    renderer: structlog.typing.Processor
    if settings.log_format == "json":
        renderer = structlog.processors.JSONRenderer(sort_keys=True)
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=settings.colors)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(settings.level),
        logger_factory=structlog.PrintLoggerFactory(file=settings.stream),
        cache_logger_on_first_use=False,
    )


def _drop(*_args: Any, **_kwargs: Any) -> None:
    """An event below the level: structlog's filtering loggers drop it the same way."""


class _Logger:
    """A structlog logger made on first use, so that dropped events never import structlog.

    Every attribute is the structlog logger's; only the logging methods of a level below the
    configured one (or, for event loggers, below their own) are dropped here first.
    """

    def __init__(self, make: Callable[[Any], Any], floor: int | None = None) -> None:
        self._make = make
        self._floor = floor

    def __getattr__(self, name: str) -> Any:
        level = _LEVELS.get(name)
        floor = self._floor if self._floor is not None or _settings is None else _settings.level
        if level is not None and floor is not None and level < floor:
            return _drop
        return getattr(self._make(_structlog()), name)

    def bind(self, **values: Any) -> _Logger:
        """A logger with ``values`` bound, made on first use too (so that it follows a
        :func:`configure` that comes after it)."""
        make = self._make
        return _Logger(lambda structlog: make(structlog).bind(**values), self._floor)


def get_logger(name: str) -> FilteringBoundLogger:
    """A logger bound to the emitting module's name."""

    def make(structlog: Any) -> Any:
        return structlog.get_logger(module=name)

    return cast("FilteringBoundLogger", _Logger(make))


def get_event_logger(name: str) -> FilteringBoundLogger:
    """A logger whose info events show whatever the verbosity, in the configured format.

    For what a command reports as it goes when there is no terminal to draw on (apply's steps
    in CI): the same processors and output as every log, without ``-v``.
    """

    def make(structlog: Any) -> Any:
        return structlog.wrap_logger(
            None, wrapper_class=structlog.make_filtering_bound_logger(logging.INFO), module=name
        )

    return cast("FilteringBoundLogger", _Logger(make, floor=logging.INFO))
