"""``vlanspec apply``: make the engine match the spec, then check that it does."""

from __future__ import annotations

import click

from vlanspec.commands.base import Command, env_file_option
from vlanspec.commands.live import (
    adopt_option,
    auto_approve_option,
    check_live,
    docker_host_option,
    lock_and_read_again,
    make_plan,
    open_session,
    parallelism_option,
    show_and_apply,
)
from vlanspec.commands.locking import lock_timeout_option
from vlanspec.commands.specs import load_specs, spec_name_option
from vlanspec.diagnostics import SpecError
from vlanspec.errors import UserError
from vlanspec.spec.model import Spec


@click.command("apply", cls=Command)
@click.argument("spec_path", metavar="SPEC")
@auto_approve_option
@adopt_option
@spec_name_option
@docker_host_option
@env_file_option
@parallelism_option
@lock_timeout_option
def command(
    spec_path: str,
    auto_approve: bool,
    adopt: tuple[str, ...],
    names: tuple[str, ...],
    docker_host: str | None,
    env_files: tuple[str, ...],
    parallelism: int | None,
    lock_timeout: float,
) -> None:
    """Create, replace, connect and disconnect until the engine matches SPEC.

    Shows the plan first and asks for confirmation (on a terminal; otherwise --auto-approve is
    required). Changes are made in dependency order and stop at the first failure; then the
    live state is read again and planned once more, and anything left over fails the command
    (exit 1) with the remaining differences listed. Containers are never created, started,
    stopped or removed.

    SPEC may also be a plan saved by 'vlanspec plan SPEC -o FILE': it is applied as saved, to the
    engine it was made for, without asking, unless the spec or the live state changed since (then
    nothing changes, exit 1). Apply holds the engine's lock from reading the live state it
    plans from to verifying; a run that finds nothing to change takes none (see
    --lock-timeout).

    SPEC may be a directory: every spec in it is checked on its own and against the others,
    then each is applied on its own, in name order (--spec NAME picks some); a failure in one
    does not stop the others, and makes the command exit 1.
    """
    from vlanspec.saved_plan import plan_document

    document = plan_document(spec_path)
    if document is not None:
        from vlanspec.commands.saved import apply_saved

        apply_saved(
            spec_path,
            document,
            docker_host=docker_host,
            env_files=env_files,
            adopt=adopt,
            lock_timeout=lock_timeout,
            parallelism=parallelism,
        )
        return
    from vlanspec.cli import report

    failed: list[str] = []
    specs = load_specs((spec_path,), env_files, names)
    for spec in specs:
        if len(specs) > 1:
            click.echo(f"\n=== spec {spec.name} ({spec.file})")
        try:
            _apply_one(spec, auto_approve, adopt, docker_host, parallelism, lock_timeout)
        except (UserError, SpecError) as error:  # live checks refuse with diagnostics
            if len(specs) == 1:
                raise
            report(error)
            failed.append(spec.name)
    if failed:
        raise UserError(f"{len(failed)} of {len(specs)} specs failed: {', '.join(failed)}")


def _apply_one(
    spec: Spec,
    auto_approve: bool,
    adopt: tuple[str, ...],
    docker_host: str | None,
    parallelism: int | None,
    lock_timeout: float,
) -> None:
    """Plan one spec, show it, and apply it (or say why it cannot be).

    The first look takes no lock: when it finds nothing to change and no journal to clear, the
    run writes nothing, so it need not wait for (or hold up) another run. Otherwise the lock is
    taken and the plan made again from what is read under it.
    """
    from vlanspec.journal import entries_of
    from vlanspec.plan.diff import diff

    session = open_session(spec, docker_host, checks=False)
    try:
        # The pure planner is enough to see whether anything is to be done: what make_plan
        # reads on top (aliases a reconnect must keep) matters only when something is.
        plan = diff(spec, session.live, adopt=adopt)
        if plan.is_empty and not entries_of(session.live.journal, spec.name):
            check_live(session)
        else:
            lock_and_read_again(session, lock_timeout)
            plan = make_plan(session, adopt)
        show_and_apply(session, plan, auto_approve=auto_approve, parallelism=parallelism)
    finally:
        session.finish()
