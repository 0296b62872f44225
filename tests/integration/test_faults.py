"""The engine failing halfway: clear errors, no blind repeats, convergence on the next apply.

vlanspec talks to the private engine through a fault-injecting proxy on a unix socket
(:mod:`tests.helpers.fault_proxy`) that fails chosen requests with 500, closes the connection,
or delays them past ``--timeout``. Each case replaces a network holding containers (listed in
the spec and not), so faults hit a run that has already disconnected them; the next apply,
through the engine's own socket, must converge and bring every container back.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker
import docker.errors
import pytest
from docker.models.containers import Container

from tests.helpers.factories import MakeContainer, MakeParent
from tests.helpers.fault_proxy import Fault, fault_proxy
from tests.integration.reconcile_helpers import (
    address,
    endpoint,
    macvlan,
    name,
    vlanspec,
    write_spec,
)
from vlanspec.journal import LABEL as JOURNAL_LABEL

LAN = "vst-faulty"


@pytest.fixture(autouse=True)
def no_journal_left(docker_client: docker.DockerClient) -> Iterator[None]:
    yield
    for volume in docker_client.volumes.list(filters={"label": JOURNAL_LABEL}):
        with contextlib.suppress(docker.errors.NotFound):
            volume.remove(force=True)


@dataclass(frozen=True)
class Case:
    fault: Fault
    code: int
    #: Words the output must contain.
    says: tuple[str, ...] = ()
    timeout: int | None = None


CASES = {
    # A write the engine never got: read back, found not done, a clear failure.
    "create fails with 500": Case(
        Fault("POST", r"/networks/create$", "500"),
        1,
        ("create network vst-faulty: the engine said: injected fault", "found the create not done"),
    ),
    # A write the engine did, whose answer was an error: read back, found done, carry on.
    "create done but answered 500": Case(
        Fault("POST", r"/networks/create$", "500-after"), 0, ("verified",)
    ),
    "journal written but answered 500": Case(
        Fault("POST", r"/volumes/create$", "500-after", skip=1), 0, ("verified",)
    ),
    "connect done but answered 500": Case(
        Fault("POST", r"/networks/vst-faulty/connect$", "500-after"), 0, ("verified",)
    ),
    # A write whose answer was lost with the connection: the same.
    "delete done but the connection dropped": Case(
        Fault("DELETE", r"/networks/vst-faulty$", "close-after"), 0, ("verified",)
    ),
    # A write that never reached the engine, the connection reset.
    "disconnect reset": Case(
        Fault("POST", r"/networks/vst-faulty/disconnect$", "close"),
        1,
        ("disconnect container", "found the disconnect not done"),
    ),
    # Reads are retried: a reset and a 500 on the containers list, then it answers.
    "containers list reset twice": Case(
        Fault("GET", r"/containers/json", "close", times=2), 0, ("verified",)
    ),
    "networks list fails with 500": Case(
        Fault("GET", r"/networks(\?|$)", "500", times=1), 0, ("verified",)
    ),
    # ... but not forever.
    "containers list always reset": Case(
        Fault("GET", r"/containers/json", "close", times=0),
        1,
        ("cannot reach the Docker engine", "list containers"),
    ),
    # A read past the timeout is not retried: the timeout is the budget of one call.
    "volumes list slower than the timeout": Case(
        Fault("GET", r"/volumes\?", "delay", seconds=3),
        1,
        ("list volumes: no answer within 1 s", "--timeout"),
        timeout=1,
    ),
    # A write past the timeout: read back; the engine has not done it yet, so it fails clearly
    # (the engine does it later, and the next apply plans from there).
    "connect slower than the timeout": Case(
        Fault("POST", r"/networks/vst-faulty/connect$", "delay", skip=1, seconds=3),
        1,
        ("no answer within 1 s", "found the connect not done"),
        timeout=1,
    ),
}


def _spec(directory: Path, parent: str, listed: list[Container], generation: str) -> str:
    containers: dict[str, Any] = {
        name(c): {"networks": {LAN: {"ipv4_address": f"192.0.2.{10 + i}", "aliases": [f"l{i}"]}}}
        for i, c in enumerate(listed)
    }
    return write_spec(
        directory,
        "vst-faults",
        {LAN: macvlan(parent, "192.0.2.0/24", labels={"generation": generation})},
        containers,
        file=f"{generation}.yaml",
    )


def _state(containers: list[Container]) -> dict[str, Any]:
    found = {}
    for container in containers:
        attached = endpoint(container, LAN)
        aliases = set((attached or {}).get("Aliases") or []) - {(container.id or "")[:12]}
        found[name(container)] = (address(container, LAN), sorted(aliases))
    return found


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_fault_fails_clearly_or_is_absorbed_and_the_next_apply_converges(
    case: Case,
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
    make_container: MakeContainer,
) -> None:
    listed = [make_container() for _ in range(2)]
    unlisted = make_container()
    parent = make_parent()
    before_spec, after_spec = (_spec(tmp_path, parent, listed, g) for g in ("a", "b"))
    assert vlanspec(docker_host, "apply", before_spec, "--auto-approve").code == 0
    docker_client.networks.get(LAN).connect(unlisted, ipv4_address="192.0.2.30", aliases=["u"])
    before = _state([*listed, unlisted])

    with fault_proxy(docker_host) as proxy:
        proxy.faults.append(case.fault)
        timeout = ("--timeout", str(case.timeout)) if case.timeout else ()
        faulty = vlanspec(proxy.url, "apply", after_spec, "--auto-approve", *timeout)
        assert case.fault.fired, proxy.requests

    assert faulty.code == case.code, faulty
    assert "Traceback" not in faulty.output
    for words in case.says:
        assert words in faulty.output, faulty
    # Writes are never repeated: each was sent once (same path and body), whatever happened.
    writes = [r for r in proxy.requests if not r.startswith(("GET", "HEAD"))]
    assert len(writes) == len(set(writes)), writes

    if case.fault.action == "delay":
        time.sleep(case.fault.seconds)  # let the slow request reach the engine
    again = vlanspec(docker_host, "apply", after_spec, "--auto-approve")
    assert again.code == 0, again
    assert (
        "verified: the live state matches the spec" in again.stdout or "No changes" in again.stdout
    )
    assert _state([*listed, unlisted]) == before
    labels = docker_client.networks.get(LAN).attrs.get("Labels") or {}
    assert labels.get("generation") == "b"
    assert not docker_client.volumes.list(filters={"label": JOURNAL_LABEL})
