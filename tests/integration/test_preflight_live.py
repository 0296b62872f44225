"""Preflight against a real engine: refused specs leave the engine exactly as it was.

Every broken spec of the corpus fails ``plan`` and ``apply`` with its line and column before
vlanspec talks to the engine; each live check fails them after reading the engine but before
changing it. The engine's networks (ids and names) are compared before and after each run.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import docker
import pytest
from docker.types import IPAMConfig, IPAMPool

from tests.helpers.factories import MakeParent
from tests.integration.reconcile_helpers import Run, macvlan, vlanspec, write_spec
from vlanspec.engine.capabilities import capabilities

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "broken"
EXPECT = re.compile(r"^# expect: error (?P<code>\S+) at (?P<line>\d+):(?P<column>\d+): ", re.M)
ERRORS = sorted(p for p in CORPUS.glob("*.yaml") if EXPECT.search(p.read_text()))


def snapshot(client: docker.DockerClient) -> set[tuple[str, str]]:
    return {(n.id or "", n.name or "") for n in client.networks.list()}


def refused(docker_host: str, spec: str) -> list[Run]:
    """``plan`` and ``apply --auto-approve`` of ``spec``: both must fail cleanly."""
    runs = [
        vlanspec(docker_host, "plan", spec),
        vlanspec(docker_host, "apply", spec, "--auto-approve"),
    ]
    for run in runs:
        assert run.code == 1, run
        assert "Traceback" not in run.output and "internal error" not in run.output, run
    return runs


@pytest.mark.parametrize("path", ERRORS, ids=lambda p: p.stem)
def test_broken_corpus_spec_is_refused_and_the_engine_untouched(
    path: Path, docker_host: str, docker_client: docker.DockerClient
) -> None:
    match = EXPECT.search(path.read_text())
    assert match
    before = snapshot(docker_client)
    for run in refused(docker_host, str(path)):
        assert f"{path}:{match['line']}:{match['column']}: error: " in run.output, run
    assert snapshot(docker_client) == before


def located(spec: str, text: str, needle: str) -> str:
    """``spec:line:col`` of the first ``needle`` in the spec's text (written as JSON here)."""
    index = text.index(needle)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"{spec}:{line}:{column}"


def check_refusal(
    tmp_path: Path,
    docker_host: str,
    client: docker.DockerClient,
    networks: dict[str, Any],
    needle: str,
    words: str,
) -> None:
    spec = write_spec(tmp_path, "vst-preflight", networks)
    where = located(spec, Path(spec).read_text(), needle)
    before = snapshot(client)
    for run in refused(docker_host, spec):
        assert f"{where}: error: " in run.output, run
        assert words in run.output, run
    assert snapshot(client) == before


def test_subnet_overlapping_a_bridge_network(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
) -> None:
    docker_client.networks.create(
        "vst-bridge",
        driver="bridge",
        ipam=IPAMConfig(pool_configs=[IPAMPool(subnet="198.51.100.0/24")]),
        check_duplicate=True,
    )
    networks = {"vst-lan": macvlan(make_parent(), "198.51.100.128/25")}
    check_refusal(
        tmp_path, docker_host, docker_client, networks, '"198.51.100.128/25"', "vst-bridge"
    )


def test_ipvlan_parent_already_used_outside_the_spec(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
) -> None:
    parent = make_parent()
    docker_client.networks.create(
        "vst-theirs",
        driver="ipvlan",
        options={"parent": parent},
        ipam=IPAMConfig(pool_configs=[IPAMPool(subnet="203.0.113.0/26")]),
        check_duplicate=True,
    )
    networks = {
        "vst-mine": {"driver": "ipvlan", "parent": parent, "subnets": [{"subnet": "192.0.2.0/24"}]}
    }
    check_refusal(tmp_path, docker_host, docker_client, networks, f'"{parent}"', "vst-theirs")


def test_parent_that_is_not_on_the_host(
    tmp_path: Path, docker_host: str, docker_client: docker.DockerClient
) -> None:
    networks = {"vst-lan": macvlan("vsnope0", "192.0.2.0/24")}
    check_refusal(tmp_path, docker_host, docker_client, networks, '"vsnope0"', "does not exist")


def test_vlan_parent_whose_interface_is_not_on_the_host(
    tmp_path: Path, docker_host: str, docker_client: docker.DockerClient
) -> None:
    networks = {"vst-lan": macvlan("vsnope0.20", "192.0.2.0/24")}
    check_refusal(
        tmp_path, docker_host, docker_client, networks, '"vsnope0.20"', "interface vsnope0"
    )


def test_engine_version_limits(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
) -> None:
    """What this engine's version cannot do is refused (or, for a MAC, warned) up front."""
    caps = capabilities(docker_client.version()["Version"])
    if not caps.ipvlan_flag:
        network = {"driver": "ipvlan", "parent": make_parent(), "flag": "private"}
        check_refusal(tmp_path, docker_host, docker_client, {"vst-f": network}, '"private"', "23.0")
    if not caps.shared_macvlan_parent:
        parent = make_parent()
        networks = {
            "vst-a": macvlan(parent, "192.0.2.0/25"),
            "vst-b": macvlan(parent, "192.0.2.128/25"),
        }
        spec = write_spec(tmp_path, "vst-shared", networks, file="shared.yaml")
        before = snapshot(docker_client)
        for run in refused(docker_host, spec):
            assert "27.0.1" in run.output, run
        assert snapshot(docker_client) == before
    if not caps.mac_on_connect:
        spec = write_spec(
            tmp_path,
            "vst-mac",
            {"vst-m": macvlan(make_parent(), "203.0.113.0/26")},
            {"vst-nobody": {"networks": {"vst-m": {"mac_address": "02:00:00:00:00:42"}}}},
            file="mac.yaml",
        )
        planned = vlanspec(docker_host, "plan", spec)
        assert planned.code == 0, planned
        assert "warning: Docker Engine" in planned.stderr and "29.3" in planned.stderr


def test_a_renamed_network_may_reuse_its_own_subnet(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
) -> None:
    """The spec's own networks are no obstacle: the plan deletes them before it creates."""
    parent = make_parent()
    first = write_spec(tmp_path, "vst-rename", {"vst-old": macvlan(parent, "192.0.2.0/24")})
    assert vlanspec(docker_host, "apply", first, "--auto-approve").code == 0
    second = write_spec(
        tmp_path, "vst-rename", {"vst-new": macvlan(parent, "192.0.2.0/24")}, file="renamed.yaml"
    )
    applied = vlanspec(docker_host, "apply", second, "--auto-approve")
    assert applied.code == 0, applied
    names = {name for _id, name in snapshot(docker_client)}
    assert "vst-new" in names and "vst-old" not in names
