"""Tests that need a full kernel: ipvlan, 802.1Q VLAN sub-interfaces and dummy links.

The machines the project runs on lack those, so ``make test-kernel`` (``lab/kernel.sh``) boots
Debian's stock kernel under QEMU, starts a private dockerd inside and runs these tests there,
with ``VLANSPEC_KERNEL_LAB=1`` set. They are collected only then, or when ``tests/kernel`` (or a
file in it) is named on the command line; a plain ``pytest`` leaves them out. On a kernel
without those features they fail (never skip), saying how to run them.

Each ``docker run`` takes about ten seconds under emulation: the tests share four containers
(``containers``) and keep the number of engine round trips small.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import docker
import docker.errors
import pytest
from docker.models.containers import Container
from docker.types import IPAMConfig, IPAMPool

from tests.helpers.daemon import TEST_IMAGE
from tests.helpers.links import ip, link_exists
from tests.kernel.links import MakeDummy, missing_kernel_features

KERNEL_DIR = Path(__file__).parent
LAB_ENV = "VLANSPEC_KERNEL_LAB"
CONTAINER_PREFIX = "vlanspec-test-"  # the prefix tests/conftest.py cleans up after

HOW_TO_RUN = "run them in the kernel lab: `make test-kernel` (lab/kernel.sh)"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"kernel: needs ipvlan, 802.1Q and dummy links; {HOW_TO_RUN}"
    )


def _named_on_command_line(config: pytest.Config) -> bool:
    """True if an argument names tests/kernel or something inside it."""
    base = config.invocation_params.dir
    for arg in config.invocation_params.args:
        if arg.startswith("-"):
            continue
        path = (base / arg.split("::")[0]).resolve()
        if path == KERNEL_DIR or path.is_relative_to(KERNEL_DIR):
            return True
    return False


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Leave tests/kernel out of ordinary runs (this hook sees only paths below it)."""
    if os.environ.get(LAB_ENV) == "1" or _named_on_command_line(config):
        return None
    return collection_path != Path(__file__)


@pytest.fixture(scope="session", autouse=True)
def full_kernel() -> None:
    """Fail every kernel test at once, with the reason, on a kernel that lacks a feature."""
    if os.geteuid() != 0:
        pytest.fail(f"the kernel tests need root; {HOW_TO_RUN}", pytrace=False)
    missing = missing_kernel_features()
    if missing:
        pytest.fail(
            f"this kernel ({os.uname().release}) lacks: {'; '.join(missing)}.\n{HOW_TO_RUN}",
            pytrace=False,
        )


@pytest.fixture
def make_dummy() -> Iterator[MakeDummy]:
    """Factory of dummy links ``vsd<3 hex>``, deleted (with links on them) at teardown."""
    made: list[str] = []

    def make() -> str:
        for _ in range(100):
            name = f"vsd{secrets.token_hex(2)[:3]}"
            if not link_exists(name):
                break
        ip("link", "add", name, "type", "dummy")
        made.append(name)
        ip("link", "set", name, "up")
        return name

    yield make
    for name in made:
        if link_exists(name):
            ip("link", "del", name)


@pytest.fixture(autouse=True)
def _cleanup_order(make_dummy: MakeDummy, clean_networks: None) -> None:
    """Set up ``make_dummy`` before ``clean_networks``, so networks go before their dummies."""


# --- containers ----------------------------------------------------------------------------

# The holding network of the kernel tests is internal: Docker gives containers no default route
# through an internal network. A container with a default route through another network cannot
# join an ipvlan L3 network: Docker adds "0.0.0.0/0 dev <ipvlan>" there and the kernel refuses
# it (`error setting interface "..." routes to ["0.0.0.0/0"]: file exists`, seen on 20.10).
KERNEL_HOLDING_NETWORK = "vlanspec-test-kernel-holding"
HOLDING_LABEL = "io.vlanspec.test.holding"  # as in tests/conftest.py: leftovers get removed
KERNEL_HOLDING_SUBNET = "203.0.113.128/25"  # the subnet tests/conftest.py keeps for holding


@pytest.fixture(scope="session")
def kernel_holding_network(docker_client: docker.DockerClient) -> Iterator[str]:
    """An internal macvlan network (no parent: Docker makes a dummy) to park containers on."""
    network = docker_client.networks.create(
        KERNEL_HOLDING_NETWORK,
        driver="macvlan",
        internal=True,
        ipam=IPAMConfig(pool_configs=[IPAMPool(subnet=KERNEL_HOLDING_SUBNET)]),
        labels={HOLDING_LABEL: "1"},
        check_duplicate=True,
    )
    try:
        yield KERNEL_HOLDING_NETWORK
    finally:
        with contextlib.suppress(docker.errors.NotFound):
            network.remove()


@pytest.fixture(scope="session")
def containers(
    docker_client: docker.DockerClient, kernel_holding_network: str
) -> Iterator[list[Container]]:
    """Four running ``sleep`` containers, shared by all kernel tests (each start costs ~10 s).

    Each test leaves them as it found them: on the holding network only.
    """
    made: list[Container] = []
    try:
        for _ in range(4):
            container = docker_client.containers.create(
                TEST_IMAGE,
                ["sleep", "3600"],
                name=f"{CONTAINER_PREFIX}{secrets.token_hex(4)}",
                network=kernel_holding_network,
                stop_signal="SIGKILL",
            )
            made.append(container)
            container.start()
            container.reload()
        yield made
    finally:
        for container in made:
            with contextlib.suppress(docker.errors.NotFound):
                container.remove(force=True)
