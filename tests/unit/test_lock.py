"""The engine lock's decisions, against a fake volume store with the engine's create semantics."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pytest

from vlanspec.lock import (
    LEASE,
    LOCK_VOLUME,
    PREFIX,
    EngineLock,
    Holder,
    LockBusy,
    Verdict,
    judge,
    me,
    pid_alive,
    process_start,
)

T0 = datetime(2026, 12, 3, 13, 50, 1, tzinfo=UTC)


class Volumes:
    """Volumes as the engine keeps them: creating an existing name returns its first labels."""

    def __init__(self) -> None:
        self.volumes: dict[str, dict[str, str]] = {}
        self.log: list[str] = []

    def create_volume(self, name: str, labels: Mapping[str, str]) -> dict[str, str]:
        self.log.append(f"create {name}")
        return dict(self.volumes.setdefault(name, dict(labels)))

    def volume_labels(self, name: str) -> dict[str, str] | None:
        found = self.volumes.get(name)
        return None if found is None else dict(found)

    def remove_volume(self, name: str) -> None:
        self.log.append(f"remove {name}")
        self.volumes.pop(name, None)


class Clock:
    def __init__(self) -> None:
        self.now = T0
        self.ticks = 0.0

    def sleep(self, seconds: float) -> None:
        self.ticks += seconds
        self.now += timedelta(seconds=seconds)

    def wall(self) -> datetime:
        return self.now.replace(microsecond=0)

    def monotonic(self) -> float:
        return self.ticks


def other(**changes: object) -> Holder:
    """A holder on another host, taken at T0."""
    holder = Holder(
        id="0123456789abcdef",
        host="ci-7",
        machine="feedfacefeedface",
        pid=4242,
        pid_start="1000",
        since=T0,
        expires=T0 + LEASE,
        command="apply",
    )
    return dataclasses.replace(holder, **changes)  # type: ignore[arg-type]


def lock(volumes: Volumes, clock: Clock, alive: bool = True) -> EngineLock:
    return EngineLock(
        volumes,
        command="apply",
        now=clock.wall,
        sleep=clock.sleep,
        monotonic=clock.monotonic,
        alive=lambda _pid, _start: alive,
    )


def test_holders_round_trip_through_labels_and_garbage_is_no_holder() -> None:
    holder = other()
    labels = holder.labels()
    assert all(key.startswith(PREFIX) for key in labels)
    assert Holder.from_labels(labels) == holder
    assert Holder.from_labels({}) is None
    assert Holder.from_labels({**labels, PREFIX + "pid": "twelve"}) is None
    assert Holder.from_labels({**labels, PREFIX + "since": "yesterday"}) is None


def test_judge_only_calls_a_lock_stale_when_that_is_provable() -> None:
    mine = me("apply", T0)
    here = other(host=mine.host, machine=mine.machine)
    dead = lambda _pid, _start: False  # noqa: E731
    running = lambda _pid, _start: True  # noqa: E731
    assert judge(mine, mine, T0, running)[0] is Verdict.MINE
    assert judge(None, mine, T0, dead)[0] is Verdict.HELD
    assert judge(other(), mine, T0, dead)[0] is Verdict.HELD  # another host: pids mean nothing
    assert judge(other(machine=mine.machine), mine, T0, dead)[0] is Verdict.HELD
    assert judge(here, mine, T0, running)[0] is Verdict.HELD
    verdict, why = judge(here, mine, T0, dead)
    assert verdict is Verdict.STALE and why == "process 4242 no longer runs on this host"
    verdict, why = judge(other(), mine, T0 + LEASE, running)
    assert verdict is Verdict.STALE and "lease expired at 2026-12-03T14:05:01Z" in why


def test_a_free_lock_is_taken_and_given_back() -> None:
    volumes, clock = Volumes(), Clock()
    engine_lock = lock(volumes, clock)
    holder = engine_lock.acquire(timeout=0)
    assert Holder.from_labels(volumes.volumes[LOCK_VOLUME]) == holder
    assert holder.pid == os.getpid() and holder.command == "apply"
    engine_lock.release()
    assert volumes.volumes == {}  # the lock and its release guard are gone
    engine_lock.release()  # twice is harmless


def test_a_second_run_waits_then_fails_naming_the_holder() -> None:
    volumes, clock = Volumes(), Clock()
    volumes.volumes[LOCK_VOLUME] = other().labels()
    waited: list[Holder | None] = []
    with pytest.raises(LockBusy) as caught:
        lock(volumes, clock).acquire(timeout=5, on_wait=waited.append)
    assert waited == [other()]
    assert 5 <= clock.ticks < 6
    message = caught.value.message
    assert "vlanspec apply, pid 4242 on host ci-7, since 2026-12-03 13:50:01 UTC" in message
    assert caught.value.hint and "--lock-timeout" in caught.value.hint
    assert Holder.from_labels(volumes.volumes[LOCK_VOLUME]) == other()  # untouched


def test_a_waiting_run_gets_the_lock_when_the_holder_releases_it() -> None:
    volumes, clock = Volumes(), Clock()
    first = lock(volumes, clock)
    first.acquire(timeout=0)
    second = lock(volumes, clock)
    with pytest.raises(LockBusy):
        second.acquire(timeout=0)
    first.release()
    assert second.acquire(timeout=0).id != ""
    assert Holder.from_labels(volumes.volumes[LOCK_VOLUME]) == second.held


def test_release_never_removes_a_lock_that_is_not_ours() -> None:
    volumes, clock = Volumes(), Clock()
    engine_lock = lock(volumes, clock)
    engine_lock.acquire(timeout=0)
    volumes.volumes[LOCK_VOLUME] = other().labels()  # taken over meanwhile (lease ran out)
    engine_lock.release()
    assert Holder.from_labels(volumes.volumes[LOCK_VOLUME]) == other()


def test_a_lock_of_a_dead_process_on_this_host_is_taken_over_at_once() -> None:
    volumes, clock = Volumes(), Clock()
    mine = me("apply", T0)
    volumes.volumes[LOCK_VOLUME] = other(host=mine.host, machine=mine.machine).labels()
    holder = lock(volumes, clock, alive=False).acquire(timeout=0)
    assert Holder.from_labels(volumes.volumes[LOCK_VOLUME]) == holder
    assert clock.ticks == 0
    guard = f"{LOCK_VOLUME}.release.{other().id}"
    assert volumes.log[:3] == [f"create {LOCK_VOLUME}", f"create {guard}", f"remove {LOCK_VOLUME}"]


def test_an_expired_lease_is_taken_over_after_waiting_for_it() -> None:
    volumes, clock = Volumes(), Clock()
    volumes.volumes[LOCK_VOLUME] = other(expires=T0 + timedelta(seconds=3)).labels()
    lock(volumes, clock).acquire(timeout=10)
    assert 3 <= clock.ticks < 6


def test_a_takeover_in_progress_is_not_repeated() -> None:
    """Two runs that both find the lock stale: only the one holding the guard removes it."""
    volumes, clock = Volumes(), Clock()
    mine = me("apply", T0)
    stale = other(host=mine.host, machine=mine.machine)
    volumes.volumes[LOCK_VOLUME] = stale.labels()
    volumes.volumes[f"{LOCK_VOLUME}.release.{stale.id}"] = other(id="f" * 16).labels()
    with pytest.raises(LockBusy):  # the guard belongs to a run elsewhere that may still run
        lock(volumes, clock, alive=False).acquire(timeout=0)
    assert Holder.from_labels(volumes.volumes[LOCK_VOLUME]) == stale


def test_a_lock_volume_without_labels_is_reported() -> None:
    volumes, clock = Volumes(), Clock()
    volumes.volumes[LOCK_VOLUME] = {}
    with pytest.raises(LockBusy, match="without vlanspec's holder labels") as caught:
        lock(volumes, clock).acquire(timeout=0)
    assert (
        caught.value.hint
        == f"if no vlanspec run uses this engine, remove it: docker volume rm {LOCK_VOLUME}"
    )


def test_process_checks_see_this_process_and_not_a_finished_one() -> None:
    start = process_start(os.getpid())
    assert start and pid_alive(os.getpid(), start)
    assert not pid_alive(os.getpid(), str(int(start) + 1))  # same pid, another process
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert not pid_alive(child.pid, "")
    assert not pid_alive(0, "")
