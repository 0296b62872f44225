"""Logging through structlog: readable on a terminal, JSON lines for machines.

Logs go to standard error so that standard output carries only what a command produces (a plan,
a schema, diagnostics) and can be piped.
"""

from __future__ import annotations

import logging
import sys
from typing import Literal

import structlog

LogFormat = Literal["text", "json"]


def configure(log_format: LogFormat = "text", verbosity: int = 0) -> None:
    """Set up structlog for one run of the CLI: ``-v`` shows info, ``-vv`` debug."""
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    renderer: structlog.typing.Processor
    if log_format == "json":
        renderer = structlog.processors.JSONRenderer(sort_keys=True)
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )


def get_logger(name: str) -> structlog.typing.FilteringBoundLogger:
    """A logger bound to the emitting module's name."""
    logger: structlog.typing.FilteringBoundLogger = structlog.get_logger(module=name)
    return logger


def get_event_logger(name: str) -> structlog.typing.FilteringBoundLogger:
    """A logger whose info events show whatever the verbosity, in the configured format.

    For what a command reports as it goes when there is no terminal to draw on (apply's steps
    in CI): the same processors and output as every log, without ``-v``.
    """
    logger: structlog.typing.FilteringBoundLogger = structlog.wrap_logger(
        None, wrapper_class=structlog.make_filtering_bound_logger(logging.INFO), module=name
    )
    return logger
