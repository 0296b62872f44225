"""The engine-side lock that keeps two applies (or destroys) from interleaving.

Where it lives: in the engine itself, as the labels of a Docker volume named
:data:`LOCK_VOLUME`. Every run that can change the engine, from this machine or any other,
reaches the same engine, so the engine is the one place all of them see; a lock file on one
machine would not stop a pipeline on another. Volumes need no image, create no kernel objects,
and creating one is the only engine call that is an atomic "create if absent, else tell me
what is there": creating a volume whose name exists returns the existing volume with its
*original* labels. So a run creates the volume with its own holder id and reads back whose id
came back: its own means it holds the lock.

A lock left by a killed run is taken over when its holder is provably gone (same host, same
process namespace, and its process no longer runs) or its lease expired. Labels cannot change,
so a lease cannot be renewed: it is simply long (:data:`LEASE`), longer than any apply should
take. Removing the lock, whether to release it or to take over a stale one, first takes a
small per-holder volume (``<LOCK_VOLUME>.release.<holder id>``) the same way, so that two runs
that both judged one lock stale cannot both remove it (and remove the newer holder's lock).

The decisions (:func:`judge`, :class:`Holder` to and from labels) are pure; the engine is any
:class:`VolumeStore` (:class:`vlanspec.engine.Engine` is one).
"""

from __future__ import annotations

import hashlib
import os
import random
import secrets
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from vlanspec.errors import UserError
from vlanspec.logs import get_logger

log = get_logger(__name__)

LOCK_VOLUME = "vlanspec-lock"
#: How long a lock counts as held when its holder cannot be proven gone (another host).
LEASE = timedelta(minutes=15)
#: The same for the short-lived volume that guards removing a lock.
RELEASE_LEASE = timedelta(minutes=1)
DEFAULT_TIMEOUT = 60.0
#: Seconds between two tries while another run holds the lock (plus up to 50% jitter).
POLL_SECONDS = 1.0

PREFIX = "io.vlanspec.lock."
_KEYS = ("holder", "host", "machine", "pid", "pid_start", "since", "expires", "command")

Now = Callable[[], datetime]
Alive = Callable[[int, str], bool]


class VolumeStore(Protocol):
    """The three volume calls the lock needs (:class:`vlanspec.engine.Engine` has them)."""

    def create_volume(self, name: str, labels: Mapping[str, str]) -> dict[str, str]:
        """Create ``name`` unless it exists; the labels of the volume that exists afterwards."""
        ...

    def volume_labels(self, name: str) -> dict[str, str] | None:
        """The labels of volume ``name``, or None when there is no such volume."""
        ...

    def remove_volume(self, name: str) -> None:
        """Remove volume ``name``; no error when it is already gone."""
        ...


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


@dataclass(frozen=True)
class Holder:
    """Who holds (or wants) the lock: written into the volume's labels."""

    id: str
    host: str
    #: Hash of this kernel's boot id and process namespace: two holders with the same value
    #: see the same process table, so a missing pid is proof that the holder is gone.
    machine: str
    pid: int
    #: The process's start time in clock ticks since boot ("" when unknown): a pid reused by a
    #: new process is not mistaken for the holder.
    pid_start: str
    since: datetime
    expires: datetime
    command: str = ""

    def labels(self) -> dict[str, str]:
        values = {
            "holder": self.id,
            "host": self.host,
            "machine": self.machine,
            "pid": str(self.pid),
            "pid_start": self.pid_start,
            "since": _utc(self.since),
            "expires": _utc(self.expires),
            "command": self.command,
        }
        return {PREFIX + key: values[key] for key in _KEYS}

    @classmethod
    def from_labels(cls, labels: Mapping[str, str] | None) -> Holder | None:
        """The holder the labels name; None when they are not a holder vlanspec wrote."""
        if not labels:
            return None
        values = {key: labels.get(PREFIX + key) for key in _KEYS}
        holder, pid = values["holder"], values["pid"]
        since = _parse_time(values["since"] or "")
        expires = _parse_time(values["expires"] or "")
        if not holder or not pid or not pid.isdigit() or since is None or expires is None:
            return None
        return cls(
            id=holder,
            host=values["host"] or "",
            machine=values["machine"] or "",
            pid=int(pid),
            pid_start=values["pid_start"] or "",
            since=since,
            expires=expires,
            command=values["command"] or "",
        )

    def describe(self) -> str:
        """``vlanspec apply, pid 123 on host ci-7, since 2026-12-03 13:50:01 UTC``."""
        what = f"vlanspec {self.command}" if self.command else "vlanspec"
        since = self.since.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        return f"{what}, pid {self.pid} on host {self.host or '?'}, since {since}"


class Verdict(StrEnum):
    MINE = "mine"
    HELD = "held"
    STALE = "stale"


def judge(found: Holder | None, me: Holder, now: datetime, alive: Alive) -> tuple[Verdict, str]:
    """Whose the lock is, given the holder that came back from creating it; and why.

    A lock without readable labels counts as held: vlanspec cannot prove anything about it.
    """
    if found is None:
        return Verdict.HELD, "the lock volume has no vlanspec holder labels"
    if found.id == me.id:
        return Verdict.MINE, "created by this run"
    if now >= found.expires:
        return Verdict.STALE, f"its lease expired at {_utc(found.expires)}"
    same_host = found.host == me.host and found.machine == me.machine
    if same_host and not alive(found.pid, found.pid_start):
        return Verdict.STALE, f"process {found.pid} no longer runs on this host"
    return Verdict.HELD, "its holder may still run"


