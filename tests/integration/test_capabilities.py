"""Each rule of vlanspec/engine/capabilities.py holds on the engine the suite runs against.

The rules say what an engine version can do; these tests ask the engine itself and compare.
Run on each engine of the matrix (lab/matrix.sh: 20.10, 26.1, 28.5), each rule is proven on
every side of its version boundary that the matrix covers. docker-py is used directly, so the
engine's own behaviour is observed, not vlanspec's reading of it.
"""

from __future__ import annotations

import docker
import docker.errors
import pytest
from docker.models.networks import Network
from docker.types import IPAMConfig, IPAMPool

from tests.helpers.factories import MakeContainer, MakeParent
from vlanspec.engine.capabilities import Capabilities, capabilities

ASKED_MAC = "02:00:00:00:00:99"


@pytest.fixture(scope="module")
def engine(docker_client: docker.DockerClient) -> Capabilities:
    return capabilities(str(docker_client.version()["Version"]))


def _version(engine: Capabilities) -> str:
    return ".".join(str(part) for part in engine.version)


def _create(
    client: docker.DockerClient,
    name: str,
    driver: str,
    subnet: str,
    options: dict[str, str],
    *,
    check_duplicate: bool | None = True,
) -> Network:
    return client.networks.create(
        name,
        driver=driver,
        options=options,
        ipam=IPAMConfig(pool_configs=[IPAMPool(subnet=subnet)]),
        check_duplicate=check_duplicate,
    )


def test_shared_macvlan_parent(
    docker_client: docker.DockerClient, make_parent: MakeParent, engine: Capabilities
) -> None:
    parent = make_parent()
    _create(docker_client, "vst-cap-first", "macvlan", "192.0.2.0/26", {"parent": parent})
    try:
        _create(docker_client, "vst-cap-second", "macvlan", "192.0.2.64/26", {"parent": parent})
    except docker.errors.APIError as error:
        assert not engine.shared_macvlan_parent, (
            f"engine {_version(engine)} refused a second macvlan on one parent: {error}"
        )
        assert "already using parent interface" in str(error), error
    else:
        assert engine.shared_macvlan_parent, (
            f"engine {_version(engine)} accepted a second macvlan on one parent"
        )


def test_ipvlan_mode_l3s(
    docker_client: docker.DockerClient, make_parent: MakeParent, engine: Capabilities
) -> None:
    # Creating an ipvlan network works on any kernel: the links come with the containers.
    options = {"parent": make_parent(), "ipvlan_mode": "l3s"}
    try:
        _create(docker_client, "vst-cap-l3s", "ipvlan", "192.0.2.0/26", options)
    except docker.errors.APIError as error:
        assert not engine.ipvlan_flag, f"engine {_version(engine)} refused mode l3s: {error}"
        assert "is not valid" in str(error), error
    else:
        assert engine.ipvlan_flag, f"engine {_version(engine)} accepted mode l3s"


def test_ipvlan_flag_is_known_to_the_engine(
    docker_client: docker.DockerClient, make_parent: MakeParent, engine: Capabilities
) -> None:
    """An engine that knows ``ipvlan_flag`` checks it; an older one passes it through unread."""
    options = {"parent": make_parent(), "ipvlan_flag": "no-such-flag"}
    try:
        _create(docker_client, "vst-cap-flag", "ipvlan", "192.0.2.0/26", options)
    except docker.errors.APIError as error:
        assert engine.ipvlan_flag, f"engine {_version(engine)} checked ipvlan_flag: {error}"
    else:
        assert not engine.ipvlan_flag, (
            f"engine {_version(engine)} accepted ipvlan_flag=no-such-flag: it ignores the option"
        )
    if engine.ipvlan_flag:
        options = {"parent": make_parent(), "ipvlan_flag": "private"}
        network = _create(docker_client, "vst-cap-flag", "ipvlan", "192.0.2.64/26", options)
        network.reload()
        assert network.attrs["Options"]["ipvlan_flag"] == "private", network.attrs["Options"]


def test_mac_address_on_connect(
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
    make_container: MakeContainer,
    engine: Capabilities,
) -> None:
    network = _create(
        docker_client, "vst-cap-mac", "macvlan", "192.0.2.0/26", {"parent": make_parent()}
    )
    container = make_container()
    docker_client.api.connect_container_to_network(
        container.name or "", network.id or "", ipv4_address="192.0.2.10", mac_address=ASKED_MAC
    )
    container.reload()
    got = container.attrs["NetworkSettings"]["Networks"]["vst-cap-mac"]["MacAddress"]
    if engine.mac_on_connect:
        assert got == ASKED_MAC, f"engine {_version(engine)} ignored the MAC asked on connect"
    else:
        assert got and got != ASKED_MAC, f"engine {_version(engine)} honoured the MAC: {got}"


def test_gateway_auto_allocation_macvlan(
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
    make_container: MakeContainer,
    engine: Capabilities,
) -> None:
    """Whether the engine reserves a gateway when the spec gives none.

    Inspect cannot tell (it echoes the requested pool, gateway or not), but the first dynamic
    address can: .2 when the engine took .1 for a gateway, .1 when it did not. ipvlan and
    internal networks need a full kernel to attach a container: see tests/kernel/.
    """
    network = _create(
        docker_client, "vst-cap-gateway", "macvlan", "192.0.2.0/26", {"parent": make_parent()}
    )
    network.connect(make_container())
    network.reload()
    (endpoint,) = network.attrs["Containers"].values()
    first_address = endpoint["IPv4Address"].split("/")[0]
    expected = (
        "192.0.2.2" if engine.auto_gateway("macvlan", "bridge", internal=False) else "192.0.2.1"
    )
    assert first_address == expected, (
        f"engine {_version(engine)}: first dynamic address {first_address}, rule expects {expected}"
    )


def test_unique_network_names(
    docker_client: docker.DockerClient, make_parent: MakeParent, engine: Capabilities
) -> None:
    parent = make_parent()
    first = _create(
        docker_client,
        "vst-cap-dup",
        "macvlan",
        "192.0.2.0/26",
        {"parent": parent},
        check_duplicate=False,
    )
    try:
        second = _create(
            docker_client,
            "vst-cap-dup",
            "ipvlan",
            "192.0.2.64/26",
            {"parent": make_parent()},
            check_duplicate=False,
        )
    except docker.errors.APIError as error:
        assert engine.unique_network_names, f"engine {_version(engine)} refused: {error}"
        assert error.status_code == 409, error
    else:
        assert second.id != first.id
        assert not engine.unique_network_names, (
            f"engine {_version(engine)} created a second network named vst-cap-dup"
        )
