"""Fixtures shared by all tests: a private Docker daemon and throwaway objects on it.

Tests under ``tests/integration`` are marked ``integration`` automatically and talk to a real
engine through these fixtures. The engine is never the user's own daemon: ``docker_host`` uses
the daemon that ``VLANSPEC_TEST_DOCKER_HOST`` names (``.ci/run`` starts one), or, when running
as root with ``dockerd`` installed, starts a private one for the session. Otherwise the tests
fail (they never skip) with a message saying how to get one. Run one test session per daemon
at a time.

Names (the cleanup relies on them):

- networks a test creates: ``vst-...`` (or labelled ``io.vlanspec.spec``); those created during a
  test are removed after it, and so are networks on a parent from ``make_parent``;
- containers: ``vlanspec-test-<hex>``; veth parents: ``vs<4 hex>`` with peer ``vs<4 hex>p``;
- the session's holding network ``vlanspec-test-holding`` on veth ``vsh<4 hex>``.
  Objects with these names left on the daemon by an interrupted run are removed when a session
  starts.

Addresses: documentation ranges only.

- 203.0.113.128/25 belongs to the holding network: tests must not use it or any subnet that
  overlaps it (such as 203.0.113.0/24), or Docker refuses the pool.
- Free for tests: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/25, 2001:db8::/32.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NoReturn

import docker
import docker.errors
import pytest
from docker.models.containers import Container
from docker.types import IPAMConfig, IPAMPool

from tests.helpers.daemon import (
    TEST_IMAGE,
    DaemonError,
    ensure_test_image,
    start_private_daemon,
    wait_until_answers,
)
from tests.helpers.factories import MakeContainer, MakeParent
from tests.helpers.links import LinkError, create_veth_pair, delete_link, unique_veth_name

HOST_ENV = "VLANSPEC_TEST_DOCKER_HOST"
SPEC_LABEL = "io.vlanspec.spec"
TEST_NETWORK_PREFIX = "vst-"
CONTAINER_PREFIX = "vlanspec-test-"
HOLDING_NETWORK = "vlanspec-test-holding"
HOLDING_LABEL = "io.vlanspec.test.holding"
HOLDING_SUBNET = "203.0.113.128/25"

INTEGRATION_DIR = Path(__file__).parent / "integration"

HOW_TO_GET_A_DAEMON = f"""\
integration tests need a private Docker daemon, and found none. Either:
  - run the tests as root on a machine with dockerd installed
    (apt-get install docker.io busybox-static iproute2): they start their own daemon; or
  - start a daemon that belongs to the tests (see .ci/run) and set
    {HOST_ENV}=unix:///path/to/its/docker.sock
The default daemon (DOCKER_HOST, /var/run/docker.sock) is never used."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(INTEGRATION_DIR):
            item.add_marker(pytest.mark.integration)


def pytest_report_header() -> str:
    url = os.environ.get(HOST_ENV)
    return f"test docker daemon: {url or 'private, started by the docker_host fixture if needed'}"


def _fail(message: str) -> NoReturn:
    """Fail the test with just ``message``: no traceback, no chained exception."""
    raise pytest.fail.Exception(message, pytrace=False) from None


def _require_root(what: str) -> None:
    if os.geteuid() != 0:
        _fail(f"{what} needs root (it creates veth links)")


def _remove_network(client: docker.DockerClient, network_id: str) -> None:
    """Disconnect every container from a network, then remove it; no-op if it is gone."""
    try:
        network = client.networks.get(network_id)
    except docker.errors.NotFound:
        return
    for container_id in network.attrs.get("Containers") or {}:
        with contextlib.suppress(docker.errors.NotFound):
            network.disconnect(container_id, force=True)
    with contextlib.suppress(docker.errors.NotFound):
        network.remove()


def _is_test_network(attrs: Mapping[str, object]) -> bool:
    name = str(attrs.get("Name") or "")
    labels = attrs.get("Labels") or {}
    return name.startswith(TEST_NETWORK_PREFIX) or (
        isinstance(labels, dict) and SPEC_LABEL in labels
    )


def _remove_leftovers(client: docker.DockerClient) -> None:
    """Remove test objects that an interrupted session left on a reused daemon."""
    for container in client.containers.list(all=True, filters={"name": CONTAINER_PREFIX}):
        if (container.name or "").startswith(CONTAINER_PREFIX):
            with contextlib.suppress(docker.errors.NotFound):
                container.remove(force=True)
    for network in client.networks.list():
        labels = network.attrs.get("Labels") or {}
        if _is_test_network(network.attrs) or HOLDING_LABEL in labels:
            _remove_network(client, network.id or "")
            # Its parent too, if it has the name of a veth these fixtures make.
            parent = str((network.attrs.get("Options") or {}).get("parent", ""))
            if re.fullmatch(r"vsh?[0-9a-f]{4}", parent):
                delete_link(parent)


