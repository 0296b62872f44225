"""The kernel lab itself, without vlanspec: an ipvlan L2 network on a VLAN sub-interface.

If this fails, the lab (kernel, modules, dockerd, test image) is broken, not vlanspec.
"""

from __future__ import annotations

import docker
import pytest
from docker.models.containers import Container
from docker.types import IPAMConfig, IPAMPool

from tests.helpers.links import ip, link_exists
from tests.integration.reconcile_helpers import execute
from tests.kernel.links import MakeDummy

pytestmark = pytest.mark.kernel


def test_ipvlan_l2_on_a_vlan_parent_that_docker_creates_and_removes(
    docker_client: docker.DockerClient,
    make_dummy: MakeDummy,
    containers: list[Container],
) -> None:
    parent = f"{make_dummy()}.100"
    network = docker_client.networks.create(
        "vst-probe",
        driver="ipvlan",
        options={"parent": parent, "ipvlan_mode": "l2"},
        ipam=IPAMConfig(pool_configs=[IPAMPool(subnet="192.0.2.0/26", gateway="192.0.2.1")]),
        check_duplicate=True,
    )
    assert link_exists(parent), "Docker did not create the VLAN sub-interface"
    assert "vlan protocol 802.1Q id 100" in ip("-d", "link", "show", parent)

    first, second = containers[:2]
    network.connect(first, ipv4_address="192.0.2.10")
    network.connect(second, ipv4_address="192.0.2.11")
    code, output = execute(first, "ping", "-c1", "-W2", "192.0.2.11")
    assert code == 0, output

    network.disconnect(first)
    network.disconnect(second)
    network.remove()
    assert not link_exists(parent), "Docker did not remove the VLAN sub-interface it created"
