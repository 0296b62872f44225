"""How apply shows its steps as they happen: a progress bar on a terminal, events elsewhere.

On a terminal (standard error is one, ``--log-format`` is text and no ``-v`` logs would
interleave with it) a rich progress bar shows how many steps are done and the step that just
finished; failed steps are printed above it. Anywhere else (CI, a pipe, a file) there is
nothing to redraw, so each step is one structured event on standard error, in the configured
log format (``--log-format json`` gives JSON lines), whatever the verbosity.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from vlanspec.logs import get_event_logger

if TYPE_CHECKING:
    from vlanspec.apply import Progress, StepResult


def use_terminal_display() -> bool:
    """Whether to draw a progress bar: a terminal, readable logs, and no ``-v`` logs."""
    meta = click.get_current_context(silent=True)
    root = meta.find_root().meta if meta is not None else {}
    return (
        sys.stderr.isatty()
        and os.environ.get("TERM") != "dumb"
        and root.get("log_format", "text") == "text"
        and not root.get("verbose", 0)
    )


@contextmanager
def step_display(total: int, *, terminal: bool | None = None) -> Iterator[Progress]:
    """A ``progress`` callback for :func:`vlanspec.apply.apply` over ``total`` steps."""
    if terminal is None:
        terminal = use_terminal_display()
    if terminal:
        with _bar(total) as progress:
            yield progress
    else:
        yield _events(total)


def _events(total: int) -> Progress:
    events = get_event_logger("vlanspec.apply")
    done = 0

    def progress(result: StepResult) -> None:
        nonlocal done
        done += 1
        fields: dict[str, object] = {
            "step": result.step.describe(),
            "n": done,
            "of": total,
            "seconds": round(result.seconds, 3),
        }
        if result.ok:
            events.info("step done", **fields)
        else:
            events.info("step failed", error=result.error, **fields)

    return progress


@contextmanager
def _bar(total: int) -> Iterator[Progress]:
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(stderr=True)
    bar = Progress(
        TextColumn("[bold]Applying"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
        transient=True,
    )
    task = bar.add_task("", total=total)

    def progress(result: StepResult) -> None:
        if not result.ok:
            bar.console.print(
                f"[red]FAILED[/red]: {escape(result.step.describe())}: {escape(result.error or '')}"
            )
        bar.update(task, advance=1, description=escape(result.step.describe()))

    with bar:
        yield progress
