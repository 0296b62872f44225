"""Executing a plan: the engine calls in dependency order, then verification.

A plan says *what* changes; this module decides *in which order* the engine is asked, because
the engine is unforgiving about order: a network with containers cannot be deleted, a pool
cannot be created while an old network still holds it, and a container connected with a
dynamic address may take the very address a static attachment needs next (exactly how
Ansible's ``docker_network`` leaves a container detached after a recreate). So every action is
expanded into steps and the steps run in phases:

1. disconnects (from deletes, replaces, reattaches and disconnects),
2. deletes, 3. creates,
4. connects with static addresses, 5. connects with dynamic addresses.

Within a phase, steps are independent and may run several at a time; how many is set per kind
of step (:data:`DEFAULT_PARALLELISM`, chosen from the measurements in ``bench/REPORT.md``),
because the engine serializes some kinds of work and not others. Phases never overlap, so the
orders that matter hold at any parallelism: a network exists before anything connects to it,
every disconnect precedes every delete, a reattach disconnects before it connects, and static
addresses are taken before dynamic connects could take them.

It stops at the first failure, and whatever happened it ends by reading the live state again
and planning once more (verification): the engine's word that a call succeeded is not proof,
since older engines accept and ignore a MAC address, for example.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol

from vlanspec.errors import UserError
from vlanspec.logs import get_logger
from vlanspec.plan.model import Action, ActionKind, Endpoint, NetworkConfig, NoteKind, Plan
from vlanspec.spec.model import Spec
from vlanspec.state import LiveState

log = get_logger(__name__)


class Executor(Protocol):
    """What apply needs from an engine (:class:`vlanspec.engine.Engine` is one)."""

    def create_network(self, config: NetworkConfig) -> str: ...

    def remove_network(self, name: str) -> None: ...

    def connect(self, endpoint: Endpoint) -> None: ...

    def disconnect(self, container: str, network: str, *, force: bool = False) -> None: ...

    def read_live(self, aliases_for: Spec | Iterable[str] | None = None) -> LiveState: ...


class StepKind(StrEnum):
    DISCONNECT = "disconnect"
    DELETE = "delete"
    CREATE = "create"
    CONNECT = "connect"


@dataclass(frozen=True, eq=False)
class Step:
    """One engine call, and the plan action it belongs to (compared by identity)."""

    kind: StepKind
    network: str
    action: Action
    endpoint: Endpoint | None = None
    config: NetworkConfig | None = None

    def describe(self) -> str:
        """What the step does, in the words an error message uses."""
        if self.kind is StepKind.CREATE:
            return f"create network {self.network}"
        if self.kind is StepKind.DELETE:
            return f"delete network {self.network}"
        assert self.endpoint is not None
        if self.kind is StepKind.DISCONNECT:
            return f"disconnect {self.endpoint.container} from {self.network}"
        where = _addresses(self.endpoint)
        return f"connect {self.endpoint.container} to {self.network}" + (
            f" ({where})" if where else ""
        )

    def run(self, engine: Executor) -> None:
        if self.kind is StepKind.CREATE:
            assert self.config is not None
            engine.create_network(self.config)
        elif self.kind is StepKind.DELETE:
            engine.remove_network(self.network)
        elif self.kind is StepKind.DISCONNECT:
            assert self.endpoint is not None
            engine.disconnect(self.endpoint.container, self.network)
        else:
            assert self.endpoint is not None
            engine.connect(self.endpoint)


def _addresses(endpoint: Endpoint) -> str:
    parts = [a for a in (endpoint.ipv4_address, endpoint.ipv6_address) if a]
    if endpoint.mac_address:
        parts.append(f"mac {endpoint.mac_address}")
    if endpoint.aliases:
        parts.append(f"aliases {', '.join(endpoint.aliases)}")
    return ", ".join(parts)


@dataclass(frozen=True)
class StepResult:
    """How one step went; ``error`` is the message (the engine's words) when it failed."""

    step: Step
    ok: bool
    error: str | None = None
    hint: str | None = None
    seconds: float = 0.0


Progress = Callable[[StepResult], None]

#: Steps of one kind in flight at once when the caller does not say: one, for every kind.
#: Measured on engine 20.10, 2 cores (bench/REPORT.md, "Default parallelism"): the engine
#: serializes creates, connects and deletes, so more in flight only adds contention (connects
#: were never reliably faster and up to 40% slower with 4 or 8 in flight; creates and deletes
#: up to 9x slower). Disconnects do gain (35-47% with 4 in flight), but concurrent disconnects
#: from one network sometimes leave a stale endpoint on 20.10 (seen about once in ten rounds
#: of 40): the network then cannot be deleted ("has active endpoints") until the daemon
#: restarts, which would strand a replace half-way. ``--parallelism`` is there for engines
#: and setups where more is measured to pay off and to be safe.
DEFAULT_PARALLELISM: Mapping[StepKind, int] = MappingProxyType(
    {
        StepKind.DISCONNECT: 1,
        StepKind.DELETE: 1,
        StepKind.CREATE: 1,
        StepKind.CONNECT: 1,
    }
)

#: One bound for every kind of step, or a bound per kind (kinds left out get the default).
Parallelism = int | Mapping[StepKind, int]


def parallelism_by_kind(parallelism: Parallelism | None = None) -> dict[StepKind, int]:
    """The bound for each kind of step: ``parallelism`` where given, else the default."""
    if parallelism is None:
        bounds = dict(DEFAULT_PARALLELISM)
    elif isinstance(parallelism, int):
        bounds = dict.fromkeys(StepKind, parallelism)
    else:
        bounds = {kind: parallelism.get(kind, DEFAULT_PARALLELISM[kind]) for kind in StepKind}
    if any(bound < 1 for bound in bounds.values()):
        raise ValueError("parallelism must be at least 1")
    return bounds


@dataclass(frozen=True)
class ApplyResult:
    """What apply did, where it stopped, and what verification found left to do."""

    plan: Plan
    steps: tuple[StepResult, ...] = ()
    failure: StepResult | None = None
    #: The plan made from the live state read after applying; None when it could not be made.
    remaining: Plan | None = None
    verify_error: str | None = None
    #: Steps not attempted because an earlier one failed.
    skipped: tuple[Step, ...] = ()

    @property
    def verified(self) -> bool:
        """True when the live state read afterwards needs no change and has no conflict."""
        return self.remaining is not None and not leftovers(self.remaining)

    @property
    def ok(self) -> bool:
        return self.failure is None and self.verified


def leftovers(plan: Plan) -> bool:
    """Whether a verification plan shows the spec is not in force.

    Actions are obviously left over; so is a conflict (a declared network that someone else's
    network of the same name keeps vlanspec from creating). Pending containers and unmanaged
    attachments are facts the spec allows, not failures.
    """
    return bool(plan.actions) or any(n.kind is NoteKind.CONFLICT for n in plan.notes)


# -- expanding a plan into phases ------------------------------------------------------------


def expand(plan: Plan) -> list[list[Step]]:
    """The plan's steps grouped into phases that must run one after the other.

    Within a phase the order is the plan's (steps of one phase do not depend on each other).
    """
    disconnects: list[Step] = []
    deletes: list[Step] = []
    creates: list[Step] = []
    connects: list[Step] = []

    def detach(action: Action, endpoints: Iterable[Endpoint]) -> None:
        disconnects.extend(
            Step(StepKind.DISCONNECT, action.network, action, endpoint=e) for e in endpoints
        )

    def attach(action: Action, endpoints: Iterable[Endpoint]) -> None:
        connects.extend(
            Step(StepKind.CONNECT, action.network, action, endpoint=e) for e in endpoints
        )

    for action in plan.actions:
        kind = action.kind
        if kind in (ActionKind.DELETE, ActionKind.REPLACE):
            detach(action, action.detach)
            deletes.append(Step(StepKind.DELETE, action.network, action))
        if kind in (ActionKind.CREATE, ActionKind.REPLACE):
            creates.append(Step(StepKind.CREATE, action.network, action, config=action.config))
            if action.config is None:
                raise ValueError(f"{kind} of network {action.network} has no configuration")
        if kind is ActionKind.REPLACE:
            attach(action, action.attach)
        if kind in (ActionKind.DISCONNECT, ActionKind.REATTACH):
            detach(action, _endpoint(action))
        if kind in (ActionKind.CONNECT, ActionKind.REATTACH):
            attach(action, _endpoint(action))

    static = [s for s in connects if s.endpoint is not None and s.endpoint.is_static]
    dynamic = [s for s in connects if not (s.endpoint is not None and s.endpoint.is_static)]
    phases = [_unique_disconnects(disconnects), deletes, creates, static, dynamic]
    return [phase for phase in phases if phase]


def _endpoint(action: Action) -> list[Endpoint]:
    if action.endpoint is None:
        raise ValueError(f"{action.kind} on network {action.network} names no container")
    return [action.endpoint]


def _unique_disconnects(steps: list[Step]) -> list[Step]:
    """Each container leaves each network once, even if two actions both detach it."""
    seen: set[tuple[str, str]] = set()
    unique: list[Step] = []
    for step in steps:
        assert step.endpoint is not None
        key = (step.endpoint.container, step.network)
        if key not in seen:
            seen.add(key)
            unique.append(step)
    return unique


# -- running ---------------------------------------------------------------------------------


def apply(
    plan: Plan,
    engine: Executor,
    *,
    spec: Spec,
    parallelism: Parallelism | None = None,
    progress: Progress | None = None,
    verify: bool = True,
) -> ApplyResult:
    """Execute ``plan`` on ``engine``, then verify against ``spec``.

    ``parallelism`` bounds the steps of one phase in flight at once (phases never overlap):
    one number for every kind of step, or a number per :class:`StepKind`; by default
    :data:`DEFAULT_PARALLELISM`. ``progress`` is called after each step, one call at a time,
    from the thread that ran it.
    Engine refusals do not raise: the result carries the failed step with the engine's words,
    the steps that were not attempted, and the verification plan. Use ``result.ok``.
    """
    bounds = parallelism_by_kind(parallelism)
    phases = expand(plan)
    total = sum(len(p) for p in phases)
    log.info(
        "applying",
        spec=plan.spec,
        actions=len(plan.actions),
        steps=total,
        parallelism={str(kind): bound for kind, bound in bounds.items()},
    )
    runner = _Runner(engine, bounds, progress)
    failure: StepResult | None = None
    skipped: list[Step] = []
    for index, phase in enumerate(phases):
        if failure is None:
            failure = runner.run_phase(phase)
            skipped.extend(s for s in phase if s not in runner.attempted)
        else:
            skipped.extend(phase)
        log.debug("phase finished", phase=index + 1, of=len(phases), failed=failure is not None)
    remaining, verify_error = _verify(engine, spec) if verify else (None, None)
    result = ApplyResult(
        plan=plan,
        steps=tuple(runner.results),
        failure=failure,
        remaining=remaining,
        verify_error=verify_error,
        skipped=tuple(skipped),
    )
    log.info(
        "applied",
        spec=plan.spec,
        steps_done=sum(r.ok for r in runner.results),
        failed=failure.step.describe() if failure else None,
        verified=result.verified,
    )
    return result


def _verify(engine: Executor, spec: Spec) -> tuple[Plan | None, str | None]:
    """Plan again from a fresh read; the plan's actions are what the apply did not achieve."""
    from vlanspec.plan.diff import diff

    try:
        live = engine.read_live(spec)
    except UserError as error:
        log.warning("verification failed", error=error.message)
        return None, error.message
    remaining = diff(spec, live)
    log.info("verified", remaining_actions=len(remaining.actions))
    return remaining, None


class _Runner:
    """Runs phases of steps, sequentially or a bounded number at a time, and records them."""

    def __init__(
        self, engine: Executor, parallelism: Mapping[StepKind, int], progress: Progress | None
    ) -> None:
        self.engine = engine
        self.parallelism = parallelism
        self.progress = progress
        self.results: list[StepResult] = []
        self.attempted: set[Step] = set()
        self._lock = threading.Lock()

    def run_phase(self, steps: Sequence[Step]) -> StepResult | None:
        """Run one phase; the first failure (in completion order) is returned, else None.

        A phase holds one kind of step, so its kind's bound applies.
        """
        bound = max((self.parallelism[s.kind] for s in steps), default=1)
        if bound == 1 or len(steps) == 1:
            for step in steps:
                result = self._run(step)
                if not result.ok:
                    return result
            return None
        failures: list[StepResult] = []
        stop = threading.Event()

        def guarded(step: Step) -> None:
            if stop.is_set():
                return
            result = self._run(step)
            if not result.ok:
                failures.append(result)
                stop.set()

        workers = min(bound, len(steps))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="apply") as pool:
            futures: list[Future[None]] = [pool.submit(guarded, s) for s in steps]
        for future in futures:
            future.result()  # re-raise a bug in a step rather than hide it
        return failures[0] if failures else None

    def _run(self, step: Step) -> StepResult:
        with self._lock:
            self.attempted.add(step)
        started = time.monotonic()
        try:
            step.run(self.engine)
        except UserError as error:
            result = StepResult(
                step, ok=False, error=error.message, hint=error.hint, seconds=_since(started)
            )
            # Debug, not error: the failure is the result's to report (the CLI says it once,
            # and reports each step through ``progress``).
            log.debug("step failed", step=step.describe(), error=error.message)
        else:
            result = StepResult(step, ok=True, seconds=_since(started))
            log.debug("step done", step=step.describe(), seconds=round(result.seconds, 3))
        with self._lock:
            self.results.append(result)
            if self.progress is not None:
                self.progress(result)
        return result


def _since(started: float) -> float:
    return time.monotonic() - started
