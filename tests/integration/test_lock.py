"""The engine lock against a real engine: applies never interleave, stale locks are taken over.

Concurrent runs are real processes (``vlanspec apply`` as CI would start them), so they hold
and wait for the lock exactly as two pipelines would. The test itself holds the lock, through
the same code, when it needs a run to wait.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import docker
import docker.errors
import pytest

from tests.helpers.factories import MakeContainer, MakeParent
from tests.integration.reconcile_helpers import address, macvlan, name, on, vlanspec, write_spec
from vlanspec.engine import Engine, connect
from vlanspec.lock import LOCK_VOLUME, EngineLock, Holder, me

VLANSPEC = str(Path(sys.executable).parent / "vlanspec")
LAN = "vst-locked"


def _remove_lock_volumes(client: docker.DockerClient) -> None:
    for volume in client.volumes.list():
        if (volume.name or "").startswith(LOCK_VOLUME):
            with contextlib.suppress(docker.errors.NotFound):
                volume.remove(force=True)


@pytest.fixture(autouse=True)
def no_lock_left(docker_client: docker.DockerClient) -> Iterator[None]:
    _remove_lock_volumes(docker_client)
    yield
    _remove_lock_volumes(docker_client)


@pytest.fixture
def engine(docker_host: str) -> Iterator[Engine]:
    with connect(docker_host) as connected:
        yield connected


def _lock_holder(client: docker.DockerClient) -> Holder | None:
    try:
        volume = client.volumes.get(LOCK_VOLUME)
    except docker.errors.NotFound:
        return None
    return Holder.from_labels(volume.attrs.get("Labels") or {})


def _start_apply(spec: str, docker_host: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [VLANSPEC, "apply", spec, "--auto-approve", "--docker-host", docker_host, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    stdout, stderr = process.communicate(timeout=240)
    return process.returncode, stdout, stderr


def _spec(tmp_path: Path, parent: str, *containers: str) -> str:
    return write_spec(
        tmp_path,
        "vst-lock",
        {LAN: macvlan(parent, "192.0.2.0/24")},
        {c: on(LAN, ipv4_address=f"192.0.2.{10 + i}") for i, c in enumerate(containers)},
    )


def test_the_engine_keeps_the_first_labels_of_a_volume(engine: Engine) -> None:
    """The primitive the lock stands on: a second create returns the original labels."""
    first = engine.create_volume(LOCK_VOLUME, {"io.vlanspec.lock.holder": "first"})
    second = engine.create_volume(LOCK_VOLUME, {"io.vlanspec.lock.holder": "second"})
    assert first == second == {"io.vlanspec.lock.holder": "first"}
    engine.remove_volume(LOCK_VOLUME)
    engine.remove_volume(LOCK_VOLUME)  # gone already: no error
    assert engine.volume_labels(LOCK_VOLUME) is None


def test_two_applies_started_at_once_do_not_interleave(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    make_parent: MakeParent,
    make_container: MakeContainer,
) -> None:
    containers = [make_container() for _ in range(3)]
    spec = _spec(tmp_path, make_parent(), *(name(c) for c in containers))

    runs = [_finish(p) for p in [_start_apply(spec, docker_host) for _ in range(2)]]

    assert [code for code, _, _ in runs] == [0, 0], runs
    outputs = [stdout for _, stdout, _ in runs]
    assert sum("Apply complete" in out for out in outputs) == 1, outputs
    assert sum("No changes" in out for out in outputs) == 1, outputs
    assert [address(c, LAN) for c in containers] == ["192.0.2.10", "192.0.2.11", "192.0.2.12"]
    assert _lock_holder(docker_client) is None  # released


def test_a_run_waits_for_the_holder_and_then_plans_from_what_it_left(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    engine: Engine,
    make_parent: MakeParent,
    make_container: MakeContainer,
) -> None:
    web = make_container()
    spec = _spec(tmp_path, make_parent(), name(web))
    held = EngineLock(engine, command="test")
    held.acquire(timeout=0)
    try:
        runs = [_start_apply(spec, docker_host, "--lock-timeout", "120") for _ in range(2)]
        time.sleep(4)  # far longer than an unlocked apply of one network takes
        assert [r.poll() for r in runs] == [None, None], "an apply did not wait for the lock"
        assert LAN not in {n.name for n in docker_client.networks.list()}
    finally:
        held.release()
    results = [_finish(r) for r in runs]

    assert [code for code, _, _ in results] == [0, 0], results
    for _, _, stderr in results:
        assert "Waiting up to 120s for the lock on this engine" in stderr
        assert f"vlanspec test, pid {os.getpid()} on host {socket.gethostname()}" in stderr
    outputs = [stdout for _, stdout, _ in results]
    assert sum("Apply complete" in out for out in outputs) == 1, outputs
    assert sum("No changes" in out for out in outputs) == 1, outputs
    assert address(web, LAN) == "192.0.2.10"


def test_a_run_that_waited_too_long_fails_naming_the_holder(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    engine: Engine,
    make_parent: MakeParent,
) -> None:
    spec = _spec(tmp_path, make_parent())
    held = EngineLock(engine, command="test")
    holder = held.acquire(timeout=0)
    try:
        for command in ("apply", "destroy"):
            run = vlanspec(docker_host, command, spec, "--auto-approve", "--lock-timeout", "1")
            assert run.code == 1, run
            assert "another run holds the lock on this engine" in run.stderr
            since = holder.since.strftime("%Y-%m-%d %H:%M:%S UTC")
            assert f"pid {os.getpid()} on host {socket.gethostname()}, since {since}" in run.stderr
            assert "--lock-timeout" in run.stderr
        planned = vlanspec(docker_host, "plan", spec)  # plans do not take the lock
        assert planned.code == 0, planned
        assert _lock_holder(docker_client) == holder
    finally:
        held.release()
    assert LAN not in {n.name for n in docker_client.networks.list()}


def test_an_apply_with_nothing_to_change_does_not_wait_for_the_lock(
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    engine: Engine,
    make_parent: MakeParent,
) -> None:
    spec = _spec(tmp_path, make_parent())
    assert vlanspec(docker_host, "apply", spec, "--auto-approve").code == 0
    held = EngineLock(engine, command="test")
    holder = held.acquire(timeout=0)
    try:
        # It writes nothing, so it need not lock: it neither waits nor fails on the lock.
        run = vlanspec(docker_host, "apply", spec, "--auto-approve", "--lock-timeout", "0")
        assert run.code == 0, run
        assert "No changes" in run.stdout, run
        assert "lock" not in run.stderr, run
        assert _lock_holder(docker_client) == holder
    finally:
        held.release()


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.parametrize("how", ["dead process on this host", "lease expired elsewhere"])
def test_a_stale_lock_is_taken_over(
    how: str,
    tmp_path: Path,
    docker_host: str,
    docker_client: docker.DockerClient,
    engine: Engine,
    make_parent: MakeParent,
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    stale = dataclasses.replace(me("apply", now), pid=_dead_pid(), pid_start="")
    if how == "lease expired elsewhere":
        stale = dataclasses.replace(
            stale, host="elsewhere", machine="0" * 16, expires=now - timedelta(seconds=1)
        )
    assert engine.create_volume(LOCK_VOLUME, stale.labels()) == stale.labels()
    spec = _spec(tmp_path, make_parent())

    started = time.monotonic()
    applied = vlanspec(docker_host, "apply", spec, "--auto-approve", "--lock-timeout", "0")

    assert applied.code == 0, applied
    assert time.monotonic() - started < 30
    assert LAN in {n.name for n in docker_client.networks.list()}
    assert _lock_holder(docker_client) is None
    assert not [v for v in docker_client.volumes.list() if (v.name or "").startswith(LOCK_VOLUME)]
