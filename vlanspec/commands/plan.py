"""``vlanspec plan``: what apply would change on the engine, changing nothing."""

from __future__ import annotations

import click

from vlanspec.commands.base import Command, env_file_option
from vlanspec.commands.live import (
    adopt_option,
    docker_host_option,
    load,
    make_plan,
    open_session,
    render_plan,
)


@click.command("plan", cls=Command)
@click.argument("spec_path", metavar="SPEC")
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people; json for tools (schema: 'vlanspec schema plan').",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when there is nothing to change, 2 when there are changes, 1 on errors.",
)
@adopt_option
@docker_host_option
@env_file_option
@click.pass_context
def command(
    ctx: click.Context,
    spec_path: str,
    output: str,
    detailed_exitcode: bool,
    adopt: tuple[str, ...],
    docker_host: str | None,
    env_files: tuple[str, ...],
) -> None:
    """Show what 'vlanspec apply SPEC' would change on the Docker engine.

    Reads the live state (one networks list, one containers list, and an inspect for the
    aliases of each container the spec names), checks the spec against it, and prints the
    plan. Nothing is changed.
    """
    spec = load(spec_path, env_files)
    session = open_session(spec, docker_host)
    try:
        plan = make_plan(session, adopt)
    finally:
        session.finish()
    if output == "json":
        click.echo(render_plan(plan, "json"))
    else:
        click.echo(render_plan(plan))
    if detailed_exitcode and not plan.is_empty:
        ctx.exit(2)
