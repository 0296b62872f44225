"""One module per command; :func:`register` adds them all to the CLI group."""

from __future__ import annotations

import click

from vlanspec.commands import apply, destroy, export, graph, plan, schema, status, validate


def register(group: click.Group) -> None:
    for module in (validate, plan, apply, destroy, status, export, graph, schema):
        group.add_command(module.command)
