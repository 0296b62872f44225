"""A replace killed at any moment loses nothing: the next apply finishes it from the journal.

``vlanspec apply`` runs as a real process (as CI starts it) and kills itself with SIGKILL right
after its k-th engine request, through the test hook ``VLANSPEC_TEST_KILL_AFTER_CALL`` (see
:data:`vlanspec.engine.engine.KILL_AFTER_CALL`), for k = 1, 2, 3, ... until a run gets to the
end without being killed. After each kill a plain ``vlanspec apply`` must converge and verify,
and every container that was attached before must be attached again with its address, aliases
and (where the engine derives it from the address, as 20.10 does) its MAC.

Each round replaces the network: the specs differ only in a network label, so every round
toggles between them, and the containers (some listed in the spec, some not) stay put.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
import docker.errors
import pytest
from docker.models.containers import Container

from tests.helpers.factories import MakeContainer, MakeParent
from tests.integration.reconcile_helpers import endpoint, macvlan, name, vlanspec, write_spec
from vlanspec.engine.engine import KILL_AFTER_CALL
from vlanspec.journal import LABEL as JOURNAL_LABEL

VLANSPEC = str(Path(sys.executable).parent / "vlanspec")
LAN = "vst-crash"
SUBNET = "192.0.2.0/24"
#: Listed in the spec: address (None: dynamic) and aliases (None: not declared; the first
#: test gives that container an alias by hand, which every replace must keep).
LISTED: list[tuple[str | None, list[str] | None]] = [
    ("192.0.2.10", ["alpha"]),
    ("192.0.2.11", ["bravo", "bravo2"]),
    (None, ["charlie"]),
    ("192.0.2.12", None),
]
BY_HAND = ["delta"]
#: Not listed: attached by hand before the first replace.
UNLISTED: list[tuple[str | None, list[str]]] = [
    ("192.0.2.20", ["uniform"]),
    ("192.0.2.21", ["victor", "victor2"]),
    ("192.0.2.22", []),
    (None, ["whiskey"]),
]
#: Every how many engine calls to kill (1: after every call in turn).
STRIDE = int(os.environ.get("VLANSPEC_TEST_CRASH_STRIDE") or 1)


def _journal_volumes(client: docker.DockerClient) -> list[str]:
    return sorted(v.name or "" for v in client.volumes.list(filters={"label": JOURNAL_LABEL}))


@pytest.fixture(autouse=True)
def no_journal_left(docker_client: docker.DockerClient) -> Iterator[None]:
    yield
    for volume in _journal_volumes(docker_client):
        with contextlib.suppress(docker.errors.NotFound):
            docker_client.volumes.get(volume).remove(force=True)


def _spec(directory: Path, parent: str, listed: list[Container], generation: str) -> str:
    containers: dict[str, Any] = {}
    for container, (ipv4, aliases) in zip(listed, LISTED, strict=True):
        settings: dict[str, Any] = {} if aliases is None else {"aliases": aliases}
        if ipv4:
            settings["ipv4_address"] = ipv4
        containers[name(container)] = {"networks": {LAN: settings}}
    return write_spec(
        directory,
        "vst-crash",
        {LAN: macvlan(parent, SUBNET, labels={"generation": generation})},
        containers,
        file=f"{generation}.yaml",
    )


def _ip_derived_mac(ipv4: str) -> str:
    return "02:42:" + ":".join(f"{b:02x}" for b in ipaddress.IPv4Address(ipv4).packed)


def _attachment(container: Container) -> dict[str, Any] | None:
    """What must survive: static address, aliases, MAC where derived from the address."""
    found = endpoint(container, LAN)
    if found is None:
        return None
    requested = (found.get("IPAMConfig") or {}).get("IPv4Address") or None
    engine_added = {container.id or "", (container.id or "")[:12], name(container)}
    mac = str(found.get("MacAddress") or "").lower()
    return {
        "ipv4": found.get("IPAddress") if requested else "dynamic",
        "requested": requested,
        "aliases": sorted(set(found.get("Aliases") or []) - engine_added),
        "mac": mac if requested and mac == _ip_derived_mac(requested) else "not kept",
    }


def _snapshot(containers: list[Container]) -> dict[str, dict[str, Any] | None]:
    return {name(c): _attachment(c) for c in containers}


def _apply(
    spec: str, docker_host: str, kill_after: int | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop(KILL_AFTER_CALL, None)
    if kill_after is not None:
        env[KILL_AFTER_CALL] = str(kill_after)
    return subprocess.run(
        [VLANSPEC, "apply", spec, "--auto-approve", "--docker-host", docker_host],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def _show(run: subprocess.CompletedProcess[str]) -> str:
    return f"exit {run.returncode}\n--- stdout ---\n{run.stdout}\n--- stderr ---\n{run.stderr}"


def test_a_replace_killed_after_any_engine_call_is_finished_by_the_next_apply(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
    make_container: MakeContainer,
) -> None:
    listed = [make_container() for _ in LISTED]
    unlisted = [make_container() for _ in UNLISTED]
    everybody = listed + unlisted
    parent = make_parent()
    specs = {g: _spec(tmp_path, parent, listed, g) for g in ("a", "b")}
    first = vlanspec(docker_host, "apply", specs["a"], "--auto-approve")
    assert first.code == 0, first
    network = docker_client.networks.get(LAN)
    for container, (ipv4, aliases) in zip(unlisted, UNLISTED, strict=True):
        network.connect(container, ipv4_address=ipv4, aliases=aliases or None)
    for container, (ipv4, declared) in zip(listed, LISTED, strict=True):
        if declared is None:  # aliases the spec leaves alone, given by hand
            network.disconnect(container)
            network.connect(container, ipv4_address=ipv4, aliases=BY_HAND)
    before = _snapshot(everybody)
    assert all(before.values()), before
    assert [(before[name(c)] or {}).get("aliases") for c in listed][-1] == BY_HAND
    assert [(before[name(c)] or {}).get("requested") for c in unlisted] == [a for a, _ in UNLISTED]

    target, k, kills = "b", 1, 0
    network_missing = containers_detached = 0
    started = time.monotonic()
    while True:
        crashed = _apply(specs[target], docker_host, kill_after=k)
        if crashed.returncode == 0:  # k is past the run's last engine call
            assert "verified" in crashed.stdout, _show(crashed)
            break
        assert crashed.returncode == -signal.SIGKILL, _show(crashed)
        kills += 1
        after_kill = _snapshot(everybody)
        containers_detached += any(v is None for v in after_kill.values())
        network_missing += LAN not in {n.name for n in docker_client.networks.list()}

        recovered = _apply(specs[target], docker_host)
        assert recovered.returncode == 0, f"killed after call {k}\n{_show(recovered)}"
        # It finished the replace, or found it finished (killed before removing the journal).
        converged = ("verified: the live state matches the spec", "No changes.")
        assert any(words in recovered.stdout for words in converged), _show(recovered)
        assert _snapshot(everybody) == before, f"killed after call {k}\n{_show(recovered)}"
        assert _journal_volumes(docker_client) == [], f"killed after call {k}"
        labels = docker_client.networks.get(LAN).attrs.get("Labels") or {}
        assert labels.get("generation") == target
        target = "a" if target == "b" else "b"
        k += STRIDE

    # The kills covered the whole replace: some left containers detached, some the network gone.
    assert kills >= 20 // STRIDE, kills
    assert containers_detached >= 3 and network_missing >= 1, (containers_detached, network_missing)
    assert _snapshot(everybody) == before
    # The run that was not killed applied the target spec: it is in force, the other is not.
    assert vlanspec(docker_host, "plan", specs[target], "--detailed-exitcode").code == 0
    other = "a" if target == "b" else "b"
    assert vlanspec(docker_host, "plan", specs[other], "--detailed-exitcode").code == 2
    print(f"{kills} kills in {time.monotonic() - started:.0f}s")


def test_two_applies_of_a_replace_started_at_once_leave_the_specs_state(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
    make_container: MakeContainer,
) -> None:
    """One holds the lock and replaces, the other waits and finds nothing to do (or the
    journal of a finished replace): never two replaces interleaved."""
    listed = [make_container() for _ in LISTED]
    unlisted = [make_container() for _ in UNLISTED[:2]]
    parent = make_parent()
    specs = {g: _spec(tmp_path, parent, listed, g) for g in ("a", "b")}
    assert vlanspec(docker_host, "apply", specs["a"], "--auto-approve").code == 0
    network = docker_client.networks.get(LAN)
    for container, (ipv4, aliases) in zip(unlisted, UNLISTED, strict=False):
        network.connect(container, ipv4_address=ipv4, aliases=aliases or None)
    before = _snapshot(listed + unlisted)

    command = [VLANSPEC, "apply", specs["b"], "--auto-approve", "--docker-host", docker_host]
    runs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(*r.communicate(timeout=240), r.returncode) for r in runs]

    assert [code for _, _, code in results] == [0, 0], results
    outputs = [out for out, _, _ in results]
    assert sum("Apply complete" in out for out in outputs) == 1, outputs
    assert sum("No changes" in out for out in outputs) == 1, outputs
    assert _snapshot(listed + unlisted) == before
    assert (docker_client.networks.get(LAN).attrs.get("Labels") or {}).get("generation") == "b"
    assert _journal_volumes(docker_client) == []


def test_the_library_apply_journals_a_replace_and_removes_the_journal_once_verified(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
    make_container: MakeContainer,
) -> None:
    from vlanspec import api, load_spec

    listed = [make_container() for _ in LISTED]
    parent = make_parent()
    specs = {g: _spec(tmp_path, parent, listed, g) for g in ("a", "b")}
    assert vlanspec(docker_host, "apply", specs["a"], "--auto-approve").code == 0
    spec = load_spec(specs["b"])
    with api.connect(docker_host) as engine:
        changes = api.plan(spec, api.read_live(engine, spec))
        result = api.apply(changes, engine, spec=spec)
        assert result.ok, result
        assert engine.calls["volume_create"] == 1  # the journal entry, written once
        assert engine.calls["volume_remove"] == 1  # ... and removed after verification
    assert _journal_volumes(docker_client) == []
