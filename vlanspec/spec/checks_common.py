"""What the semantic checks share: addresses as objects, and networks that know their spec.

Checks that compare two networks (overlapping subnets, a shared parent, one MAC twice) run both
inside one spec and across the specs of a directory. A :class:`Placed` network carries its spec,
so the same check can locate either side and say where the other one is written.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from vlanspec.diagnostics import Location
from vlanspec.spec.model import Attachment, Network, Spec

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def as_network(cidr: str) -> IPNetwork | None:
    """The network a CIDR names, host bits ignored; None for text that is no CIDR."""
    try:
        return ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return None


def as_address(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def contains(network: IPNetwork, address: IPAddress) -> bool:
    """Whether ``address`` lies in ``network``; False across IPv4 and IPv6."""
    return network.version == address.version and address in network


def reserved(network: IPNetwork) -> dict[IPAddress, str]:
    """Addresses of ``network`` that no gateway or container may take.

    IPv4 keeps its network and broadcast addresses (except /31 and /32, which have none, as in
    RFC 3021). IPv6 has no broadcast, and Docker hands out its subnet-router address, so none.
    """
    if network.version != 4 or network.prefixlen > 30:
        return {}
    return {
        network.network_address: "network address",
        network.broadcast_address: "broadcast address",
    }


@dataclass(frozen=True)
class Placed:
    """A network together with the spec that declares it."""

    spec: Spec
    network: Network

    @property
    def name(self) -> str:
        return self.network.name

    def at(self, *path: str | int) -> Location:
        """Where the value at ``path`` below this network is written."""
        return self.spec.locate((*self.network.path, *path))

    def key_at(self, *path: str | int) -> Location:
        """Where the key of the entry at ``path`` below this network is written."""
        return self.spec.locate_key((*self.network.path, *path))

    def order(self) -> tuple[str, int, int]:
        where = self.spec.locate_key(self.network.path)
        return (where.file, where.line, where.column)


def placed(specs: Iterable[Spec]) -> list[Placed]:
    """Every network of ``specs`` with its spec, in file order."""
    found = [Placed(spec, network) for spec in specs for network in spec.networks]
    return sorted(found, key=Placed.order)


def by_name(spec: Spec) -> dict[str, Network]:
    """The spec's networks by name (``Spec.network`` searches a list: fine once, not per item)."""
    return {network.name: network for network in spec.networks}


def by_network(spec: Spec) -> dict[str, list[Attachment]]:
    """The spec's attachments grouped by the network they name, in the spec's order."""
    grouped: dict[str, list[Attachment]] = defaultdict(list)
    for attachment in spec.attachments:
        grouped[attachment.network].append(attachment)
    return grouped


def mention(where: Location, seen_from: Location) -> str:
    """``line 12`` in the same file, ``other.yaml:12:5`` in another: short but findable."""
    if where.file == seen_from.file:
        return f"line {where.line}"
    return str(where)
