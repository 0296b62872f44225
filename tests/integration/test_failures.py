"""Failures a user can cause end with a clear message and exit 1, never a traceback.

The runner does not catch exceptions (see reconcile_helpers), so an escaping exception fails
these tests on its own; they also check that nothing was changed where nothing should be.
"""

from __future__ import annotations

from pathlib import Path

import docker

from tests.helpers.factories import MakeContainer, MakeParent
from tests.integration.reconcile_helpers import macvlan, name, on, vlanspec, write_spec


def _names(client: docker.DockerClient) -> set[str]:
    return {n.name or "" for n in client.networks.list()}


def test_missing_parent_is_a_clear_error(
    tmp_path: Path, docker_host: str, docker_client: docker.DockerClient
) -> None:
    spec = write_spec(tmp_path, "vst-noparent", {"vst-lan": macvlan("vsnope0", "192.0.2.0/24")})
    applied = vlanspec(docker_host, "apply", spec, "--auto-approve")
    assert applied.code == 1, applied
    assert "vsnope0" in applied.stderr
    assert "Traceback" not in applied.output
    assert "vst-lan" not in _names(docker_client)


def test_subnet_held_by_another_network_is_refused_before_the_engine_sees_it(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
) -> None:
    docker_client.networks.create(
        "vst-other",
        driver="macvlan",
        options={"parent": make_parent()},
        ipam=docker.types.IPAMConfig(
            pool_configs=[docker.types.IPAMPool(subnet="198.51.100.0/24")]
        ),
        check_duplicate=True,
    )
    spec = write_spec(
        tmp_path,
        "vst-refused",
        {
            "vst-a": macvlan(make_parent(), "192.0.2.0/24"),
            "vst-overlap": macvlan(make_parent(), "198.51.100.0/25"),
        },
    )
    applied = vlanspec(docker_host, "apply", spec, "--auto-approve")
    assert applied.code == 1, applied
    assert f"{spec}:" in applied.stderr and "vst-other" in applied.stderr  # where, and with whom
    assert "overlaps" in applied.stderr.lower()
    assert "Traceback" not in applied.output
    # Refused before anything changed: not even the network without a problem was created.
    assert {"vst-a", "vst-overlap"}.isdisjoint(_names(docker_client))


def test_engine_refusal_stops_apply_names_the_action_and_quotes_the_engine(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
    make_container: MakeContainer,
) -> None:
    """An address held by a container outside the spec: only the engine can refuse that."""
    squatter, wanted = make_container(), make_container()
    spec_networks = {"vst-lan": macvlan(make_parent(), "192.0.2.0/24")}
    first = write_spec(tmp_path, "vst-clash", spec_networks, file="first.yaml")
    assert vlanspec(docker_host, "apply", first, "--auto-approve").code == 0
    docker_client.networks.get("vst-lan").connect(squatter, ipv4_address="192.0.2.10")

    spec = write_spec(
        tmp_path,
        "vst-clash",
        spec_networks,
        {name(wanted): on("vst-lan", ipv4_address="192.0.2.10")},
    )
    applied = vlanspec(docker_host, "apply", spec, "--auto-approve")
    assert applied.code == 1, applied
    assert f"connect container {name(wanted)} to network vst-lan" in applied.stderr
    assert "Address already in use" in applied.stderr  # the engine's own words
    assert "Nothing was changed." in applied.stdout  # it failed at the first step
    assert "Traceback" not in applied.output


def test_apply_without_a_terminal_needs_auto_approve(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
) -> None:
    spec = write_spec(tmp_path, "vst-approve", {"vst-lan": macvlan(make_parent(), "192.0.2.0/24")})
    applied = vlanspec(docker_host, "apply", spec)
    assert applied.code == 1, applied
    assert "--auto-approve" in applied.stderr
    assert "Plan: 1 to create" in applied.stdout  # the plan is shown before refusing
    assert "vst-lan" not in _names(docker_client)
