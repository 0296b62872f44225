"""Several specs at once: a directory (or several files) for one Docker host.

``plan``, ``apply`` and ``destroy`` take a file or a directory; every spec in it is checked on its
own and against the others (a conflict between specs refuses all of them, before any engine is
asked), and each is then reconciled on its own. ``--spec NAME`` picks some of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from vlanspec.commands.base import environment
from vlanspec.diagnostics import Diagnostic, SpecError, has_errors, sorted_diagnostics
from vlanspec.errors import UserError
from vlanspec.spec.model import Spec

F = TypeVar("F", bound=Callable[..., Any])


def spec_name_option(function: F) -> F:
    """``--spec NAME`` (repeatable): only these specs of a directory."""
    decorated: F = click.option(
        "--spec",
        "names",
        multiple=True,
        metavar="NAME",
        help="With a directory: only the spec with this name (repeatable).",
    )(function)
    return decorated


def collect(
    paths: tuple[str, ...], env: dict[str, str]
) -> tuple[list[str], list[Spec], list[Diagnostic]]:
    """The files the paths name, the specs read from them, and every problem: each spec's own,
    and those between specs (they are meant for one Docker host)."""
    from vlanspec.spec import expand_paths, read_spec
    from vlanspec.spec.checks import check_specs
    from vlanspec.spec.load import unique_files

    found, problems = expand_paths(paths)
    files = unique_files(found)
    diagnostics: list[Diagnostic] = list(problems)
    specs: list[Spec] = []
    for path in files:
        loaded = read_spec(path, env)
        diagnostics.extend(loaded.diagnostics)
        if loaded.spec is not None:
            specs.append(loaded.spec)
    diagnostics.extend(check_specs(specs))
    return files, specs, diagnostics


def load_specs(
    paths: tuple[str, ...], env_files: tuple[str, ...], names: tuple[str, ...] = ()
) -> list[Spec]:
    """Every spec the paths name, checked alone and together; errors stop the command.

    Warnings go to standard error. Specs come back sorted by name, so output is stable.
    """
    from vlanspec.render.diagnostics import as_text

    _, specs, diagnostics = collect(paths, environment(env_files))
    if has_errors(diagnostics) or not specs:
        raise SpecError(diagnostics)
    if diagnostics:
        click.echo(as_text(sorted_diagnostics(diagnostics)), err=True)
    specs.sort(key=lambda s: s.name)
    if names:
        unknown = sorted(set(names) - {s.name for s in specs})
        if unknown:
            raise UserError(
                f"no spec named {', '.join(unknown)} in {', '.join(paths)}",
                "specs found: " + ", ".join(s.name for s in specs),
            )
        specs = [s for s in specs if s.name in names]
    return specs
