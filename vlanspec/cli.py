"""The ``vlanspec`` command: parses arguments, sets up logging, dispatches to a command module.

Commands live one per module in :mod:`vlanspec.commands`, each imported only when it is run (or
listed by ``--help``). :func:`report_failures` is the one error handler that turns every known
failure into a clean message and exit code 1, so no traceback reaches a user for anything a user
can cause.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from vlanspec import logs
from vlanspec.commands import LazyGroup
from vlanspec.commands.base import CONTEXT, common_params, version_option
from vlanspec.diagnostics import SpecError
from vlanspec.errors import UserError


def report(exc: SpecError | UserError) -> None:
    """Show a failure the user can act on, on standard error (standard output stays for what a
    command produces)."""
    from vlanspec.render.diagnostics import as_text

    if isinstance(exc, SpecError):
        click.echo(as_text(exc.diagnostics), err=True)
        return
    click.echo(f"Error: {exc.message}", err=True)
    if exc.hint:
        click.echo(f"  hint: {exc.hint}", err=True)


@contextmanager
def report_failures() -> Iterator[None]:
    """Turn known failures into messages and exit 1; unexpected ones into a short bug report."""
    try:
        yield
    except (click.exceptions.Exit, click.ClickException, click.Abort):
        raise
    except (SpecError, UserError) as exc:
        report(exc)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(1)
    except Exception as exc:  # the one place an unexpected failure becomes a short message
        logs.get_logger(__name__).debug("internal error", exc_info=True)
        click.echo(
            f"Error: internal error: {type(exc).__name__}: {exc}\n"
            "  hint: this is a bug in vlanspec; run again with -vv for details and report it",
            err=True,
        )
        sys.exit(1)


class Root(LazyGroup):
    """The top-level group: every command runs inside :func:`report_failures`.

    A usage error exits 1, not click's 2: with ``plan --detailed-exitcode``, 2 means "changes
    present", and a pipeline must never read a typo as that (Terraform's convention).
    """

    def invoke(self, ctx: click.Context) -> Any:
        with report_failures():
            return super().invoke(ctx)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(1)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=Root, context_settings=CONTEXT)
def cli() -> None:
    """Declarative Docker macvlan and ipvlan networks.

    Keep a YAML spec of which networks exist and which containers attach to them; vlanspec
    validates it offline, shows a plan against the live engine, and applies it.
    """


cli.params.extend(common_params())
cli.params.append(version_option())


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``vlanspec`` console script."""
    cli.main(args=argv, prog_name="vlanspec")
