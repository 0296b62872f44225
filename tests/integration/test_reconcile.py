"""plan and apply against a real engine: create, converge, reattach, replace, delete.

Each test writes a spec for networks on veth parents of its own and containers of the test lab,
runs the CLI, and checks the engine (and the containers' own view) afterwards.
"""

from __future__ import annotations

from pathlib import Path

import docker

from tests.helpers.factories import MakeContainer, MakeParent
from tests.integration.reconcile_helpers import (
    address,
    endpoint,
    execute,
    macvlan,
    name,
    on,
    vlanspec,
    write_spec,
)
from vlanspec.journal import LABEL as JOURNAL_LABEL
from vlanspec.spec.model import SPEC_LABEL

LAN = "vst-lan"


def test_apply_connects_static_containers_that_reach_each_other_then_converges(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
    make_container: MakeContainer,
) -> None:
    first, second = make_container(), make_container()
    spec = write_spec(
        tmp_path,
        "vst-apply",
        {LAN: macvlan(make_parent(), "192.0.2.0/24", "192.0.2.1")},
        {
            name(first): on(LAN, ipv4_address="192.0.2.10"),
            name(second): on(LAN, ipv4_address="192.0.2.11"),
        },
    )

    planned = vlanspec(docker_host, "plan", spec, "--detailed-exitcode")
    assert planned.code == 2, planned
    assert "Plan: 1 to create" in planned.stdout, planned
    assert docker_client.version()["Version"] in planned.stdout  # the header names the engine

    applied = vlanspec(docker_host, "apply", spec, "--auto-approve")
    assert applied.code == 0, applied
    assert "verified" in applied.stdout

    assert address(first, LAN) == "192.0.2.10"
    assert address(second, LAN) == "192.0.2.11"
    code, output = execute(first, "ping", "-c1", "-W2", "192.0.2.11")
    assert code == 0, output
    code, output = execute(second, "ping", "-c1", "-W2", "192.0.2.10")
    assert code == 0, output

    again = vlanspec(docker_host, "apply", spec)  # no --auto-approve needed: nothing to do
    assert again.code == 0, again
    assert "No changes" in again.stdout
    assert vlanspec(docker_host, "plan", spec, "--detailed-exitcode").code == 0


def test_changed_address_is_reattached(
    tmp_path: Path, docker_host: str, make_parent: MakeParent, make_container: MakeContainer
) -> None:
    container = make_container()
    parent = make_parent()
    networks = {LAN: macvlan(parent, "192.0.2.0/24", "192.0.2.1")}
    spec = write_spec(
        tmp_path, "vst-move", networks, {name(container): on(LAN, ipv4_address="192.0.2.10")}
    )
    assert vlanspec(docker_host, "apply", spec, "--auto-approve").code == 0

    spec = write_spec(
        tmp_path, "vst-move", networks, {name(container): on(LAN, ipv4_address="192.0.2.20")}
    )
    planned = vlanspec(docker_host, "plan", spec, "--detailed-exitcode")
    assert planned.code == 2
    assert "1 to reattach" in planned.stdout, planned

    applied = vlanspec(docker_host, "apply", spec, "--auto-approve")
    assert applied.code == 0, applied
    assert address(container, LAN) == "192.0.2.20"
    code, output = execute(container, "ip", "-4", "addr")
    assert code == 0, output
    assert "inet 192.0.2.20/24" in output and "192.0.2.10" not in output, output
    assert vlanspec(docker_host, "plan", spec, "--detailed-exitcode").code == 0


def test_aliases_the_spec_does_not_declare_are_left_alone_and_survive_a_reattach(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
    make_container: MakeContainer,
) -> None:
    container = make_container()
    networks = {LAN: macvlan(make_parent(), "192.0.2.0/24", "192.0.2.1")}

    def spec_at(ipv4: str, **aliases: list[str]) -> str:
        entry = {"networks": {LAN: {"ipv4_address": ipv4, **aliases}}}
        return write_spec(tmp_path, "vst-alias", networks, {name(container): entry})

    assert vlanspec(docker_host, "apply", spec_at("192.0.2.10"), "--auto-approve").code == 0
    # Someone gives the container an alias by hand; the spec says nothing about aliases.
    network = docker_client.networks.get(LAN)
    network.disconnect(container)
    network.connect(container, ipv4_address="192.0.2.10", aliases=["by-hand"])
    assert vlanspec(docker_host, "plan", spec_at("192.0.2.10"), "--detailed-exitcode").code == 0

    # An address change reattaches it, and the alias it had comes back with it.
    applied = vlanspec(docker_host, "apply", spec_at("192.0.2.20"), "--auto-approve", "-v")
    assert applied.code == 0, applied
    assert address(container, LAN) == "192.0.2.20"
    moved = endpoint(container, LAN)
    assert moved is not None and "by-hand" in (moved["Aliases"] or []), moved
    # The reattach was journalled (its aliases lived nowhere else meanwhile), then cleared.
    assert "journal written" in applied.stderr, applied
    assert not docker_client.volumes.list(filters={"label": JOURNAL_LABEL})

    # Declared, they are managed: [] takes the alias away.
    spec = spec_at("192.0.2.20", aliases=[])
    planned = vlanspec(docker_host, "plan", spec, "--detailed-exitcode")
    assert planned.code == 2 and "aliases differ" in planned.stdout, planned
    assert vlanspec(docker_host, "apply", spec, "--auto-approve").code == 0
    cleared = endpoint(container, LAN)
    assert cleared is not None and "by-hand" not in (cleared["Aliases"] or []), cleared
    assert vlanspec(docker_host, "plan", spec, "--detailed-exitcode").code == 0


