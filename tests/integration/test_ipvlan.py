"""ipvlan networks on the host kernel: created with the right options, then left alone.

The host kernel here can create ipvlan networks but not attach containers to them (that needs
a full kernel, see docs/test-lab.md), so these tests stop at the networks.
"""

from __future__ import annotations

from pathlib import Path

import docker

from tests.helpers.factories import MakeParent
from tests.integration.reconcile_helpers import vlanspec, write_spec
from vlanspec.spec.model import SPEC_LABEL


def test_ipvlan_l2_and_l3_networks_are_created_with_their_modes(
    tmp_path: Path, docker_host: str, docker_client: docker.DockerClient, make_parent: MakeParent
) -> None:
    # All ipvlan links on one parent share one mode: L2 and L3 need different parents.
    l2_parent, l3_parent = make_parent(), make_parent()
    spec = write_spec(
        tmp_path,
        "vst-ipvlan",
        {
            "vst-l2": {
                "driver": "ipvlan",
                "parent": l2_parent,
                "mode": "l2",
                "subnets": [{"subnet": "192.0.2.0/24", "gateway": "192.0.2.1"}],
            },
            "vst-l3": {
                "driver": "ipvlan",
                "parent": l3_parent,
                "mode": "l3",
                "subnets": [{"subnet": "198.51.100.0/25"}, {"subnet": "198.51.100.128/25"}],
            },
        },
    )
    applied = vlanspec(docker_host, "apply", spec, "--auto-approve")
    assert applied.code == 0, applied

    l2 = docker_client.networks.get("vst-l2").attrs
    assert l2["Driver"] == "ipvlan"
    assert l2["Options"]["parent"] == l2_parent
    assert l2["Options"].get("ipvlan_mode", "l2") == "l2"
    assert [c["Subnet"] for c in l2["IPAM"]["Config"]] == ["192.0.2.0/24"]
    assert l2["IPAM"]["Config"][0]["Gateway"] == "192.0.2.1"
    assert l2["Labels"][SPEC_LABEL] == "vst-ipvlan"

    l3 = docker_client.networks.get("vst-l3").attrs
    assert l3["Driver"] == "ipvlan"
    assert l3["Options"]["parent"] == l3_parent
    assert l3["Options"]["ipvlan_mode"] == "l3"
    assert sorted(c["Subnet"] for c in l3["IPAM"]["Config"]) == [
        "198.51.100.0/25",
        "198.51.100.128/25",
    ]

    again = vlanspec(docker_host, "plan", spec, "--detailed-exitcode")
    assert again.code == 0, again
