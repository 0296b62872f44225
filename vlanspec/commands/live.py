"""What the commands that talk to an engine share: options, the way to a plan, confirmation.

``plan``, ``apply``, ``destroy`` and ``status`` all load a spec, connect, read the live state
and plan; keeping that sequence here means they cannot drift apart (the checks that ``plan``
shows are exactly the ones ``apply`` enforces).
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

from vlanspec.diagnostics import Diagnostic, SpecError, has_errors, sorted_diagnostics
from vlanspec.errors import UserError
from vlanspec.logs import get_logger
from vlanspec.plan.model import Plan
from vlanspec.spec.model import Spec

if TYPE_CHECKING:  # docker-py is imported only when a command talks to an engine
    from vlanspec.engine import Engine
    from vlanspec.lock import EngineLock
    from vlanspec.state import LiveState

F = TypeVar("F", bound=Callable[..., Any])
log = get_logger(__name__)


def docker_host_option(function: F) -> F:
    """``-H/--docker-host``: which engine to talk to (else DOCKER_HOST, the context, the socket)."""
    decorated: F = click.option(
        "-H",
        "--docker-host",
        "docker_host",
        metavar="URL",
        default=None,
        help="Docker engine to use, e.g. unix:///var/run/docker.sock or tcp://host:2376 "
        "[default: DOCKER_HOST, the docker CLI context, or the local socket]. "
        "DOCKER_TLS_VERIFY and DOCKER_CERT_PATH apply as for the docker CLI.",
    )(function)
    return timeout_option(decorated)


#: The default of ``--timeout``: :data:`vlanspec.engine.client.DEFAULT_TIMEOUT`, repeated here so
#: that starting the CLI does not import docker-py (a unit test checks that they agree).
TIMEOUT_DEFAULT = 120
#: Where ``--timeout`` leaves its value for :func:`engine_timeout` (the command functions do not
#: take it as a parameter, so every command with ``--docker-host`` gets it for free).
_TIMEOUT_KEY = "vlanspec.engine_timeout"


def timeout_option(function: F) -> F:
    """``--timeout SECONDS``: how long one engine call may take before it counts as failed."""

    def remember(ctx: click.Context, _param: click.Parameter, value: int | None) -> None:
        if value is not None:
            ctx.meta[_TIMEOUT_KEY] = value

    decorated: F = click.option(
        "--timeout",
        type=click.IntRange(min=1),
        default=None,
        metavar="SECONDS",
        expose_value=False,
        callback=remember,
        help=f"Give up on one engine call after SECONDS [default: {TIMEOUT_DEFAULT}]. Reads "
        "that fail on a broken connection or a 5xx are retried; a write that fails is read "
        "back, never repeated.",
    )(function)
    return decorated


def engine_timeout() -> int:
    """The ``--timeout`` of the running command, else the default."""
    context = click.get_current_context(silent=True)
    value = context.meta.get(_TIMEOUT_KEY) if context is not None else None
    return int(value) if value is not None else TIMEOUT_DEFAULT


def auto_approve_option(function: F) -> F:
    decorated: F = click.option(
        "--auto-approve",
        is_flag=True,
        help="Do not ask for confirmation (required when standard input is not a terminal).",
    )(function)
    return decorated


def adopt_option(function: F) -> F:
    decorated: F = click.option(
        "--adopt",
        "adopt",
        multiple=True,
        metavar="NETWORK",
        help="Take over NETWORK, which exists without any vlanspec label: it is replaced "
        "(recreated with this spec's labels, its containers reconnected). Repeatable.",
    )(function)
    return decorated


def parallelism_option(function: F) -> F:
    """``--parallelism N``: engine calls of one phase in flight at once."""
    decorated: F = click.option(
        "--parallelism",
        type=click.IntRange(min=1),
        default=None,
        metavar="N",
        help="Run up to N engine calls of the same kind at once (phases still run in order). "
        "[default: measured per kind of call, see bench/REPORT.md]",
    )(function)
    return decorated


def load(path: str, env_files: tuple[str, ...]) -> Spec:
    """The one spec at ``path``; its warnings go to standard error, its errors stop the command
    (the same loading as for directories: :func:`vlanspec.commands.specs.load_specs`)."""
    from vlanspec.commands.specs import load_specs

    specs = load_specs((path,), env_files)
    if len(specs) != 1:
        raise UserError(f"{path} holds {len(specs)} specs; this command takes one spec file")
    return specs[0]


def show_diagnostics(diagnostics: tuple[Diagnostic, ...] | list[Diagnostic]) -> None:
    """Warnings on standard error, so that standard output stays a clean plan (or JSON)."""
    from vlanspec.render.diagnostics import as_text

    if diagnostics:
        click.echo(as_text(sorted_diagnostics(diagnostics)), err=True)


def empty_spec(spec: Spec) -> Spec:
    """The same spec with nothing declared: planning it deletes everything the spec owns."""
    return dataclasses.replace(spec, networks=(), attachments=())


@dataclass
class Session:
    """A spec, the engine it is planned against, and that engine's live state."""

    spec: Spec
    engine: Engine
    live: LiveState
    #: The engine's lock, for commands that change the engine (see vlanspec.lock).
    lock: EngineLock | None = None

    def finish(self) -> None:
        """Give the lock back, log what the command cost the engine, then let the client go."""
        release(self.lock)
        log.info(
            "engine calls",
            total=self.engine.total_calls,
            by_operation=dict(sorted(self.engine.calls.items())),
        )
        self.engine.close()


