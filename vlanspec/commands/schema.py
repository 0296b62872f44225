"""``vlanspec schema``: print a JSON Schema that ships with vlanspec."""

from __future__ import annotations

import click

from vlanspec.commands.base import Command

SCHEMAS = {
    "spec": "vlanspec.schema.json",
    "plan": "plan.schema.json",
    "diagnostics": "diagnostics.schema.json",
}


@click.command("schema", cls=Command)
@click.argument("which", type=click.Choice(sorted(SCHEMAS)), default="spec")
def command(which: str) -> None:
    """Print the JSON Schema of the spec format (or of plans or diagnostics).

    Editors use it through the modeline
    '# yaml-language-server: $schema=<path>/vlanspec.schema.json'.
    """
    from vlanspec.spec.schema import schema_text  # imports jsonschema, which --help need not

    click.echo(schema_text(SCHEMAS[which]), nl=False)
