"""A directory of specs: checked together, each reconciled on its own, ``--spec`` picks some."""

from __future__ import annotations

import json
from pathlib import Path

import docker

from tests.helpers.factories import MakeContainer, MakeParent
from tests.integration.reconcile_helpers import macvlan, name, on, vlanspec, write_spec
from vlanspec.spec.model import SPEC_LABEL


def _owned(client: docker.DockerClient) -> dict[str, str]:
    return {
        n.name or "": n.attrs["Labels"][SPEC_LABEL]
        for n in client.networks.list(filters={"label": SPEC_LABEL})
    }


def test_directory_plan_apply_destroy(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
    make_container: MakeContainer,
) -> None:
    box = make_container()
    write_spec(
        tmp_path,
        "vst-one",
        {"vst-one-lan": macvlan(make_parent(), "192.0.2.0/25")},
        {name(box): on("vst-one-lan", ipv4_address="192.0.2.5")},
        file="one.yaml",
    )
    write_spec(
        tmp_path,
        "vst-two",
        {"vst-two-lan": macvlan(make_parent(), "198.51.100.0/25")},
        file="two.yml",
    )

    planned = vlanspec(docker_host, "plan", str(tmp_path), "--detailed-exitcode")
    assert planned.code == 2, planned
    assert (
        "Plan for spec 'vst-one'" in planned.stdout and "Plan for spec 'vst-two'" in planned.stdout
    )
    documents = json.loads(vlanspec(docker_host, "plan", str(tmp_path), "--format", "json").stdout)
    assert [d["spec"] for d in documents] == ["vst-one", "vst-two"]
    markdown = vlanspec(docker_host, "plan", str(tmp_path), "--format", "markdown").stdout
    assert "### vlanspec plan: `vst-one`" in markdown and "```mermaid" in markdown

    picked = vlanspec(docker_host, "apply", str(tmp_path), "--spec", "vst-two", "--auto-approve")
    assert picked.code == 0, picked
    assert _owned(docker_client) == {"vst-two-lan": "vst-two"}

    applied = vlanspec(docker_host, "apply", str(tmp_path), "--auto-approve")
    assert applied.code == 0, applied
    assert _owned(docker_client) == {"vst-one-lan": "vst-one", "vst-two-lan": "vst-two"}
    assert vlanspec(docker_host, "plan", str(tmp_path), "--detailed-exitcode").code == 0

    destroyed = vlanspec(
        docker_host, "destroy", str(tmp_path), "--spec", "vst-one", "--auto-approve"
    )
    assert destroyed.code == 0, destroyed
    assert _owned(docker_client) == {"vst-two-lan": "vst-two"}
    box.reload()
    assert box.status == "running"  # containers are never touched

    unknown = vlanspec(docker_host, "plan", str(tmp_path), "--spec", "nope")
    assert unknown.code == 1 and "specs found: vst-one, vst-two" in unknown.stderr


def test_conflict_between_specs_refuses_all_before_the_engine(
    tmp_path: Path, docker_host: str, docker_client: docker.DockerClient, make_parent: MakeParent
) -> None:
    parent = make_parent()
    write_spec(tmp_path, "vst-a", {"vst-shared": macvlan(parent, "192.0.2.0/25")}, file="a.yaml")
    write_spec(tmp_path, "vst-b", {"vst-shared": macvlan(parent, "192.0.2.0/25")}, file="b.yaml")
    before = {n.name for n in docker_client.networks.list()}
    applied = vlanspec(docker_host, "apply", str(tmp_path), "--auto-approve")
    assert applied.code == 1, applied
    assert f"{tmp_path / 'b.yaml'}:" in applied.stderr and "vst-shared" in applied.stderr
    assert {n.name for n in docker_client.networks.list()} == before