# -- this process ----------------------------------------------------------------------------


def _read(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


def this_machine() -> str:
    """A short hash of this kernel's boot id and of this process's pid namespace."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    boot = _read("/proc/sys/kernel/random/boot_id")
    return hashlib.sha256(f"{boot}\n{namespace}".encode()).hexdigest()[:16]


def process_start(pid: int) -> str:
    """The start time of process ``pid`` in clock ticks since boot; "" when unknown or gone."""
    stat = _read(f"/proc/{pid}/stat")
    if not stat:
        return ""
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else ""  # field 22 of the line, 20 after the name


def pid_alive(pid: int, start: str) -> bool:
    """Whether process ``pid`` (started at ``start``, when known) still runs here."""
    if pid <= 0:
        return False
    if Path("/proc/self/stat").exists():
        current = process_start(pid)
        if not current:
            return False
        return not start or current == start
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def me(command: str, now: datetime, lease: timedelta = LEASE) -> Holder:
    """A new holder for this process, with a fresh random id."""
    pid = os.getpid()
    return Holder(
        id=secrets.token_hex(8),
        host=socket.gethostname(),
        machine=this_machine(),
        pid=pid,
        pid_start=process_start(pid),
        since=now,
        expires=now + lease,
        command=command,
    )


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


# -- taking and giving back ------------------------------------------------------------------


class LockBusy(UserError):
    """Another run held the lock for longer than this run would wait."""

    def __init__(self, holder: Holder | None, waited: float, name: str = LOCK_VOLUME) -> None:
        if holder is None:
            message = (
                f"the engine's lock (volume {name}) exists without vlanspec's holder labels; "
                f"waited {waited:.0f}s"
            )
            hint = f"if no vlanspec run uses this engine, remove it: docker volume rm {name}"
        else:
            message = (
                f"another run holds the lock on this engine: {holder.describe()}; "
                f"waited {waited:.0f}s"
            )
            hint = (
                "wait for that run to finish and run again, or give a longer --lock-timeout; "
                "if it was killed, its lock is taken over as soon as its process is gone "
                f"(same host) or at the end of its lease, {_utc(holder.expires)}"
            )
        super().__init__(message, hint)
        self.holder = holder


class EngineLock:
    """The lock on one engine, held by this process between :meth:`acquire` and :meth:`release`."""

    def __init__(
        self,
        store: VolumeStore,
        *,
        command: str = "",
        name: str = LOCK_VOLUME,
        lease: timedelta = LEASE,
        now: Now = _now,
        alive: Alive = pid_alive,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.command = command
        self.name = name
        self.lease = lease
        self._now = now
        self._alive = alive
        self._sleep = sleep
        self._monotonic = monotonic
        self.held: Holder | None = None

    def acquire(
        self,
        timeout: float = DEFAULT_TIMEOUT,
        on_wait: Callable[[Holder | None], None] | None = None,
    ) -> Holder:
        """Take the lock, waiting up to ``timeout`` seconds; :class:`LockBusy` if still held.

        ``on_wait`` is called once, with the holder, when this run starts waiting.
        """
        started = self._monotonic()
        waiting = False
        while True:
            wanted = me(self.command, self._now(), self.lease)
            found = Holder.from_labels(self.store.create_volume(self.name, wanted.labels()))
            if found is not None and found.id == wanted.id:
                # Read back what the engine keeps, not only what the create answered.
                found = Holder.from_labels(self.store.volume_labels(self.name))
            now = self._now()
            verdict, why = judge(found, wanted, now, self._alive)
            if verdict is Verdict.MINE:
                log.info("lock taken", volume=self.name, holder=wanted.id, waited=waiting)
                self.held = wanted
                return wanted
            if verdict is Verdict.STALE and found is not None:
                log.warning("taking over a stale lock", holder=found.describe(), why=why)
                if self._remove_held_by(found.id):
                    continue
            waited = self._monotonic() - started
            if waited >= timeout:
                raise LockBusy(found, waited, self.name)
            if not waiting:
                waiting = True
                if on_wait is not None:
                    on_wait(found)
            pause = POLL_SECONDS * (1 + random.random() / 2)  # jitter, so waiters do not align
            self._sleep(max(0.0, min(pause, timeout - waited)))

    def release(self) -> None:
        """Give the lock back: remove the volume if it still names this run."""
        if self.held is None:
            return
        holder, self.held = self.held, None
        if self._remove_held_by(holder.id):
            log.info("lock released", volume=self.name, holder=holder.id)
        else:  # someone is taking it over (this run outlived its lease): theirs to remove
            log.warning("lock not released: another run is taking it over", holder=holder.id)

    def _remove_held_by(self, holder_id: str) -> bool:
        """Remove the lock if ``holder_id`` holds it; False when another run is doing so."""
        guard_name = f"{self.name}.release.{holder_id}"
        guard = replace(me(self.command, self._now(), RELEASE_LEASE), command="release")
        found = Holder.from_labels(self.store.create_volume(guard_name, guard.labels()))
        if found is None or found.id != guard.id:
            verdict, why = judge(found, guard, self._now(), self._alive)
            if verdict is Verdict.STALE:  # a run died while removing: its guard goes
                log.warning("removing a stale release guard", volume=guard_name, why=why)
                self.store.remove_volume(guard_name)
            return False
        try:
            current = Holder.from_labels(self.store.volume_labels(self.name))
            if current is not None and current.id == holder_id:
                self.store.remove_volume(self.name)
            return True
        finally:
            self.store.remove_volume(guard_name)