def test_replace_brings_every_container_back(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
    make_container: MakeContainer,
) -> None:
    listed, pinned, floating = make_container(), make_container(), make_container()
    parent = make_parent()

    def spec_for(subnet: str, gateway: str, listed_ip: str, owner: str) -> str:
        network = macvlan(parent, subnet, gateway, labels={"owner": owner})
        return write_spec(
            tmp_path, "vst-replace", {LAN: network}, {name(listed): on(LAN, ipv4_address=listed_ip)}
        )

    spec = spec_for("192.0.2.0/24", "192.0.2.1", "192.0.2.10", "a")
    assert vlanspec(docker_host, "apply", spec, "--auto-approve").code == 0
    # Two containers the spec does not list: one pinned to an address, one dynamic.
    network = docker_client.networks.get(LAN)
    network.connect(pinned, ipv4_address="192.0.2.50", aliases=["pinned-alias"])
    network.connect(floating)
    floating_before = address(floating, LAN)

    # A label change: replace; the pinned address is still valid, so it is kept.
    spec = spec_for("192.0.2.0/24", "192.0.2.1", "192.0.2.11", "b")
    planned = vlanspec(docker_host, "plan", spec)
    assert "1 to replace" in planned.stdout, planned
    for touched in (listed, pinned, floating):
        assert name(touched) in planned.stdout  # the plan lists every container the replace touches
    applied = vlanspec(docker_host, "apply", spec, "--auto-approve")
    assert applied.code == 0, applied
    assert docker_client.networks.get(LAN).attrs["Labels"]["owner"] == "b"
    assert address(listed, LAN) == "192.0.2.11"
    assert address(pinned, LAN) == "192.0.2.50"
    pinned_endpoint = endpoint(pinned, LAN)
    assert pinned_endpoint is not None
    assert "pinned-alias" in (pinned_endpoint["Aliases"] or [])  # read for the replace, kept
    assert address(floating, LAN) is not None
    assert floating_before is not None

    # A subnet change: replace; the pinned address is outside the new subnet, so it goes dynamic.
    spec = spec_for("198.51.100.0/24", "198.51.100.1", "198.51.100.10", "b")
    applied = vlanspec(docker_host, "apply", spec, "--auto-approve")
    assert applied.code == 0, applied
    assert address(listed, LAN) == "198.51.100.10"
    for unlisted in (pinned, floating):
        found = address(unlisted, LAN)
        assert found is not None and found.startswith("198.51.100."), found
    code, output = execute(pinned, "ping", "-c1", "-W2", "198.51.100.10")
    assert code == 0, output
    assert vlanspec(docker_host, "plan", spec, "--detailed-exitcode").code == 0


def test_network_removed_from_spec_is_deleted_and_foreign_networks_are_not(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
    make_container: MakeContainer,
) -> None:
    container = make_container()
    keep = macvlan(make_parent(), "192.0.2.0/25", "192.0.2.1")
    drop = macvlan(make_parent(), "192.0.2.128/25", "192.0.2.129")
    foreign = docker_client.networks.create(
        "vst-foreign",
        driver="macvlan",
        options={"parent": make_parent()},
        check_duplicate=True,
        ipam=docker.types.IPAMConfig(
            pool_configs=[docker.types.IPAMPool(subnet="198.51.100.0/24")]
        ),
    )
    spec = write_spec(
        tmp_path,
        "vst-remove",
        {"vst-keep": keep, "vst-drop": drop},
        {name(container): on("vst-drop", ipv4_address="192.0.2.130")},
    )
    assert vlanspec(docker_host, "apply", spec, "--auto-approve").code == 0
    assert address(container, "vst-drop") == "192.0.2.130"

    spec = write_spec(tmp_path, "vst-remove", {"vst-keep": keep})
    planned = vlanspec(docker_host, "plan", spec)
    assert "1 to delete" in planned.stdout, planned
    assert name(container) in planned.stdout
    applied = vlanspec(docker_host, "apply", spec, "--auto-approve")
    assert applied.code == 0, applied

    names = {n.name for n in docker_client.networks.list()}
    assert "vst-drop" not in names
    assert "vst-keep" in names
    assert endpoint(container, "vst-drop") is None
    assert container.status == "running"
    assert docker_client.networks.get(foreign.id or "").attrs["Labels"] in ({}, None)


