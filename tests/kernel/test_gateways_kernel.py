"""The gateway rule of vlanspec/engine/capabilities.py for the setups that need a full kernel.

Whether the engine reserves a gateway when none is given differs by driver, mode and version
(up to 27.x always; from 28.0 not for internal networks and ipvlan l3/l3s; from 29.0 never).
Inspect cannot tell (it echoes the requested pool), but the first dynamic address can: .2 when
the engine took .1 for a gateway, .1 when it did not. macvlan is checked on the host kernel in
tests/integration/test_capabilities.py.
"""

from __future__ import annotations

import docker
import pytest
from docker.models.containers import Container
from docker.types import IPAMConfig, IPAMPool

from tests.kernel.links import MakeDummy
from vlanspec.engine.capabilities import capabilities

pytestmark = pytest.mark.kernel


@pytest.mark.parametrize(
    ("driver", "mode", "internal"),
    [("ipvlan", "l2", False), ("ipvlan", "l3", False), ("macvlan", "bridge", True)],
    ids=["ipvlan-l2", "ipvlan-l3", "internal"],
)
def test_gateway_auto_allocation(
    docker_client: docker.DockerClient,
    make_dummy: MakeDummy,
    containers: list[Container],
    driver: str,
    mode: str,
    internal: bool,
) -> None:
    version = str(docker_client.version()["Version"])
    # An internal network takes no parent: Docker makes a dummy one.
    options = {} if internal else {"parent": make_dummy(), f"{driver}_mode": mode}
    network = docker_client.networks.create(
        "vst-gateway",
        driver=driver,
        options=options,
        internal=internal,
        ipam=IPAMConfig(pool_configs=[IPAMPool(subnet="192.0.2.0/26")]),
        check_duplicate=True,
    )
    # The last container: its only other network is the internal holding one (no default route,
    # which an ipvlan L3 network needs).
    container = containers[-1]
    network.connect(container)
    network.reload()
    first_address = network.attrs["Containers"][container.id]["IPv4Address"].split("/")[0]
    network.disconnect(container)

    auto = capabilities(version).auto_gateway(driver, mode, internal)
    expected = "192.0.2.2" if auto else "192.0.2.1"
    assert first_address == expected, (
        f"engine {version}, {driver} {mode}{' internal' if internal else ''}: first dynamic "
        f"address {first_address}, the rule (gateway auto-allocated: {auto}) expects {expected}"
    )
