"""Every setup of the spec format on a full kernel, through the vlanspec CLI, end to end.

One spec holds the four setups the host kernel cannot run: ipvlan L2 on a VLAN sub-interface
that Docker creates on a dummy link, ipvlan L3 across two subnets, a parent-less (internal)
network and macvlan on another VLAN sub-interface. The test walks the life cycle in order
(apply, reach, converge, replace, destroy) in one function, because each step costs engine
round trips that are slow under emulation.

Two containers join L2, internal and macvlan; two others join only L3: a container that also
has a default route through a network with a gateway cannot join an ipvlan L3 network (see
``kernel_holding_network`` in conftest.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import docker
import pytest
from docker.models.containers import Container

from tests.helpers.links import ip, link_exists
from tests.integration.reconcile_helpers import address, execute, name, vlanspec, write_spec
from tests.kernel.links import MakeDummy
from vlanspec.spec.model import SPEC_LABEL

pytestmark = pytest.mark.kernel

SPEC_NAME = "vst-kernel"
L2, L3, INTERNAL, MACVLAN = "vst-l2-vlan", "vst-l3", "vst-internal", "vst-macvlan-vlan"


def _networks(trunk: str, routed: str, l2_subnet: str, l2_gateway: str) -> dict[str, Any]:
    return {
        L2: {
            "driver": "ipvlan",
            "parent": f"{trunk}.100",
            "mode": "l2",
            "subnets": [{"subnet": l2_subnet, "gateway": l2_gateway}],
        },
        # L2 and L3 ipvlans cannot share a parent (one mode per parent in the kernel).
        L3: {
            "driver": "ipvlan",
            "parent": routed,
            "mode": "l3",
            "subnets": [{"subnet": "198.51.100.0/26"}, {"subnet": "198.51.100.64/26"}],
        },
        INTERNAL: {"driver": "macvlan", "subnets": [{"subnet": "192.0.2.64/26"}]},
        MACVLAN: {
            "driver": "macvlan",
            "parent": f"{trunk}.200",
            "subnets": [{"subnet": "192.0.2.128/26", "gateway": "192.0.2.129"}],
        },
    }


def _on(**addresses: str) -> dict[str, Any]:
    """A spec container entry: ``_on(net="192.0.2.10")``, one static address per network."""
    return {"networks": {network: {"ipv4_address": ip} for network, ip in addresses.items()}}


def _ping(source: Container, target: str) -> None:
    code, output = execute(source, "ping", "-c1", "-W2", target)
    assert code == 0, f"{name(source)} cannot reach {target}:\n{output}"


def _plan_summary(docker_host: str, spec: str) -> dict[str, int]:
    planned = vlanspec(docker_host, "plan", spec, "--format", "json", "--detailed-exitcode")
    assert planned.code in (0, 2), str(planned)
    summary: dict[str, int] = json.loads(planned.stdout)["summary"]
    return summary


def _dummy_links_of(network_id: str) -> list[str]:
    """The dummy parent Docker made for a parent-less network: ``dm-<id>`` or ``di-<id>``."""
    return [
        link for link in (f"dm-{network_id[:12]}", f"di-{network_id[:12]}") if link_exists(link)
    ]


def test_all_setups_apply_reach_converge_replace_and_destroy(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_dummy: MakeDummy,
    containers: list[Container],
) -> None:
    trunk, routed = make_dummy(), make_dummy()
    first, second, third, fourth = containers
    attachments = {
        name(first): _on(**{L2: "192.0.2.10", INTERNAL: "192.0.2.74", MACVLAN: "192.0.2.138"}),
        name(second): _on(**{L2: "192.0.2.11", INTERNAL: "192.0.2.75", MACVLAN: "192.0.2.139"}),
        # One in each L3 subnet: L3 routes between them.
        name(third): _on(**{L3: "198.51.100.10"}),
        name(fourth): _on(**{L3: "198.51.100.70"}),
    }
    networks = _networks(trunk, routed, "192.0.2.0/26", "192.0.2.1")
    spec = write_spec(tmp_path, SPEC_NAME, networks, attachments)

    # --- apply: Docker creates the VLAN sub-interfaces and the internal network's dummy ---
    applied = vlanspec(docker_host, "apply", spec, "--auto-approve")
    assert applied.code == 0, str(applied)
    for vlan in (f"{trunk}.100", f"{trunk}.200"):
        assert link_exists(vlan), f"Docker did not create {vlan}"
    assert "vlan protocol 802.1Q id 100" in ip("-d", "link", "show", f"{trunk}.100")
    internal_id = str(docker_client.networks.get(INTERNAL).id)
    internal_links = _dummy_links_of(internal_id)
    assert internal_links, "no dummy link for the parent-less network"

    # --- the containers reach each other on every network ---
    for target in ("192.0.2.11", "192.0.2.75", "192.0.2.139"):
        _ping(first, target)
    _ping(third, "198.51.100.70")
    code, output = execute(first, "ping", "-c1", "-W1", "192.0.2.12")  # nobody there
    assert code != 0, output

    # --- converged: a new plan and a second apply change nothing ---
    summary = _plan_summary(docker_host, spec)
    assert not any(summary.values()), summary
    again = vlanspec(docker_host, "apply", spec, "--auto-approve")
    assert again.code == 0, str(again)
    assert docker_client.networks.get(INTERNAL).id == internal_id

    # --- a subnet change replaces the L2 network and reattaches both containers ---
    old_l2 = docker_client.networks.get(L2).id
    attachments[name(first)]["networks"][L2] = {"ipv4_address": "192.0.2.200"}
    attachments[name(second)]["networks"][L2] = {"ipv4_address": "192.0.2.201"}
    networks = _networks(trunk, routed, "192.0.2.192/26", "192.0.2.193")
    spec = write_spec(tmp_path, SPEC_NAME, networks, attachments)
    summary = _plan_summary(docker_host, spec)
    assert summary["replace"] == 1, summary
    replaced = vlanspec(docker_host, "apply", spec, "--auto-approve")
    assert replaced.code == 0, str(replaced)
    assert docker_client.networks.get(L2).id != old_l2
    assert (address(first, L2), address(second, L2)) == ("192.0.2.200", "192.0.2.201")
    _ping(first, "192.0.2.201")
    assert address(first, MACVLAN) == "192.0.2.138", "the other networks were left alone"

    # --- destroy: every network goes, and every link Docker created with them ---
    destroyed = vlanspec(docker_host, "destroy", spec, "--auto-approve")
    assert destroyed.code == 0, str(destroyed)
    left = docker_client.networks.list(filters={"label": f"{SPEC_LABEL}={SPEC_NAME}"})
    assert left == [], [network.name for network in left]
    for link in (f"{trunk}.100", f"{trunk}.200", *internal_links):
        assert not link_exists(link), f"{link} is still there after destroy"
    assert link_exists(trunk), "our own dummy links stay"
    assert link_exists(routed), "our own dummy links stay"
