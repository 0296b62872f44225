"""``vlanspec plan``: what apply would change on the engine, changing nothing."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import click

from vlanspec.commands.base import Command, env_file_option
from vlanspec.commands.live import (
    adopt_option,
    docker_host_option,
    make_plan,
    open_session,
    render_plan,
)
from vlanspec.commands.saved import out_option, save, spec_bytes
from vlanspec.commands.specs import load_specs, spec_name_option
from vlanspec.errors import UserError
from vlanspec.plan.model import Plan
from vlanspec.spec.model import Spec


@click.command("plan", cls=Command)
@click.argument("spec_path", metavar="SPEC")
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="text for people; json for tools (schema: 'vlanspec schema plan'; a list of plans for "
    "a directory); markdown for a pull-request comment.",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when there is nothing to change, 2 when there are changes, 1 on errors.",
)
@out_option
@adopt_option
@spec_name_option
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
    names: tuple[str, ...],
    docker_host: str | None,
    env_files: tuple[str, ...],
) -> None:
    """Show what 'vlanspec apply SPEC' would change on the Docker engine.

    Reads the live state (one networks list, one containers list, and an inspect for the
    aliases of each container whose spec entry declares aliases or that the plan reconnects),
    checks the spec against it, and prints the plan. Nothing is changed. With -o FILE the plan
    is also saved, for 'vlanspec apply FILE'.

    SPEC may be a directory: every spec in it is checked on its own and against the others, and
    planned on its own (--spec NAME picks some).
    """
    specs = load_specs((spec_path,), env_files, names)
    if out and (len(specs) > 1 or Path(spec_path).is_dir()):
        raise UserError(
            "-o saves the plan of one spec file",
            "name the file, e.g. vlanspec plan specs/lab.yaml -o plan.json",
        )
    spec_file = spec_bytes(spec_path) if out else b""
    plans: list[tuple[Spec, Plan]] = []
    for spec in specs:
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
        plans.append((spec, plan))
    click.echo(_render(plans, output, single=not Path(spec_path).is_dir()))
    if out:
        click.echo(  # on standard error, so that --format json output stays one document
            f"\nSaved the plan to {out}; apply exactly this plan with: vlanspec apply {out}",
            err=True,
        )
    conflicts = sum(len(plan.conflicts) for _, plan in plans)
    if conflicts:  # apply could not bring the spec into force: an error, not a change
        raise UserError(
            f"{conflicts} conflict(s) keep the spec from being applied (see the notes above)"
        )
    if detailed_exitcode and any(not plan.is_empty for _, plan in plans):
        ctx.exit(2)


def _render(plans: list[tuple[Spec, Plan]], output: str, *, single: bool) -> str:
    """One spec file: its plan as before; a directory: every plan (JSON: a list of plans)."""
    if output == "json":
        if single:
            return render_plan(plans[0][1], "json")
        from vlanspec.plan.serialize import plan_to_dict

        return json.dumps([plan_to_dict(plan) for _, plan in plans], indent=2)
    if output == "markdown":
        from vlanspec.render.plan_markdown import BUDGET, render_markdown
        from vlanspec.render.plan_text import render as render_text

        budget = BUDGET // len(plans)
        plain = functools.partial(render_text, color=False)  # no colour codes in Markdown
        return "\n".join(render_markdown(plan, spec, plain, budget=budget) for spec, plan in plans)
    return "\n\n".join(render_plan(plan) for _, plan in plans)
