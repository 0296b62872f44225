"""``vlanspec validate``: check specs offline, without Docker."""

from __future__ import annotations

import sys

import click

from vlanspec.commands.base import Command, env_file_option, environment
from vlanspec.commands.specs import collect
from vlanspec.diagnostics import has_errors, sorted_diagnostics
from vlanspec.render.diagnostics import as_github, as_json, as_text

RENDERERS = {"text": as_text, "json": as_json, "github": as_github}


@click.command("validate", cls=Command)
@click.argument("specs", nargs=-1, required=True, metavar="SPEC...")
@click.option(
    "--format",
    "output",
    type=click.Choice(sorted(RENDERERS)),
    default="text",
    show_default=True,
    help="text for people, json for tools, github for GitHub Actions annotations.",
)
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@env_file_option
def command(specs: tuple[str, ...], output: str, strict: bool, env_files: tuple[str, ...]) -> None:
    """Check spec files (or every *.yaml/*.yml in a directory) without touching Docker.

    Prints every problem as 'file:line:col: error: message' and exits 1 when any is an
    error (or a warning, with --strict); prints a one-line summary and exits 0 otherwise.
    Specs given together are meant for one Docker host, so they are also checked against each
    other (one spec name twice, one network in two specs, overlapping subnets, shared parents).
    """
    files, loaded_specs, diagnostics = collect(specs, environment(env_files))
    networks = sum(len(spec.networks) for spec in loaded_specs)
    attachments = sum(len(spec.attachments) for spec in loaded_specs)
    diagnostics = sorted_diagnostics(diagnostics)
    failed = has_errors(diagnostics, strict=strict)
    if diagnostics or output != "text":
        rendered = RENDERERS[output](diagnostics)
        if rendered:
            click.echo(rendered)
    if output == "text":
        errors = sum(d.is_error for d in diagnostics)
        warnings = len(diagnostics) - errors
        if failed:
            click.echo(
                f"{errors} error(s), {warnings} warning(s) in {len(files)} file(s)", err=True
            )
        else:
            noun = "spec" if len(files) == 1 else "specs"
            click.echo(
                f"OK: {len(files)} {noun} valid ({networks} networks, {attachments} attachments"
                f", {warnings} warning(s))"
            )
    sys.exit(1 if failed else 0)
