"""The specs in specs/ can be applied on every engine vlanspec is tested with.

Each is checked against a live state in which its containers exist, parked on an internal
network (as `make lab-plan` parks them), with the live checks `plan` and `apply` run: an example
that a supported engine would refuse (say, an ipvlan L3 connect beside a default route before
28.0) fails here, not in a user's first `make lab-plan`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.plans import container, endpoint, network, state
from vlanspec.diagnostics import has_errors
from vlanspec.plan.preflight import live_checks
from vlanspec.spec import load_spec

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "specs").glob("*.yaml"))
#: The engines of `make test` (the host's 20.10) and of lab/engines.txt, and the newest rules.
ENGINES = ("20.10.24", "26.1.5", "28.5.2", "29.3.0")
HOLDING = "holding"


@pytest.mark.parametrize("version", ENGINES)
@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_example_specs_pass_the_live_checks(path: Path, version: str) -> None:
    spec = load_spec(str(path))
    names = sorted(spec.containers)
    live = state(
        network(HOLDING, internal=True, spec=None),
        *(container(name) for name in names),
        *(endpoint(name, HOLDING) for name in names),
        version=version,
    )
    problems = live_checks(spec, live)
    assert not has_errors(problems), [str(p) for p in problems]
