"""Apply's ordering and failure handling, against a fake engine that records calls."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Iterable

import pytest

from vlanspec.apply import (
    DEFAULT_PARALLELISM,
    StepKind,
    StepResult,
    apply,
    expand,
    leftovers,
    parallelism_by_kind,
)
from vlanspec.engine.errors import EngineError
from vlanspec.plan.model import (
    Action,
    ActionKind,
    Endpoint,
    NetworkConfig,
    Note,
    NoteKind,
    Plan,
)
from vlanspec.spec.model import SourceMap, Spec
from vlanspec.state import EngineInfo, LiveState

ENGINE = EngineInfo("20.10.24", "1.41")
SPEC = Spec(name="t", networks=(), attachments=(), source=SourceMap("t.yaml"))


class FakeEngine:
    """Records each call as a short string; fails the call named in ``fail``."""

    def __init__(self, fail: str | None = None) -> None:
        self.calls: list[str] = []
        self.fail = fail

    def _record(self, call: str) -> None:
        self.calls.append(call)
        if call == self.fail:
            raise EngineError(call, "Address already in use", status=403)

    def create_network(self, config: NetworkConfig) -> str:
        self._record(f"create {config.name}")
        return "id"

    def remove_network(self, name: str) -> None:
        self._record(f"delete {name}")

    def connect(self, endpoint: Endpoint) -> None:
        self._record(f"connect {endpoint.container} {endpoint.network}")

    def disconnect(self, container: str, network: str, *, force: bool = False) -> None:
        self._record(f"disconnect {container} {network}")

    def read_live(self, aliases_for: Spec | Iterable[str] | None = None) -> LiveState:
        raise AssertionError("verification is off in these tests")


def _ep(container: str, network: str, ipv4: str | None = None) -> Endpoint:
    return Endpoint(container, network, ipv4_address=ipv4)


def _plan(*actions: Action) -> Plan:
    return Plan(spec="t", engine=ENGINE, actions=actions)


REPLACE = Action(
    ActionKind.REPLACE,
    "lan",
    reason="subnets changed",
    config=NetworkConfig("lan", "macvlan"),
    detach=(_ep("a", "lan", "192.0.2.10"), _ep("b", "lan")),
    attach=(_ep("b", "lan"), _ep("a", "lan", "198.51.100.10")),
)
MIXED = _plan(
    Action(ActionKind.CREATE, "new", config=NetworkConfig("new", "macvlan")),
    Action(ActionKind.CONNECT, "new", endpoint=_ep("c", "new")),
    Action(ActionKind.CONNECT, "new", endpoint=_ep("d", "new", "192.0.2.5")),
    REPLACE,
    Action(ActionKind.REATTACH, "wan", endpoint=_ep("e", "wan", "203.0.113.9")),
    Action(ActionKind.DELETE, "old", detach=(_ep("f", "old"),)),
    Action(ActionKind.DISCONNECT, "wan", endpoint=_ep("g", "wan")),
)
ORDER = [
    # 1. every disconnect
    "disconnect a lan",
    "disconnect b lan",
    "disconnect e wan",
    "disconnect f old",
    "disconnect g wan",
    # 2. deletes, 3. creates
    "delete lan",
    "delete old",
    "create new",
    "create lan",
    # 4. static connects, then 5. dynamic ones (the plan's order within each)
    "connect d new",
    "connect a lan",
    "connect e wan",
    "connect c new",
    "connect b lan",
]


def test_steps_run_in_dependency_order_statics_before_dynamics() -> None:
    engine = FakeEngine()
    result = apply(MIXED, engine, spec=SPEC, verify=False, parallelism=1)
    assert engine.calls == ORDER
    assert result.failure is None
    assert [r.step.describe() for r in result.steps][:1] == ["disconnect a from lan"]
    assert not result.ok  # not verified


@pytest.mark.parametrize("parallelism", [2, 8])
def test_parallel_phases_make_the_same_calls_and_keep_phase_order(parallelism: int) -> None:
    engine = FakeEngine()
    apply(MIXED, engine, spec=SPEC, verify=False, parallelism=parallelism)
    assert sorted(engine.calls) == sorted(ORDER)
    phase = {call: i for i, phase in enumerate(expand(MIXED)) for call in _calls(phase)}
    assert [phase[c] for c in engine.calls] == sorted(phase[c] for c in engine.calls)


def _calls(steps: Iterable[object]) -> list[str]:
    engine = FakeEngine()
    for step in steps:
        step.run(engine)  # type: ignore[attr-defined]
    return engine.calls


def test_first_failure_stops_with_the_action_and_the_engines_words() -> None:
    engine = FakeEngine(fail="create lan")
    seen: list[StepResult] = []
    result = apply(MIXED, engine, spec=SPEC, verify=False, parallelism=1, progress=seen.append)
    assert engine.calls == ORDER[: ORDER.index("create lan") + 1]
    assert result.failure is not None
    assert result.failure.step.describe() == "create network lan"
    assert result.failure.error is not None
    assert "create lan" in result.failure.error
    assert "Address already in use" in result.failure.error
    assert result.skipped[0].describe() == "connect d to new (192.0.2.5)"
    assert len(result.skipped) == 5
    assert seen == list(result.steps)
    assert not result.ok


def test_a_container_detached_by_two_actions_is_disconnected_once() -> None:
    plan = _plan(
        REPLACE,
        Action(ActionKind.DISCONNECT, "lan", endpoint=_ep("a", "lan")),
    )
    engine = FakeEngine()
    apply(plan, engine, spec=SPEC, verify=False, parallelism=4)
    assert engine.calls.count("disconnect a lan") == 1


def test_leftovers_are_actions_or_conflicts_not_pending_containers() -> None:
    pending = Note(NoteKind.PENDING, "container x does not exist")
    conflict = Note(NoteKind.CONFLICT, "network lan exists without our label")
    assert not leftovers(Plan("t", ENGINE, notes=(pending,)))
    assert leftovers(Plan("t", ENGINE, notes=(conflict,)))
    assert leftovers(_plan(Action(ActionKind.DELETE, "old")))


def test_parallelism_must_be_positive() -> None:
    with pytest.raises(ValueError, match="parallelism"):
        apply(MIXED, FakeEngine(), spec=SPEC, parallelism=0)
    with pytest.raises(ValueError, match="parallelism"):
        apply(MIXED, FakeEngine(), spec=SPEC, parallelism={StepKind.CONNECT: 0})


class SlowEngine(FakeEngine):
    """A fake engine whose calls take a random few milliseconds, and which counts how many of
    each kind are in flight at once."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._in_flight: Counter[str] = Counter()
        self.most_in_flight: Counter[str] = Counter()

    def _record(self, call: str) -> None:
        kind = call.split()[0]
        with self._lock:
            self._in_flight[kind] += 1
            self.most_in_flight[kind] = max(self.most_in_flight[kind], self._in_flight[kind])
            delay = self._random.uniform(0, 0.004)
        time.sleep(delay)
        with self._lock:
            self.calls.append(call)
            self._in_flight[kind] -= 1


