"""The typed, frozen model of a spec, built only from a document that passed validation.

Every element keeps the path of its YAML node (``("networks", "lan", "subnets", 0)``) so that later
checks can point at the exact line and column through :meth:`Spec.locate`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Literal

from vlanspec.diagnostics import Location

Driver = Literal["macvlan", "ipvlan"]
AttachmentPolicy = Literal["additive", "exclusive"]
Path = tuple[str | int, ...]

#: Each driver's mode when the spec (or a live network's options) says none.
DEFAULT_MODE: Mapping[str, str] = MappingProxyType({"macvlan": "bridge", "ipvlan": "l2"})
#: ipvlan's flag when none is given (engines 23.0 and newer).
DEFAULT_IPVLAN_FLAG = "bridge"
#: Docker option key that carries the mode, per driver.
MODE_OPTION: Mapping[str, str] = MappingProxyType(
    {"macvlan": "macvlan_mode", "ipvlan": "ipvlan_mode"}
)
FLAG_OPTION = "ipvlan_flag"
#: Label prefix reserved for vlanspec's own bookkeeping.
LABEL_PREFIX = "io.vlanspec."
SPEC_LABEL = "io.vlanspec.spec"
FINGERPRINT_LABEL = "io.vlanspec.fingerprint"


def _frozen(mapping: Mapping[str, str] | None = None) -> Mapping[str, str]:
    return MappingProxyType(dict(sorted((mapping or {}).items())))


@dataclass(frozen=True)
class Subnet:
    """One IPAM pool of a network."""

    subnet: str
    gateway: str | None = None
    ip_range: str | None = None
    aux_addresses: Mapping[str, str] = field(default_factory=_frozen)
    path: Path = ()

    @property
    def network(self) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
        """The subnet as an address object (host bits ignored; preflight reports them)."""
        return ipaddress.ip_network(self.subnet, strict=False)

    @property
    def is_ipv6(self) -> bool:
        return self.network.version == 6

    def as_dict(self) -> dict[str, object]:
        """Plain data, as plans, saved plans and fingerprints write a subnet."""
        return {
            "subnet": self.subnet,
            "gateway": self.gateway,
            "ip_range": self.ip_range,
            "aux_addresses": dict(sorted(self.aux_addresses.items())),
        }


@dataclass(frozen=True)
class Network:
    """A Docker macvlan or ipvlan network that the spec owns."""

    name: str
    driver: Driver
    parent: str | None = None
    mode: str | None = None
    flag: str | None = None
    subnets: tuple[Subnet, ...] = ()
    ipv6: bool = False
    internal: bool = False
    labels: Mapping[str, str] = field(default_factory=_frozen)
    options: Mapping[str, str] = field(default_factory=_frozen)
    attachments: AttachmentPolicy = "additive"
    path: Path = ()

    @property
    def effective_mode(self) -> str:
        """The mode Docker will use: the given one, or the driver's default."""
        return self.mode or DEFAULT_MODE[self.driver]

    @property
    def effective_ipv6(self) -> bool:
        """IPv6 is on when asked for, or when any subnet is IPv6 (Docker ignores them otherwise)."""
        return self.ipv6 or any(s.is_ipv6 for s in self.subnets)


@dataclass(frozen=True)
class Attachment:
    """One container's attachment to one network, as the spec wants it.

    ``mac_address`` and ``aliases`` are None when the spec does not give them: vlanspec then
    leaves them as they are (and, for aliases, need not read them at all: the lists lack them,
    so each read costs a container inspect). ``aliases: []`` means "no aliases".
    """

    container: str
    network: str
    ipv4_address: str | None = None
    ipv6_address: str | None = None
    mac_address: str | None = None
    aliases: tuple[str, ...] | None = None
    path: Path = ()

    @property
    def is_static(self) -> bool:
        """Static attachments go first, so no dynamic address takes one they need."""
        return self.ipv4_address is not None or self.ipv6_address is not None


@dataclass(frozen=True)
class SourceMap:
    """Where each node of a YAML document stands: its value, and its key for mapping entries."""

    file: str
    values: Mapping[Path, Location] = field(default_factory=dict)
    keys: Mapping[Path, Location] = field(default_factory=dict)

    def value(self, path: Path) -> Location:
        """The location of the value at ``path``, or of its nearest ancestor that has one."""
        return self._nearest(self.values, path)

    def key(self, path: Path) -> Location:
        """The location of the key of the entry at ``path`` (falls back to its value)."""
        if path in self.keys:
            return self.keys[path]
        return self.value(path)

    def _nearest(self, table: Mapping[Path, Location], path: Path) -> Location:
        for end in range(len(path), -1, -1):
            found = table.get(path[:end])
            if found is not None:
                return found
        return Location(self.file, 1, 1)


@dataclass(frozen=True)
class Spec:
    """A whole spec: the networks it owns and the attachments it wants."""

    name: str
    networks: tuple[Network, ...]
    attachments: tuple[Attachment, ...]
    source: SourceMap
    version: int = 1

    @property
    def file(self) -> str:
        return self.source.file

    def network(self, name: str) -> Network | None:
        return self._networks_by_name.get(name)

    @property
    def containers(self) -> tuple[str, ...]:
        """Names of the containers the spec mentions, sorted."""
        return tuple(sorted(self._by_container))

    def attachments_of(self, network: str) -> tuple[Attachment, ...]:
        return self._by_network.get(network, ())

    def attachments_for(self, container: str) -> tuple[Attachment, ...]:
        return self._by_container.get(container, ())

    # Indexes, built once on first use: planning a large spec looks things up thousands of times.
    # (cached_property writes the instance __dict__ directly, so it works on a frozen dataclass.)

    @cached_property
    def _networks_by_name(self) -> dict[str, Network]:
        return {n.name: n for n in self.networks}

    @cached_property
    def _by_network(self) -> dict[str, tuple[Attachment, ...]]:
        return _group(self.attachments, lambda a: a.network)

    @cached_property
    def _by_container(self) -> dict[str, tuple[Attachment, ...]]:
        return _group(self.attachments, lambda a: a.container)

    def locate(self, path: Path) -> Location:
        """Where in the file the value at ``path`` is written."""
        return self.source.value(path)

    def locate_key(self, path: Path) -> Location:
        """Where in the file the key of the entry at ``path`` is written."""
        return self.source.key(path)


def _group(
    attachments: Iterable[Attachment], key: Callable[[Attachment], str]
) -> dict[str, tuple[Attachment, ...]]:
    groups: dict[str, list[Attachment]] = {}
    for attachment in attachments:
        groups.setdefault(key(attachment), []).append(attachment)
    return {k: tuple(v) for k, v in groups.items()}
