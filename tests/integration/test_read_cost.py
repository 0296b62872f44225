"""Reading the live state costs the same number of engine calls however big the host is.

One networks list and one containers list, whatever the number of networks and containers;
container inspects (for aliases, which the lists lack) only for the containers whose spec entries
declare aliases.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import docker
from docker.models.containers import Container

from tests.helpers.factories import MakeContainer, MakeParent
from tests.integration.reconcile_helpers import macvlan, name, on, vlanspec, write_spec
from vlanspec.engine import Engine, connect
from vlanspec.spec import load_spec


def _cost(engine: Engine, scope: Any) -> Counter[str]:
    before = Counter(engine.calls)
    engine.read_live(scope)
    return engine.calls - before


def _plan_calls(docker_host: str, spec: str) -> int:
    """Total engine calls of one ``vlanspec plan``, from its JSON log."""
    run = vlanspec(docker_host, "plan", spec, "-v", "--log-format", "json")
    assert run.code == 0, run
    events = [json.loads(line) for line in run.stderr.splitlines() if line.startswith("{")]
    [calls] = [e for e in events if e.get("event") == "engine calls"]
    total: int = calls["total"]
    return total


def test_reads_cost_a_constant_number_of_calls(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
    make_container: MakeContainer,
) -> None:
    networks: dict[str, Any] = {}
    containers: list[Container] = []

    def grow(to: int) -> str:
        """Networks and containers up to ``to`` each, container i attached to network i."""
        while len(networks) < to:
            i = len(networks)
            networks[f"vst-cost{i}"] = macvlan(make_parent(), f"192.0.2.{i * 32}/27")
            containers.append(make_container())
        spec = write_spec(tmp_path, "vst-cost", networks)
        applied = vlanspec(docker_host, "apply", spec, "--auto-approve")
        assert applied.code == 0, applied
        for i, container in enumerate(containers):
            network = docker_client.networks.get(f"vst-cost{i}")
            if container.id not in (network.attrs.get("Containers") or {}):
                network.connect(container)  # attached, but not listed in the spec
        return spec

    engine = connect(docker_host)
    try:
        spec_one = grow(1)
        one = _cost(engine, load_spec(spec_one))
        cli_one = _plan_calls(docker_host, spec_one)
        spec_five = grow(5)
        five = _cost(engine, load_spec(spec_five))
        cli_five = _plan_calls(docker_host, spec_five)
        assert one == five == Counter({"networks": 1, "containers": 1, "volumes": 1})
        # connect (version) + one networks list + one containers list + one journal list
        assert cli_one == cli_five == 4

        # A spec that names the containers without aliases: their aliases are not read.
        listed = write_spec(
            tmp_path,
            "vst-cost",
            networks,
            {name(c): on(f"vst-cost{i}") for i, c in enumerate(containers)},
            file="listed.yaml",
        )
        named = _cost(engine, load_spec(listed))
        assert named == Counter({"networks": 1, "containers": 1, "volumes": 1})
        # Two of them declare aliases: one inspect each, for those two only.
        aliased = write_spec(
            tmp_path,
            "vst-cost",
            networks,
            {
                name(c): {"networks": {f"vst-cost{i}": {"aliases": ["a"]} if i < 2 else {}}}
                for i, c in enumerate(containers)
            },
            file="aliased.yaml",
        )
        declared = _cost(engine, load_spec(aliased))
        assert declared == Counter({"networks": 1, "containers": 1, "volumes": 1, "inspect": 2})
        assert _cost(engine, None) == Counter({"networks": 1, "containers": 1, "volumes": 1})
    finally:
        engine.close()