def open_session(
    spec: Spec, docker_host: str | None, *, checks: bool = True, lock_timeout: float | None = None
) -> Session:
    """Connect, read the live state, and (for commands that change it) run the live checks.

    The live checks (a parent missing on this host, a pool another network holds, ...) fail
    the command before anything changes, with every problem located in the spec. With
    ``lock_timeout``, the engine's lock is taken before the live state is read (so the plan is
    made from a state no other run is changing) and held until :meth:`Session.finish`.
    """
    from vlanspec.commands.locking import take_lock
    from vlanspec.engine import connect

    engine = connect(docker_host, timeout=engine_timeout())
    lock = None
    try:
        if lock_timeout is not None:
            lock = take_lock(engine, lock_timeout)
        session = Session(spec, engine, engine.read_live(spec), lock)
        if checks:
            check_live(session)
    except BaseException:
        release(lock)
        engine.close()
        raise
    return session


def lock_and_read_again(session: Session, lock_timeout: float) -> None:
    """Take the engine's lock for a session opened without it, then read the live state again
    and run the live checks, so that what is applied is planned and checked from a state no
    other run is changing (apply's first look: a run with nothing to change need not lock).
    :meth:`Session.finish` gives the lock back.
    """
    from vlanspec.commands.locking import take_lock

    session.lock = take_lock(session.engine, lock_timeout)
    session.live = session.engine.read_live(session.spec)
    check_live(session)


def check_live(session: Session) -> None:
    """The live checks: warnings to standard error, errors stop the command (SpecError)."""
    from vlanspec.engine import host_interfaces
    from vlanspec.plan.preflight import live_checks

    interfaces = host_interfaces() if session.live.engine.local else None
    problems = live_checks(session.spec, session.live, interfaces)
    if has_errors(problems):
        raise SpecError(problems)
    show_diagnostics(problems)


def release(lock: EngineLock | None) -> None:
    """Give the engine's lock back; a failure to do so is logged, not raised over the result."""
    if lock is None:
        return
    try:
        lock.release()
    except UserError as error:
        log.warning("could not release the engine lock", error=error.message, hint=error.hint)


def make_plan(session: Session, adopt: tuple[str, ...] = ()) -> Plan:
    """Plan the session's spec against its live state (reading more aliases if a replace or a
    reattach needs them: :func:`vlanspec.api.plan_on`)."""
    from vlanspec.api import plan_on

    plan, session.live = plan_on(session.engine, session.spec, session.live, adopt=adopt)
    return plan


def header(session: Session) -> str:
    """Which spec, on which engine, at which address: the first line of ``status``."""
    info = session.live.engine
    return (
        f"Spec {session.spec.name} ({session.spec.file}) on Docker Engine {info.version} "
        f"(API {info.api_version}) at {info.host}"
    )


