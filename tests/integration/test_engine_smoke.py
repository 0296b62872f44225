"""Smoke tests of the test lab itself against the private engine.

They use docker-py directly (not vlanspec), so they show that the daemon, the test image, the
veth parents and the holding network work before any vlanspec code is involved.
"""

from __future__ import annotations

import docker
from docker.models.containers import Container
from docker.models.networks import Network
from docker.types import IPAMConfig, IPAMPool

from tests.helpers.factories import MakeContainer, MakeParent
from tests.helpers.links import link_exists, link_operstate

SUBNET = "192.0.2.0/24"


def _macvlan(client: docker.DockerClient, name: str, parent: str) -> Network:
    return client.networks.create(
        name,
        driver="macvlan",
        options={"parent": parent},
        ipam=IPAMConfig(pool_configs=[IPAMPool(subnet=SUBNET)]),
        check_duplicate=True,
    )


def _exec(container: Container, *cmd: str) -> tuple[int | None, str]:
    result = container.exec_run(list(cmd))
    output = result.output if isinstance(result.output, bytes) else b"".join(result.output)
    return result.exit_code, output.decode(errors="replace")


def test_parent_is_a_veth_pair_with_both_ends_up(make_parent: MakeParent) -> None:
    parent = make_parent()
    assert parent.startswith("vs")
    assert len(f"{parent}p") <= 15
    assert link_exists(f"{parent}p")
    # A veth is only "up" when its peer is up too.
    assert link_operstate(parent) == "up"
    assert link_operstate(f"{parent}p") == "up"


def test_macvlan_network_with_static_address(
    docker_client: docker.DockerClient, make_parent: MakeParent, make_container: MakeContainer
) -> None:
    parent = make_parent()
    network = _macvlan(docker_client, "vst-smoke", parent)
    container = make_container()
    assert container.status == "running"

    network.connect(container, ipv4_address="192.0.2.10")

    network.reload()
    inspected = network.attrs
    assert inspected["Name"] == "vst-smoke"
    assert inspected["Driver"] == "macvlan"
    assert inspected["Options"]["parent"] == parent
    assert [pool["Subnet"] for pool in inspected["IPAM"]["Config"]] == [SUBNET]
    assert container.id in inspected["Containers"]
    assert inspected["Containers"][container.id]["IPv4Address"] == "192.0.2.10/24"

    container.reload()
    endpoint = container.attrs["NetworkSettings"]["Networks"]["vst-smoke"]
    assert endpoint["NetworkID"] == network.id
    assert endpoint["IPAddress"] == "192.0.2.10"
    assert endpoint["IPPrefixLen"] == 24
    assert endpoint["IPAMConfig"]["IPv4Address"] == "192.0.2.10"

    # The kernel inside the container agrees with the engine.
    code, output = _exec(container, "ip", "-4", "addr")
    assert code == 0, output
    assert "inet 192.0.2.10/24" in output


def test_containers_on_one_macvlan_ping_each_other(
    docker_client: docker.DockerClient, make_parent: MakeParent, make_container: MakeContainer
) -> None:
    network = _macvlan(docker_client, "vst-smoke", make_parent())
    first, second = make_container(), make_container()
    network.connect(first, ipv4_address="192.0.2.10")
    network.connect(second, ipv4_address="192.0.2.11")

    code, output = _exec(first, "ping", "-c1", "-W2", "192.0.2.11")
    assert code == 0, output
    code, output = _exec(second, "ping", "-c1", "-W2", "192.0.2.10")
    assert code == 0, output
    # And ping does fail where nothing answers, so the checks above mean something.
    code, output = _exec(first, "ping", "-c1", "-W1", "192.0.2.99")
    assert code != 0, output