@pytest.fixture(scope="session")
def docker_host() -> Iterator[str]:
    """URL of the private test daemon, started for the session if none is named."""
    url = os.environ.get(HOST_ENV)
    if url:
        try:
            wait_until_answers(url, timeout=15)
        except DaemonError as error:
            _fail(f"{HOST_ENV}={url}: {error}\n\n{HOW_TO_GET_A_DAEMON}")
        _ensure_image(url)
        yield url
        return
    missing = []
    if os.geteuid() != 0:
        missing.append("not running as root")
    if shutil.which("dockerd") is None:
        missing.append("dockerd is not installed")
    if missing:
        _fail(f"{'; '.join(missing)}: {HOW_TO_GET_A_DAEMON}")
    try:
        daemon = start_private_daemon()
    except DaemonError as error:
        _fail(f"could not start a private dockerd: {error}")
    try:
        _ensure_image(daemon.url)
        yield daemon.url
    finally:
        daemon.stop()


def _ensure_image(url: str) -> None:
    client = docker.DockerClient(base_url=url)
    try:
        ensure_test_image(client)
    except (DaemonError, docker.errors.DockerException) as error:
        _fail(f"could not build the test image {TEST_IMAGE}: {error}")
    finally:
        client.close()


@pytest.fixture(scope="session")
def docker_client(docker_host: str) -> Iterator[docker.DockerClient]:
    """A docker-py client of the private test daemon (never the default daemon)."""
    client = docker.DockerClient(base_url=docker_host)
    _remove_leftovers(client)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture(scope="session")
def holding_network(docker_client: docker.DockerClient) -> Iterator[str]:
    """Name of a macvlan network that ``make_container`` puts containers on.

    Containers must sit on some network to be connectable later (``--network none`` ones cannot
    be connected, and the daemon has no default bridge). A macvlan on a veth of our own gives
    them no route anywhere real: nothing answers on the other end of the veth.
    """
    _require_root("the holding network")
    try:
        parent = create_veth_pair(unique_veth_name("vsh"))
    except LinkError as error:
        _fail(str(error))
    try:
        network = docker_client.networks.create(
            HOLDING_NETWORK,
            driver="macvlan",
            options={"parent": parent},
            ipam=IPAMConfig(pool_configs=[IPAMPool(subnet=HOLDING_SUBNET)]),
            labels={HOLDING_LABEL: "1"},
            check_duplicate=True,
        )
    except docker.errors.APIError as error:
        delete_link(parent)
        _fail(f"could not create the holding network: {error}")
    try:
        yield HOLDING_NETWORK
    finally:
        _remove_network(docker_client, network.id or "")
        delete_link(parent)


@pytest.fixture
def make_parent(docker_client: docker.DockerClient) -> Iterator[MakeParent]:
    """Factory: ``make_parent()`` creates a veth pair, both ends up, and returns its name.

    At teardown, networks still using one of these parents are removed, then the veths.
    """
    made: list[str] = []

    def make() -> str:
        _require_root("make_parent")
        try:
            name = create_veth_pair(unique_veth_name())
        except LinkError as error:
            _fail(str(error))
        made.append(name)
        return name

    yield make
    if made:
        for network in docker_client.networks.list():
            parent = str((network.attrs.get("Options") or {}).get("parent", ""))
            if parent.split(".")[0] in made:
                _remove_network(docker_client, network.id or "")
    for name in made:
        delete_link(name)


@pytest.fixture
def clean_networks(docker_client: docker.DockerClient, make_parent: MakeParent) -> Iterator[None]:
    """Remove networks created during the test named ``vst-...`` or labelled by vlanspec.

    It depends on ``make_parent`` only so that it is torn down first: networks go before
    their parent veths. Every integration test uses it (see tests/integration/conftest.py).
    """
    before = {network.id for network in docker_client.networks.list()}
    yield
    for network in docker_client.networks.list():
        if network.id not in before and _is_test_network(network.attrs):
            _remove_network(docker_client, network.id or "")


@pytest.fixture
def make_container(
    docker_client: docker.DockerClient, holding_network: str, clean_networks: None
) -> Iterator[MakeContainer]:
    """Factory: ``make_container(start=True, labels=None)`` makes a ``sleep`` container.

    It runs the test image on the holding network, named ``vlanspec-test-<hex>``, and stops
    at once (SIGKILL) when stopped. All of them are removed (forced) at teardown.
    """
    made: list[Container] = []

    def make(*, start: bool = True, labels: Mapping[str, str] | None = None) -> Container:
        container = docker_client.containers.create(
            TEST_IMAGE,
            ["sleep", "3600"],
            name=f"{CONTAINER_PREFIX}{secrets.token_hex(4)}",
            network=holding_network,
            labels=dict(labels or {}),
            stop_signal="SIGKILL",
        )
        made.append(container)
        if start:
            container.start()
            container.reload()
        return container

    yield make
    for container in made:
        with contextlib.suppress(docker.errors.NotFound):
            container.remove(force=True)
