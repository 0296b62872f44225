"""``vlanspec destroy``: delete every network the spec owns; never a container."""

from __future__ import annotations

import dataclasses

import click

from vlanspec.commands.base import Command, env_file_option
from vlanspec.commands.live import (
    auto_approve_option,
    docker_host_option,
    empty_spec,
    execute,
    open_session,
    parallelism_option,
    render_plan,
)
from vlanspec.commands.locking import lock_timeout_option
from vlanspec.commands.specs import load_specs, spec_name_option
from vlanspec.plan.model import ActionKind, Plan
from vlanspec.spec.model import SPEC_LABEL, Spec


@click.command("destroy", cls=Command)
@click.argument("spec_path", metavar="SPEC")
@auto_approve_option
@spec_name_option
@docker_host_option
@env_file_option
@parallelism_option
@lock_timeout_option
def command(
    spec_path: str,
    auto_approve: bool,
    names: tuple[str, ...],
    docker_host: str | None,
    env_files: tuple[str, ...],
    parallelism: int | None,
    lock_timeout: float,
) -> None:
    """Delete every network labelled as owned by SPEC (io.vlanspec.spec=<name>).

    Containers are disconnected from those networks first and otherwise left alone: they are
    never stopped or removed. Networks without the spec's label are never touched, even when
    SPEC declares their name. Asks for confirmation like apply. SPEC may be a directory:
    every spec in it (or those --spec NAME picks) is destroyed in turn.
    """
    for spec in load_specs((spec_path,), env_files, names):
        _destroy_one(spec, auto_approve, docker_host, parallelism, lock_timeout)


def _destroy_one(
    spec: Spec,
    auto_approve: bool,
    docker_host: str | None,
    parallelism: int | None,
    lock_timeout: float,
) -> None:
    from vlanspec.plan.diff import diff

    # Planning "nothing declared" deletes exactly what the spec owns, by the planner's rules.
    nothing = empty_spec(spec)
    session = open_session(nothing, docker_host, checks=False, lock_timeout=lock_timeout)
    try:
        plan = deletes_only(diff(nothing, session.live))
        if plan.is_empty:
            click.echo(
                f"Nothing to destroy: no network on this engine carries {SPEC_LABEL}={spec.name}."
            )
            return
        click.echo(render_plan(plan))
        click.echo("")
        execute(
            session,
            plan,
            verify_against=nothing,
            auto_approve=auto_approve,
            question=f"Delete these networks of spec '{spec.name}' on",
            verb="Destroy",
            parallelism=parallelism,
        )
    finally:
        session.finish()


def deletes_only(plan: Plan) -> Plan:
    """Keep only network deletions: destroy must never create, connect or reattach anything."""
    return dataclasses.replace(
        plan, actions=tuple(a for a in plan.actions if a.kind is ActionKind.DELETE)
    )
