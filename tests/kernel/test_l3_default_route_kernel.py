"""The L3 default-route rule of vlanspec/engine/capabilities.py, on real engines.

An ipvlan L3 network gives a container a connected default route. Before 28.0 the engine adds
it unconditionally, so a container that already has a default route (here through a macvlan
network with a gateway) cannot join a non-internal L3 network: the connect fails with
``error setting interface "..." routes to ["0.0.0.0/0"]: file exists`` (moby#48576, fixed in
28.0 by moby#49130). ``Capabilities.l3_ipvlan_beside_default_route`` says which engines fail,
and vlanspec's preflight refuses such a spec there before anything changes.

The shared containers sit on an internal holding network, which gives no default route; the
connect that fails gets a container of its own (see ``own_container``).
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
import docker.errors
import pytest
from docker.models.containers import Container
from docker.types import IPAMConfig, IPAMPool

from tests.helpers.daemon import TEST_IMAGE
from tests.integration.reconcile_helpers import address, name, vlanspec, write_spec
from tests.integration.test_preflight_live import refused, snapshot
from tests.kernel.links import MakeDummy
from vlanspec.engine.capabilities import capabilities

pytestmark = pytest.mark.kernel

L3, MACVLAN = "vst-l3-route", "vst-macvlan-route"
# Apart from the other kernel tests' subnets and from the holding network's 203.0.113.128/25.
L3_SUBNET = "198.51.100.128/26"
MACVLAN_SUBNET, MACVLAN_GATEWAY = "203.0.113.0/26", "203.0.113.1"


def _works(client: docker.DockerClient) -> tuple[str, bool]:
    """The engine's version as vlanspec writes it (``20.10.24``), and whether the rule lets
    a container with a default route join an L3 network there."""
    caps = capabilities(str(client.version()["Version"]))
    return ".".join(str(n) for n in caps.version), caps.l3_ipvlan_beside_default_route


@pytest.fixture
def own_container(
    docker_client: docker.DockerClient, kernel_holding_network: str
) -> Iterator[Container]:
    """A container of this test alone, on the holding network: on 20.10 a failed L3 connect
    leaves an endpoint behind that no disconnect removes (it stays listed, with an interface
    in the container, after its network is gone), which the shared containers must not get."""
    container = docker_client.containers.create(
        TEST_IMAGE,
        ["sleep", "3600"],
        name=f"vlanspec-test-{secrets.token_hex(4)}",  # the prefix tests/conftest.py cleans up
        network=kernel_holding_network,
        stop_signal="SIGKILL",
    )
    try:
        container.start()
        yield container
    finally:
        with contextlib.suppress(docker.errors.NotFound):
            container.remove(force=True)


def test_l3_connect_beside_a_default_route_follows_the_engine_rule(
    docker_client: docker.DockerClient, make_dummy: MakeDummy, own_container: Container
) -> None:
    version, works = _works(docker_client)
    routed = docker_client.networks.create(
        L3,
        driver="ipvlan",
        options={"parent": make_dummy(), "ipvlan_mode": "l3"},
        ipam=IPAMConfig(pool_configs=[IPAMPool(subnet=L3_SUBNET)]),
        check_duplicate=True,
    )
    lan = docker_client.networks.create(
        MACVLAN,
        driver="macvlan",
        options={"parent": make_dummy()},
        ipam=IPAMConfig(pool_configs=[IPAMPool(subnet=MACVLAN_SUBNET, gateway=MACVLAN_GATEWAY)]),
        check_duplicate=True,
    )
    lan.connect(own_container)  # a default route via the macvlan network's gateway
    try:
        routed.connect(own_container)
    except docker.errors.APIError as error:
        assert not works, f"engine {version}: the rule says the connect works; {error}"
        assert "file exists" in str(error), f"engine {version}: failed otherwise: {error}"
    else:
        assert works, f"engine {version}: the rule says the L3 connect fails, it worked"
        assert address(own_container, L3), f"engine {version}: connected, but no address"


def _spec(tmp_path: Path, make_dummy: MakeDummy, container: Container) -> str:
    networks: dict[str, Any] = {
        L3: {
            "driver": "ipvlan",
            "parent": make_dummy(),
            "mode": "l3",
            "subnets": [{"subnet": L3_SUBNET}],
        },
        MACVLAN: {
            "driver": "macvlan",
            "parent": make_dummy(),
            "subnets": [{"subnet": MACVLAN_SUBNET, "gateway": MACVLAN_GATEWAY}],
        },
    }
    attachments = {name(container): {"networks": [MACVLAN, L3]}}
    return write_spec(tmp_path, "vst-l3-route", networks, attachments)


def _where(spec: str, container: Container) -> str:
    """``spec:line:col`` of the container's L3 attachment (the spec is written as JSON)."""
    text = Path(spec).read_text()
    index = text.index(f'"{L3}"', text.index(f'"{name(container)}"'))
    line = text.count("\n", 0, index) + 1
    return f"{spec}:{line}:{index - text.rfind(chr(10), 0, index)}"


def test_plan_refuses_the_l3_connect_where_the_engine_would_fail_it(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_dummy: MakeDummy,
    containers: list[Container],
) -> None:
    version, works = _works(docker_client)
    container = containers[-1]
    spec = _spec(tmp_path, make_dummy, container)
    if works:  # the spec is fine here: it applies
        applied = vlanspec(docker_host, "apply", spec, "--auto-approve")
        assert applied.code == 0, f"engine {version}:\n{applied}"
        assert address(container, L3) and address(container, MACVLAN), str(applied)
        return  # clean_networks disconnects the container and removes the networks
    before = snapshot(docker_client)
    for run in refused(docker_host, spec):  # plan, then apply --auto-approve
        assert f"{_where(spec, container)}: error: " in run.output, run
        assert "moby#48576" in run.output and f"Docker Engine {version}" in run.output, run
    assert snapshot(docker_client) == before, "a refused spec changed the engine's networks"