def _big_plan() -> Plan:
    """Replaces, creates with connects, reattaches and deletes over several networks."""
    actions: list[Action] = []
    for n in range(4):
        net = f"r{n}"
        members = [
            _ep(f"r{n}c{i}", net, f"192.0.2.{n * 10 + i}" if i % 2 else None) for i in range(6)
        ]
        actions.append(
            Action(
                ActionKind.REPLACE,
                net,
                config=NetworkConfig(net, "macvlan"),
                detach=tuple(members),
                attach=tuple(members),
            )
        )
        new = f"n{n}"
        actions.append(Action(ActionKind.CREATE, new, config=NetworkConfig(new, "macvlan")))
        for i in range(6):
            ipv4 = f"198.51.100.{n * 10 + i}" if i % 3 == 0 else None
            actions.append(Action(ActionKind.CONNECT, new, endpoint=_ep(f"n{n}c{i}", new, ipv4)))
        actions.append(
            Action(ActionKind.REATTACH, "wan", endpoint=_ep(f"w{n}", "wan", f"203.0.113.{n + 1}"))
        )
        actions.append(Action(ActionKind.DELETE, f"old{n}", detach=(_ep(f"o{n}", f"old{n}"),)))
    return _plan(*actions)


@pytest.mark.parametrize("seed", range(5))
def test_orders_that_matter_hold_with_many_steps_in_flight(seed: int) -> None:
    plan = _big_plan()
    engine = SlowEngine(seed)
    result = apply(plan, engine, spec=SPEC, verify=False, parallelism=8)
    assert result.failure is None
    at = {call: i for i, call in enumerate(engine.calls)}
    assert len(at) == len(engine.calls)  # no call twice
    connects = [c for c in engine.calls if c.startswith("connect")]
    for action in plan.actions:
        net = action.network
        if action.kind in (ActionKind.CREATE, ActionKind.REPLACE):
            # the network exists before anything connects to it
            assert all(at[f"create {net}"] < at[c] for c in connects if c.endswith(f" {net}"))
        if action.kind in (ActionKind.DELETE, ActionKind.REPLACE):
            # every disconnect from it precedes its delete, which precedes its re-creation
            for e in action.detach:
                assert at[f"disconnect {e.container} {net}"] < at[f"delete {net}"]
        if action.kind is ActionKind.REPLACE:
            assert at[f"delete {net}"] < at[f"create {net}"]
        if action.kind is ActionKind.REATTACH:
            assert action.endpoint is not None
            who = f"{action.endpoint.container} {net}"
            assert at[f"disconnect {who}"] < at[f"connect {who}"]
    # static addresses are taken before any dynamic connect could take them
    endpoints = {
        f"connect {e.container} {e.network}": e
        for a in plan.actions
        for e in (*a.attach, *([a.endpoint] if a.endpoint else []))
    }
    static = [at[c] for c in connects if endpoints[c].is_static]
    dynamic = [at[c] for c in connects if not endpoints[c].is_static]
    assert max(static) < min(dynamic)
    assert 1 < engine.most_in_flight["connect"] <= 8


def test_each_kind_of_step_gets_its_own_bound() -> None:
    engine = SlowEngine(0)
    bounds = {StepKind.DISCONNECT: 3, StepKind.CONNECT: 1}
    apply(_big_plan(), engine, spec=SPEC, verify=False, parallelism=bounds)
    assert engine.most_in_flight["connect"] == 1
    assert 1 < engine.most_in_flight["disconnect"] <= 3
    assert parallelism_by_kind(bounds)[StepKind.CREATE] == DEFAULT_PARALLELISM[StepKind.CREATE]
    assert set(parallelism_by_kind(2).values()) == {2}
