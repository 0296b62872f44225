"""Saved plans against a real engine: applied as saved, or refused when anything changed since."""

from __future__ import annotations

import json
from pathlib import Path

import docker
from jsonschema import Draft202012Validator

from tests.helpers.factories import MakeContainer, MakeParent
from tests.integration.reconcile_helpers import address, macvlan, name, on, vlanspec, write_spec

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))
LAN = "vst-saved"


def _networks(client: docker.DockerClient) -> set[str]:
    return {n.name or "" for n in client.networks.list()}


def test_an_unchanged_saved_plan_is_applied_exactly_and_validates(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
    make_container: MakeContainer,
) -> None:
    web = make_container()
    spec = write_spec(
        tmp_path,
        "vst-saved",
        {LAN: macvlan(make_parent(), "192.0.2.0/24")},
        {name(web): on(LAN, ipv4_address="192.0.2.10")},
    )
    out = tmp_path / "plan.json"
    planned = vlanspec(docker_host, "plan", spec, "-o", str(out), "--format", "json")
    assert planned.code == 0, planned
    assert json.loads(planned.stdout)["summary"]["create"] == 1  # stdout stays one document
    document = json.loads(out.read_text())
    Draft202012Validator(SCHEMA).validate(document)
    assert document["saved"]["spec_path"] == spec
    assert f"container {name(web)}" in document["saved"]["fingerprints"]["live_parts"]
    assert LAN not in _networks(docker_client)  # plan changes nothing

    applied = vlanspec(docker_host, "apply", str(out))  # no --auto-approve: it was reviewed
    assert applied.code == 0, applied
    assert f"Applying the plan saved in {out}" in applied.stdout
    assert "verified" in applied.stdout
    assert address(web, LAN) == "192.0.2.10"

    again = vlanspec(docker_host, "apply", str(out))  # the state it was made from is gone now
    assert again.code == 1, again
    assert "stale" in again.stderr and f"network {LAN} appeared" in again.stderr


def test_a_saved_plan_is_refused_when_the_live_state_changed(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
    make_container: MakeContainer,
) -> None:
    web, db = make_container(), make_container()
    networks = {LAN: macvlan(make_parent(), "192.0.2.0/24")}
    spec = write_spec(tmp_path, "vst-saved", networks, {name(web): on(LAN)})
    assert vlanspec(docker_host, "apply", spec, "--auto-approve").code == 0
    spec = write_spec(tmp_path, "vst-saved", networks, {name(web): on(LAN), name(db): on(LAN)})
    out = tmp_path / "plan.json"
    assert vlanspec(docker_host, "plan", spec, "-o", str(out)).code == 0

    docker_client.networks.get(LAN).disconnect(name(web))  # someone changes the engine

    applied = vlanspec(docker_host, "apply", str(out), "--auto-approve")
    assert applied.code == 1, applied
    assert "the live state changed since the plan was made" in applied.stderr
    assert f"network {LAN} changed" in applied.stderr
    assert "nothing was changed" in applied.stderr
    assert f"vlanspec plan {spec} -o {out}" in applied.stderr  # how to make a new one
    assert address(web, LAN) is None and address(db, LAN) is None  # engine unchanged


def test_a_saved_plan_is_refused_when_the_spec_was_edited(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
) -> None:
    parent = make_parent()
    spec = write_spec(tmp_path, "vst-saved", {LAN: macvlan(parent, "192.0.2.0/24")})
    out = tmp_path / "plan.json"
    assert vlanspec(docker_host, "plan", spec, "-o", str(out)).code == 0

    write_spec(tmp_path, "vst-saved", {LAN: macvlan(parent, "198.51.100.0/24")})

    applied = vlanspec(docker_host, "apply", str(out), "--auto-approve")
    assert applied.code == 1, applied
    assert f"the spec file {spec} changed since the plan was made" in applied.stderr
    assert "live state" not in applied.stderr
    assert LAN not in _networks(docker_client)


def test_a_plan_printed_as_json_is_not_applied(
    tmp_path: Path, docker_host: str, docker_client: docker.DockerClient, make_parent: MakeParent
) -> None:
    spec = write_spec(tmp_path, "vst-saved", {LAN: macvlan(make_parent(), "192.0.2.0/24")})
    printed = vlanspec(docker_host, "plan", spec, "--format", "json")
    plan = tmp_path / "printed.json"
    plan.write_text(printed.stdout)
    applied = vlanspec(docker_host, "apply", str(plan), "--auto-approve")
    assert applied.code == 1, applied
    assert "not a saved plan" in applied.stderr and "-o FILE" in applied.stderr
    assert LAN not in _networks(docker_client)


def test_a_saved_plan_rereads_its_env_files_and_sees_a_changed_variable(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
) -> None:
    env = tmp_path / "site.env"
    env.write_text("VST_SAVED_POOL=192.0.2.0/24\n")
    spec = write_spec(tmp_path, "vst-saved", {LAN: macvlan(make_parent(), "${VST_SAVED_POOL}")})
    out = tmp_path / "plan.json"
    planned = vlanspec(docker_host, "plan", spec, "--env-file", str(env), "-o", str(out))
    assert planned.code == 0, planned

    env.write_text("VST_SAVED_POOL=198.51.100.0/24\n")
    refused = vlanspec(docker_host, "apply", str(out), "--auto-approve")
    assert refused.code == 1, refused
    assert "resolves differently" in refused.stderr
    assert LAN not in _networks(docker_client)

    env.write_text("VST_SAVED_POOL=192.0.2.0/24\n")  # back as it was: the plan holds again
    applied = vlanspec(docker_host, "apply", str(out), "--auto-approve")
    assert applied.code == 0, applied
    assert LAN in _networks(docker_client)
