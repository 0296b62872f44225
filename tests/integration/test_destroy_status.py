"""destroy removes what the spec owns and no container; status and JSON plans show the state."""

from __future__ import annotations

import json
from pathlib import Path

import docker

from tests.helpers.factories import MakeContainer, MakeParent
from tests.integration.reconcile_helpers import address, macvlan, name, on, vlanspec, write_spec
from vlanspec.spec.model import SPEC_LABEL


def test_destroy_removes_owned_networks_and_no_container(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
    make_container: MakeContainer,
) -> None:
    first, second = make_container(), make_container()
    other = docker_client.networks.create(
        "vst-other-spec",
        driver="macvlan",
        options={"parent": make_parent()},
        labels={SPEC_LABEL: "someone-else"},
        ipam=docker.types.IPAMConfig(
            pool_configs=[docker.types.IPAMPool(subnet="198.51.100.0/24")]
        ),
        check_duplicate=True,
    )
    spec = write_spec(
        tmp_path,
        "vst-destroy",
        {
            "vst-a": macvlan(make_parent(), "192.0.2.0/25"),
            "vst-b": macvlan(make_parent(), "192.0.2.128/25"),
        },
        {
            name(first): on("vst-a", ipv4_address="192.0.2.10"),
            name(second): on("vst-b", ipv4_address="192.0.2.130"),
        },
    )
    assert vlanspec(docker_host, "apply", spec, "--auto-approve").code == 0

    refused = vlanspec(docker_host, "destroy", spec)
    assert refused.code == 1, refused
    assert "--auto-approve" in refused.stderr
    assert address(first, "vst-a") == "192.0.2.10"

    destroyed = vlanspec(docker_host, "destroy", spec, "--auto-approve")
    assert destroyed.code == 0, destroyed
    assert "2 to delete" in destroyed.stdout
    names = {n.name for n in docker_client.networks.list()}
    assert not {"vst-a", "vst-b"} & names
    assert docker_client.networks.get(other.id or "").attrs["Labels"][SPEC_LABEL] == "someone-else"
    for container in (first, second):
        container.reload()
        assert container.status == "running"

    again = vlanspec(docker_host, "destroy", spec, "--auto-approve")
    assert again.code == 0, again
    assert "Nothing to destroy" in again.stdout


def test_status_shows_networks_containers_addresses_and_engine(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
    make_container: MakeContainer,
) -> None:
    container = make_container()
    lan = macvlan(make_parent(), "192.0.2.0/24")
    spec = write_spec(
        tmp_path,
        "vst-status",
        {"vst-lan": lan, "vst-later": macvlan("vsx0", "198.51.100.0/24")},
        {name(container): on("vst-lan", ipv4_address="192.0.2.10"), "vst-ghost": on("vst-lan")},
    )
    before = vlanspec(docker_host, "status", spec)
    assert before.code == 0, before
    assert "missing" in before.stdout

    # Apply only the first network (from another file of the same spec), then look again.
    spec_lan = write_spec(
        tmp_path,
        "vst-status",
        {"vst-lan": lan},
        {name(container): on("vst-lan", ipv4_address="192.0.2.10"), "vst-ghost": on("vst-lan")},
        file="lan.yaml",
    )
    assert vlanspec(docker_host, "apply", spec_lan, "--auto-approve").code == 0
    shown = vlanspec(docker_host, "status", spec)
    assert shown.code == 0, shown
    out = shown.stdout
    assert docker_client.version()["Version"] in out  # the engine's version is shown
    assert "managed" in out
    container.reload()
    assert name(container) in out and "192.0.2.10" in out
    endpoint = container.attrs["NetworkSettings"]["Networks"]["vst-lan"]
    assert endpoint["MacAddress"] in out
    assert "vst-ghost" in out and "container missing" in out
    assert "vst-later" in out and "missing" in out


def test_plan_as_json(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
) -> None:
    spec = write_spec(tmp_path, "vst-json", {"vst-lan": macvlan(make_parent(), "192.0.2.0/24")})
    planned = vlanspec(docker_host, "plan", spec, "--format", "json", "--detailed-exitcode")
    assert planned.code == 2, planned
    document = json.loads(planned.stdout)
    assert document["spec"] == "vst-json"
    assert document["engine"]["version"] == docker_client.version()["Version"]


def test_status_shows_what_needs_a_person_and_not_the_rest_of_the_notes(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
) -> None:
    # A network of a declared name that vlanspec did not create: a conflict for a person.
    docker_client.networks.create("vst-taken", driver="macvlan", options={"parent": make_parent()})
    spec = write_spec(
        tmp_path,
        "vst-attention",
        {"vst-taken": macvlan(make_parent(), "198.51.100.0/24")},
        {"vst-ghost": on("vst-taken")},  # a container that does not exist: only a plan note
    )
    shown = vlanspec(docker_host, "status", spec)
    assert shown.code == 0, shown
    notes = shown.stdout.split("Notes:")
    assert len(notes) == 2, shown
    assert "conflict: " in notes[1] and "vst-taken" in notes[1], shown
    assert "pending" not in shown.stdout, shown
