"""The live state of a Docker engine, as :mod:`vlanspec.engine` reads it and the planner sees it.

Plain frozen data, so the planner stays pure and tests can build live states without Docker.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from vlanspec.spec.model import Subnet


@dataclass(frozen=True)
class EngineInfo:
    """Which engine answered: its version decides what it can do (see engine/capabilities)."""

    version: str
    api_version: str
    #: True when the engine runs on this host (a unix socket), so host interfaces can be checked.
    local: bool = True
    host: str = ""


@dataclass(frozen=True)
class LiveNetwork:
    """A network as the engine reports it (``GET /networks``)."""

    id: str
    name: str
    driver: str
    options: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    subnets: tuple[Subnet, ...] = ()
    ipv6: bool = False
    internal: bool = False
    scope: str = "local"

    @property
    def parent(self) -> str | None:
        return self.options.get("parent")


#: Length of the short container id that engine 20.10 adds to a container's aliases.
SHORT_ID = 12


def user_aliases(
    aliases: Iterable[str] | None, container: str, container_id: str
) -> tuple[str, ...]:
    """The aliases a user set, sorted: without the container's name and ids, which the engine
    adds on its own (20.10 adds the short id on every user network)."""
    automatic = {container}
    if container_id:
        automatic |= {container_id, container_id[:SHORT_ID]}
    return tuple(sorted({a for a in aliases or () if a and a not in automatic}))


@dataclass(frozen=True)
class LiveEndpoint:
    """One container's attachment to one network, as the engine reports it.

    ``ipv4_address`` is what the container has; ``requested_ipv4`` is the static address it was
    connected with (IPAMConfig), None for a dynamic one. ``aliases`` is None when they were not
    read (vlanspec inspects only the containers whose spec entries declare aliases, and those a
    plan reconnects).
    """

    container: str
    container_id: str
    network: str
    network_id: str
    ipv4_address: str | None = None
    ipv6_address: str | None = None
    mac_address: str | None = None
    requested_ipv4: str | None = None
    requested_ipv6: str | None = None
    aliases: tuple[str, ...] | None = None

    def is_on(self, network: LiveNetwork) -> bool:
        """Match by network id when the engine gave both (names can repeat on old engines)."""
        if self.network_id and network.id:
            return self.network_id == network.id
        return self.network == network.name


@dataclass(frozen=True)
class LiveContainer:
    """A container that exists on the engine (running or not)."""

    id: str
    name: str
    running: bool = True
    #: The container's network mode ("none", "container:<id>", a network name, "default", ...).
    network_mode: str = ""


@dataclass(frozen=True)
class JournaledAttachment:
    """One attachment a replace promised to restore, as the journal recorded it."""

    container: str
    ipv4_address: str | None = None
    ipv6_address: str | None = None
    mac_address: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class JournalEntry:
    """A replace that was started and has not been confirmed finished (see vlanspec.journal).

    Written on the engine (a volume's labels) before the replace's first destructive step, and
    removed once a run verified the spec in force; finding one means a run was interrupted.
    """

    #: The volume that holds it.
    name: str
    spec: str
    network: str
    #: Entries for one network are numbered; a later one supersedes an earlier one.
    generation: int
    #: When it was written (UTC, ``YYYY-MM-DDTHH:MM:SSZ``).
    created: str
    attachments: tuple[JournaledAttachment, ...] = ()


@dataclass(frozen=True)
class LiveState:
    """Everything the planner needs to know about one engine, read in a constant number of calls.

    ``networks`` holds every network on the engine (bridge and others too, for overlap checks);
    only macvlan and ipvlan networks are ever planned on.
    """

    engine: EngineInfo
    networks: tuple[LiveNetwork, ...] = ()
    containers: tuple[LiveContainer, ...] = ()
    endpoints: tuple[LiveEndpoint, ...] = ()
    #: Journal entries of interrupted replaces, of every spec (read in the same constant cost).
    journal: tuple[JournalEntry, ...] = ()

    def network(self, name: str) -> LiveNetwork | None:
        return next((n for n in self.networks if n.name == name), None)

    def container(self, name: str) -> LiveContainer | None:
        return next((c for c in self.containers if c.name == name), None)

    def endpoints_of(self, network: str) -> tuple[LiveEndpoint, ...]:
        return tuple(e for e in self.endpoints if e.network == network)
