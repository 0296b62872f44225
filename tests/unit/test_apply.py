"""Apply's ordering and failure handling, against a fake engine that records calls."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from vlanspec.apply import StepResult, apply, expand, leftovers
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
    result = apply(MIXED, engine, spec=SPEC, verify=False)
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
    result = apply(MIXED, engine, spec=SPEC, verify=False, progress=seen.append)
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
    apply(plan, engine, spec=SPEC, verify=False)
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
