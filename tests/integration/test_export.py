"""``vlanspec export`` against a real engine: the exported spec describes the live state exactly.

Round trips: for networks vlanspec manages, export then plan shows no changes; a network it does
not manage is exported, adopted with ``apply --adopt`` (a replace that keeps every attachment),
and from then on managed.
"""

from __future__ import annotations

from pathlib import Path

import docker
from ruamel.yaml import YAML

from tests.helpers.factories import MakeContainer, MakeParent
from tests.integration.reconcile_helpers import address, macvlan, name, vlanspec, write_spec
from vlanspec.spec import read_spec
from vlanspec.spec.model import SPEC_LABEL


def test_export_of_managed_networks_then_plan_shows_no_changes(
    tmp_path: Path, docker_host: str, make_parent: MakeParent, make_container: MakeContainer
) -> None:
    web, worker = make_container(), make_container()
    spec = write_spec(
        tmp_path,
        "vst-export",
        {
            "vst-exp-a": macvlan(
                make_parent(), "192.0.2.0/25", "192.0.2.1", labels={"owner": "netops"}
            ),
            "vst-exp-b": {
                "driver": "ipvlan",
                "parent": make_parent(),
                "mode": "l3",
                "subnets": [{"subnet": "198.51.100.0/26"}, {"subnet": "198.51.100.64/26"}],
            },
        },
        {
            name(web): {
                "networks": {"vst-exp-a": {"ipv4_address": "192.0.2.10", "aliases": ["www"]}}
            },
            name(worker): {"networks": ["vst-exp-a"]},
        },
    )
    assert vlanspec(docker_host, "apply", spec, "--auto-approve").code == 0

    exported = tmp_path / "exported.yaml"
    run = vlanspec(docker_host, "export", "--spec", "vst-export", "-o", str(exported))
    assert run.code == 0, run
    text = exported.read_text()
    assert "managed by spec 'vst-export'" in text and "(dynamic)" in text
    assert read_spec(str(exported), {}).ok  # a valid spec, comments and all
    data = YAML(typ="safe").load(text)
    assert data["name"] == "vst-export"
    assert data["networks"]["vst-exp-a"]["labels"] == {"owner": "netops"}
    assert data["networks"]["vst-exp-b"]["mode"] == "l3"
    assert data["containers"][name(web)]["networks"]["vst-exp-a"] == {
        "ipv4_address": "192.0.2.10",
        "aliases": ["www"],
    }
    assert data["containers"][name(worker)]["networks"]["vst-exp-a"] is None

    planned = vlanspec(docker_host, "plan", str(exported), "--detailed-exitcode")
    assert planned.code == 0, planned
    assert "No changes" in planned.stdout


def test_unmanaged_network_is_exported_then_adopted_keeping_its_containers(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
    make_container: MakeContainer,
) -> None:
    parent = make_parent()
    ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet="192.0.2.128/26")])
    network = docker_client.networks.create(
        "vst-legacy", driver="macvlan", options={"parent": parent}, ipam=ipam
    )
    box = make_container()
    network.connect(box, ipv4_address="192.0.2.140")

    exported = tmp_path / "legacy.yaml"
    run = vlanspec(
        docker_host,
        "export",
        "--network",
        "vst-legacy",
        "--name",
        "vst-legacy",
        "-o",
        str(exported),
    )
    assert run.code == 0, run
    assert "not managed by vlanspec yet" in exported.read_text()

    # Not ours yet: a conflict, nothing planned for it.
    conflict = vlanspec(docker_host, "plan", str(exported))
    assert conflict.code == 1 and "conflict" in conflict.stdout.lower(), conflict

    adopted = vlanspec(
        docker_host, "apply", str(exported), "--adopt", "vst-legacy", "--auto-approve"
    )
    assert adopted.code == 0, adopted
    assert docker_client.networks.get("vst-legacy").attrs["Labels"][SPEC_LABEL] == "vst-legacy"
    assert address(box, "vst-legacy") == "192.0.2.140"
    assert vlanspec(docker_host, "plan", str(exported), "--detailed-exitcode").code == 0
