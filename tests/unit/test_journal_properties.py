"""A run stopped after any step of any plan, then a new plan from the journal: nothing is lost.

Over the planner's random specs and live states (tests/unit/plan/test_properties.py), the plan
runs on the model engine step by step in apply's order (:func:`vlanspec.apply.expand`) and
stops after step k, its journal entries written as apply writes them. Planning again from that
state and its journal, and applying, must converge, and every container a replace was to
reconnect must be attached to that network again, with the static address it was to get.
"""

from __future__ import annotations

import dataclasses
import random

from hypothesis import given
from hypothesis import strategies as st

from tests.unit.plan.test_properties import SETTINGS, ModelEngine, apply_to_model, cases, describe
from vlanspec import journal
from vlanspec.apply import expand
from vlanspec.plan.diff import diff
from vlanspec.plan.model import ActionKind, Endpoint, NetworkConfig, Plan
from vlanspec.spec.model import Spec
from vlanspec.state import LiveState


class Executor:
    """The model engine behind the names apply's steps call."""

    def __init__(self, model: ModelEngine) -> None:
        self.model = model

    def create_network(self, config: NetworkConfig) -> str:
        self.model.create(config)
        return config.name

    def remove_network(self, name: str) -> None:
        self.model.delete(name)

    def connect(self, endpoint: Endpoint) -> None:
        self.model.connect(endpoint)

    def disconnect(self, container: str, network: str, *, force: bool = False) -> None:
        self.model.disconnect(container, network)


def run_until(plan: Plan, live: LiveState, rng: random.Random, stop: int) -> tuple[LiveState, int]:
    """The live state after the first ``stop`` steps of ``plan``, and how many steps it has."""
    model = ModelEngine(live, rng)
    steps = [step for phase in expand(plan) for step in phase]
    for step in steps[:stop]:
        step.run(Executor(model))  # type: ignore[arg-type]
    return model.state(), len(steps)


def promised(plan: Plan) -> dict[tuple[str, str], Endpoint]:
    """What the plan's reconnects (a replace's list, reattaches) must give each container."""
    found = {
        (e.container, e.network): e
        for a in plan.actions
        if a.kind is ActionKind.REPLACE
        for e in a.attach
    }
    for action in plan.actions:
        if action.kind is ActionKind.REATTACH and action.endpoint is not None:
            found[(action.endpoint.container, action.network)] = action.endpoint
    return found


@SETTINGS
@given(case=cases(), rng=st.randoms(use_true_random=False), where=st.floats(0, 1))
def test_a_plan_stopped_after_any_step_is_finished_from_the_journal(
    case: tuple[Spec, LiveState], rng: random.Random, where: float
) -> None:
    spec, live = case
    plan = diff(spec, live)
    written = journal.entries_to_write(plan, live, created="T")
    total = len([s for phase in expand(plan) for s in phase])
    stop = round(where * total)
    stopped, _ = run_until(plan, live, rng, stop)
    stopped = dataclasses.replace(stopped, journal=tuple(written))

    recovery = diff(spec, stopped)
    rewritten = journal.entries_to_write(recovery, stopped, created="T")
    after = dataclasses.replace(
        apply_to_model(recovery, stopped, rng), journal=(*written, *rewritten)
    )
    again = diff(spec, after)
    assert again.is_empty, (describe(plan), stop, describe(recovery), describe(again))

    attached = {(e.container, e.network): e for e in after.endpoints}
    for key, want in promised(plan).items():
        assert key in attached, (key, stop, describe(plan), describe(recovery))
        got = attached[key]
        if want.ipv4_address:
            assert got.requested_ipv4 == want.ipv4_address, (key, stop, describe(recovery))
        if want.ipv6_address:
            assert got.requested_ipv6 == want.ipv6_address, (key, stop, describe(recovery))
        assert set(want.aliases) <= set(got.aliases or ()), (key, stop)