def test_declared_name_held_by_an_unlabelled_network_is_a_conflict_left_untouched(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
) -> None:
    theirs = docker_client.networks.create(
        LAN,
        driver="macvlan",
        options={"parent": make_parent()},
        check_duplicate=True,
        ipam=docker.types.IPAMConfig(
            pool_configs=[docker.types.IPAMPool(subnet="198.51.100.0/24")]
        ),
    )
    spec = write_spec(tmp_path, "vst-conflict", {LAN: macvlan(make_parent(), "192.0.2.0/24")})

    planned = vlanspec(docker_host, "plan", spec, "--detailed-exitcode")
    assert planned.code == 1, planned  # nothing is planned for it: the spec cannot be in force
    assert "without the io.vlanspec.spec label" in planned.stdout  # ... and the plan says why
    assert "1 conflict(s) keep the spec from being applied" in planned.stderr

    applied = vlanspec(docker_host, "apply", spec, "--auto-approve")
    assert applied.code == 1, applied
    assert "conflict" in applied.stderr
    after = docker_client.networks.get(LAN)
    assert after.id == theirs.id
    assert SPEC_LABEL not in (after.attrs["Labels"] or {})

    destroyed = vlanspec(docker_host, "destroy", spec, "--auto-approve")
    assert destroyed.code == 0, destroyed
    assert docker_client.networks.get(LAN).id == theirs.id

    # The way out the plan names: adopt it, which replaces it with a network of our own.
    adopted = vlanspec(docker_host, "apply", spec, "--adopt", LAN, "--auto-approve")
    assert adopted.code == 0, adopted
    assert "1 to replace" in adopted.stdout
    ours = docker_client.networks.get(LAN)
    assert ours.id != theirs.id
    assert ours.attrs["Labels"][SPEC_LABEL] == "vst-conflict"


def test_mac_address_on_an_engine_that_ignores_it_is_noted_not_reattached(
    tmp_path: Path, docker_host: str, make_parent: MakeParent, make_container: MakeContainer
) -> None:
    container = make_container()
    spec = write_spec(
        tmp_path,
        "vst-mac",
        {LAN: macvlan(make_parent(), "192.0.2.0/24")},
        {name(container): on(LAN, ipv4_address="192.0.2.10", mac_address="02:00:00:00:00:99")},
    )
    applied = vlanspec(docker_host, "apply", spec, "--auto-approve")
    assert applied.code == 0, applied
    assert "ignores a MAC address" in applied.stdout
    assert address(container, LAN) == "192.0.2.10"
    assert vlanspec(docker_host, "plan", spec, "--detailed-exitcode").code == 0


def test_stopped_container_is_connected_and_gets_its_address_when_it_starts(
    tmp_path: Path, docker_host: str, make_parent: MakeParent, make_container: MakeContainer
) -> None:
    stopped = make_container(start=False)
    spec = write_spec(
        tmp_path,
        "vst-stopped",
        {LAN: macvlan(make_parent(), "192.0.2.0/24")},
        {name(stopped): on(LAN, ipv4_address="192.0.2.30")},
    )
    applied = vlanspec(docker_host, "apply", spec, "--auto-approve")
    assert applied.code == 0, applied
    assert vlanspec(docker_host, "plan", spec, "--detailed-exitcode").code == 0
    stopped.start()
    assert address(stopped, LAN) == "192.0.2.30"
    assert vlanspec(docker_host, "plan", spec, "--detailed-exitcode").code == 0


def test_dual_stack_network_and_static_ipv6_address(
    tmp_path: Path, docker_host: str, make_parent: MakeParent, make_container: MakeContainer
) -> None:
    container = make_container()
    network = {
        "driver": "macvlan",
        "parent": make_parent(),
        "subnets": [
            {"subnet": "192.0.2.0/24", "gateway": "192.0.2.1"},
            {"subnet": "2001:db8:1::/64", "gateway": "2001:db8:1::1"},
        ],
    }
    spec = write_spec(
        tmp_path,
        "vst-dual",
        {LAN: network},
        {name(container): on(LAN, ipv4_address="192.0.2.10", ipv6_address="2001:db8:1::10")},
    )
    applied = vlanspec(docker_host, "apply", spec, "--auto-approve")
    assert applied.code == 0, applied
    found = endpoint(container, LAN)
    assert found is not None
    assert found["GlobalIPv6Address"] == "2001:db8:1::10"
    assert vlanspec(docker_host, "plan", spec, "--detailed-exitcode").code == 0
