"""The engine lock as apply and destroy use it: the ``--lock-timeout`` option, taking the lock.

The lock itself (where it lives, why, how stale locks are taken over) is :mod:`vlanspec.lock`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from vlanspec.lock import DEFAULT_TIMEOUT, LOCK_VOLUME, EngineLock, Holder

if TYPE_CHECKING:
    from vlanspec.engine import Engine

F = TypeVar("F", bound=Callable[..., Any])


def lock_timeout_option(function: F) -> F:
    """``--lock-timeout SECONDS``: how long to wait while another run holds the engine's lock."""
    decorated: F = click.option(
        "--lock-timeout",
        "lock_timeout",
        type=click.FloatRange(min=0),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        metavar="SECONDS",
        help=f"Wait up to SECONDS while another vlanspec run changes this engine (it holds "
        f"the lock, the Docker volume '{LOCK_VOLUME}'), then fail naming it. 0 tries once.",
    )(function)
    return decorated


def take_lock(engine: Engine, timeout: float) -> EngineLock:
    """The engine's lock, held by this run; :class:`vlanspec.lock.LockBusy` when it stays taken."""
    context = click.get_current_context(silent=True)
    command = (context.info_name or "") if context is not None else ""
    lock = EngineLock(engine, command=command)

    def waiting(holder: Holder | None) -> None:
        who = holder.describe() if holder is not None else f"unknown (volume {LOCK_VOLUME})"
        click.echo(
            f"Waiting up to {timeout:.0f}s for the lock on this engine, held by {who}.", err=True
        )

    lock.acquire(timeout, on_wait=waiting)
    return lock
