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
from vlanspec.commands.saved import out_option, save, spec_bytes


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
@out_option
@adopt_option
@docker_host_option
@env_file_option
@click.pass_context
def command(
    ctx: click.Context,
    spec_path: str,
    output: str,
    detailed_exitcode: bool,
    out: str | None,
    adopt: tuple[str, ...],
    docker_host: str | None,
    env_files: tuple[str, ...],
) -> None:
    """Show what 'vlanspec apply SPEC' would change on the Docker engine.

    Reads the live state (one networks list, one containers list, and an inspect for the
    aliases of each container the spec names), checks the spec against it, and prints the
    plan. Nothing is changed. With -o FILE the plan is also saved, for 'vlanspec apply FILE'.
    """
    spec_file = spec_bytes(spec_path) if out else b""
    spec = load(spec_path, env_files)
    session = open_session(spec, docker_host)
    try:
        plan = make_plan(session, adopt)
        if out:
            save(
                out,
                session=session,
                plan=plan,
                spec_path=spec_path,
                spec_file=spec_file,
                env_files=env_files,
                adopt=adopt,
            )
    finally:
        session.finish()
    if output == "json":
        click.echo(render_plan(plan, "json"))
    else:
        click.echo(render_plan(plan))
    if out:
        click.echo(  # on standard error, so that --format json output stays one document
            f"\nSaved the plan to {out}; apply exactly this plan with: vlanspec apply {out}",
            err=True,
        )
    if detailed_exitcode and not plan.is_empty:
        ctx.exit(2)