def confirm(question: str, auto_approve: bool) -> None:
    """Ask before changing anything; without a terminal, insist on ``--auto-approve``."""
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise UserError(
            "standard input is not a terminal, so vlanspec cannot ask for confirmation; "
            "nothing was changed",
            "review the plan above, then run again with --auto-approve",
        )
    answer = click.prompt(f"{question} Only 'yes' will be accepted", default="", show_default=False)
    if answer.strip().lower() != "yes":
        raise UserError("cancelled: nothing was changed")


def render_plan(plan: Plan, output: str = "text") -> str:
    """The plan as text for people or JSON for tools (the renderers decide the shape)."""
    if output == "json":
        from vlanspec.render.plan_json import render as as_json

        return as_json(plan)
    from vlanspec.render.plan_text import render as as_text

    return as_text(plan, color=sys.stdout.isatty() and "NO_COLOR" not in os.environ)


def execute(
    session: Session,
    plan: Plan,
    *,
    verify_against: Spec,
    auto_approve: bool,
    question: str = "Apply these changes to",
    verb: str = "Apply",
    parallelism: int | None = None,
) -> None:
    """Confirm, apply ``plan`` step by step with progress, verify, and report.

    Raises :class:`UserError` (exit 1) when a step failed or verification found the live state
    still different from ``verify_against``; the remaining differences are printed first.
    ``parallelism`` None means apply's measured default per kind of step.
    """
    from vlanspec import journal
    from vlanspec.apply import apply, expand, leftovers
    from vlanspec.commands.progress import step_display

    confirm(f"{question} {session.live.engine.host}?", auto_approve)
    # Before the first step: what the plan's replaces must restore, should this run die.
    written = journal.record(session.engine, plan, session.live)

    total = sum(len(phase) for phase in expand(plan))
    with step_display(total) as progress:
        result = apply(
            plan, session.engine, spec=verify_against, parallelism=parallelism, progress=progress
        )
    changed = any(r.ok for r in result.steps)
    if result.failure is not None and not changed:
        click.echo("\nNothing was changed.")
    elif result.remaining is not None and leftovers(result.remaining):
        click.echo("\nThe live state still differs from the spec:")
        click.echo(render_plan(result.remaining))
    if result.failure is not None:
        skipped = f"{len(result.skipped)} step(s) were not attempted; " if result.skipped else ""
        hint = result.failure.hint or (
            f"{skipped}fix the cause and run again: a new plan starts from what is live now"
        )
        raise UserError(f"apply stopped: {result.failure.error}", hint)
    if result.remaining is None:
        raise UserError(
            f"applied, but could not verify: {result.verify_error}",
            "run 'vlanspec plan' to see the live state against the spec",
        )
    if not result.verified:
        raise UserError(
            "applied, but the live state does not match the spec (see above)",
            "a difference that survives apply is usually something this engine cannot do "
            "(see the plan's notes)",
        )
    journal.settle(session.engine, session.live, written, plan.spec)
    done = sum(r.ok for r in result.steps)
    verified = "verified: the live state matches the spec"
    click.echo(f"\n{verb} complete: {done} step(s) done; {verified}.")


def show_and_apply(
    session: Session, plan: Plan, *, auto_approve: bool, parallelism: int | None
) -> None:
    """Show ``plan``, then apply it to the session's engine and verify (see :func:`execute`).

    An empty plan with conflicts cannot bring the spec into force: that is an error. An empty
    plan without is the spec verified in force, so a finished replace's journal goes.
    """
    from vlanspec.journal import settle as settle_journal

    click.echo(render_plan(plan))
    if plan.is_empty:
        if plan.conflicts:
            raise UserError(
                "nothing can be applied: the spec conflicts with the live state (see above)"
            )
        settle_journal(session.engine, session.live, (), session.spec.name)
        return
    click.echo("")
    execute(
        session,
        plan,
        verify_against=session.spec,
        auto_approve=auto_approve,
        parallelism=parallelism,
    )
