"""One module per command, imported only when its command is looked up (see :class:`LazyGroup`).

A command's module imports what the command needs (docker-py, the spec loader, renderers), so
importing them all would make every run, even ``--version``, pay for every command.
"""

from __future__ import annotations

import importlib
from typing import cast

import click

from vlanspec.commands.base import Group

#: Each command's name and the module that defines it as ``command``.
COMMANDS = {
    name: f"vlanspec.commands.{name}"
    for name in ("validate", "plan", "apply", "destroy", "status", "export", "graph", "schema")
}


class LazyGroup(Group):
    """A group whose commands are imported on first lookup: running one command imports only its
    module; ``--help``, which lists them all, imports them all."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module = importlib.import_module(COMMANDS[cmd_name])
            self.add_command(cast(click.Command, module.command), cmd_name)
        return super().get_command(ctx, cmd_name)
