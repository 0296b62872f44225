"""The library's reconcile API in one place: connect, read, plan, apply.

::

    from vlanspec import load_spec
    from vlanspec.api import apply, connect, plan_on

    spec = load_spec("specs/lab.yaml")
    with connect("unix:///var/run/docker.sock") as engine:
        changes, _live = plan_on(engine, spec)
        result = apply(changes, engine, spec=spec)
        assert result.ok, result.failure

``plan(spec, live)`` is the pure planner; ``plan_on`` also reads what the plan turns out to need
(the aliases of containers a replace or reattach will reconnect whose spec entries do not
declare them: without them, those containers would come back without their aliases).

These names live here rather than on the ``vlanspec`` package because ``vlanspec.plan`` and
``vlanspec.apply`` are modules: a package attribute named like a submodule is replaced by the
submodule as soon as anything imports it, so ``vlanspec.plan`` could not reliably be a function.
``read_live`` and ``connect`` are on the package too.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from vlanspec.apply import ApplyResult, Progress, StepResult
from vlanspec.apply import apply as _apply
from vlanspec.engine import Engine, EngineError, connect
from vlanspec.plan.diff import diff
from vlanspec.plan.model import Plan
from vlanspec.spec.model import Spec
from vlanspec.state import LiveState

__all__ = [
    "ApplyResult",
    "Engine",
    "EngineError",
    "Plan",
    "StepResult",
    "apply",
    "connect",
    "plan",
    "plan_on",
    "read_live",
]


def read_live(engine: Engine, spec: Spec | Iterable[str] | None = None) -> LiveState:
    """Everything on ``engine`` in a constant number of calls (see :meth:`Engine.read_live`)."""
    return engine.read_live(spec)


def plan(spec: Spec, live: LiveState, *, adopt: Collection[str] = ()) -> Plan:
    """The plan that takes ``live`` to ``spec`` (pure: see :func:`vlanspec.plan.diff.diff`)."""
    return diff(spec, live, adopt=adopt)


def plan_on(
    engine: Engine,
    spec: Spec,
    live: LiveState | None = None,
    *,
    adopt: Collection[str] = (),
) -> tuple[Plan, LiveState]:
    """Plan ``spec`` on ``engine`` (reading the live state unless given), and the state used.

    The first read has the aliases only of the containers whose spec entries declare them.
    When the plan disconnects and reconnects containers whose aliases were not read (a replace
    reconnects every container; a reattach one the spec lists without ``aliases``), theirs are
    read too (one inspect each, only then) and the plan is made again, so that they get their
    aliases back.
    """
    from vlanspec.plan.model import ActionKind

    current = engine.read_live(spec) if live is None else live
    changes = diff(spec, current, adopt=adopt)
    replaced = {a.network for a in changes.actions if a.kind is ActionKind.REPLACE}
    reattached = {
        (a.endpoint.container, a.network)
        for a in changes.actions
        if a.kind is ActionKind.REATTACH and a.endpoint is not None
    }
    unread = {
        e.container
        for e in current.endpoints
        if e.aliases is None and (e.network in replaced or (e.container, e.network) in reattached)
    }
    if unread:
        current = engine.read_aliases(current, unread)
        changes = diff(spec, current, adopt=adopt)
    return changes, current


def apply(
    changes: Plan,
    engine: Engine,
    *,
    spec: Spec,
    parallelism: int = 1,
    progress: Progress | None = None,
) -> ApplyResult:
    """Execute ``changes`` on ``engine`` in dependency order, then verify against ``spec``.

    As the CLI does, replaces are journalled on the engine before anything changes, and the
    spec's journal is removed once verification passed (:mod:`vlanspec.journal`); that costs one
    volumes list more. No lock is taken: hold :class:`vlanspec.lock.EngineLock` around plan and
    apply when other runs may change the engine.
    """
    from vlanspec import journal

    before = LiveState(engine=engine.info(), journal=engine.read_journal())
    written = journal.record(engine, changes, before)
    result = _apply(changes, engine, spec=spec, parallelism=parallelism, progress=progress)
    if result.ok:
        journal.settle(engine, before, written, changes.spec)
    return result
