"""Checks of the containers' attachments: the network they name, and their static addresses.

Docker finds a wrong static address only on connect (``no configured subnet or ip-range contain
the IP address``, ``Address already in use``), one container at a time, when the networks were
already changed. Every such address is checked here against its network's subnets.
"""

from __future__ import annotations

from collections.abc import Iterator

from vlanspec.diagnostics import Diagnostic, Location
from vlanspec.spec.checks_common import (
    IPAddress,
    as_address,
    as_network,
    by_name,
    by_network,
    contains,
    mention,
    reserved,
)
from vlanspec.spec.model import Attachment, Network, Spec


def check_attachments(spec: Spec) -> Iterator[Diagnostic]:
    """Every attachment problem in ``spec``."""
    networks = by_name(spec)
    for network_name, attachments in sorted(by_network(spec).items()):
        network = networks.get(network_name)
        if network is None:
            for att in attachments:
                yield _unknown_network(spec, att)
            continue
        seen: dict[IPAddress, tuple[Attachment, Location]] = {}
        for att in sorted(attachments, key=lambda a: spec.locate(a.path)):
            for field in ("ipv4_address", "ipv6_address"):
                text = getattr(att, field)
                address = as_address(text) if text else None
                if address is None:
                    continue
                where = spec.locate((*att.path, field))
                yield from _address(network, att, field, address, where)
                if address in seen:
                    other, there = seen[address]
                    yield Diagnostic.error(
                        "attachment.address-duplicate",
                        f"container '{att.container}' is given {address} on network "
                        f"'{network.name}', which container '{other.container}' has too "
                        f"({mention(there, where)})",
                        where,
                        "each container needs an address of its own on a network",
                    )
                seen.setdefault(address, (att, where))


def _unknown_network(spec: Spec, att: Attachment) -> Diagnostic:
    declared = ", ".join(n.name for n in spec.networks) or "none"
    return Diagnostic.error(
        "attachment.unknown-network",
        f"container '{att.container}' attaches to network '{att.network}', "
        "which this spec does not declare",
        spec.locate_key(att.path),
        f"declare it under 'networks' (declared: {declared})",
    )


def _address(
    network: Network, att: Attachment, field: str, address: IPAddress, where: Location
) -> Iterator[Diagnostic]:
    """One static address against the subnets of its network; the first problem only."""
    if address.version == 6 and not network.effective_ipv6:
        yield Diagnostic.error(
            "attachment.ipv6-off",
            f"container '{att.container}' is given IPv6 address {address}, but network "
            f"'{network.name}' has no IPv6",
            where,
            "add an IPv6 subnet to the network (that turns IPv6 on), or remove the address",
        )
        return
    pools = [(s, n) for s in network.subnets if (n := as_network(s.subnet)) is not None]
    family = [(s, n) for s, n in pools if n.version == address.version]
    inside = [(s, n) for s, n in family if contains(n, address)]
    if not inside:
        listed = ", ".join(s.subnet for s, _ in family)
        yield Diagnostic.error(
            "attachment.address-outside",
            f"{address} is outside every IPv{address.version} subnet of network "
            f"'{network.name}'" + (f" ({listed})" if listed else " (it declares none)"),
            where,
            "use an address inside one of the network's subnets, or add a subnet that holds it; "
            "remove the address for a dynamic one",
        )
        return
    subnet, pool = inside[0]
    if subnet.gateway and as_address(subnet.gateway) == address:
        yield Diagnostic.error(
            "attachment.address-gateway",
            f"{address} is the gateway of network '{network.name}'",
            where,
            "give the container another address; the gateway belongs to the router",
        )
        return
    aux = [name for name, text in subnet.aux_addresses.items() if as_address(text) == address]
    if aux:
        yield Diagnostic.error(
            "attachment.address-aux",
            f"{address} is reserved as aux address '{aux[0]}' of network '{network.name}'",
            where,
            "aux addresses are kept free for devices outside Docker; use another address",
        )
        return
    what = reserved(pool).get(address)
    if what is not None:
        yield Diagnostic.error(
            "attachment.address-reserved",
            f"{address} is the {what} of subnet {pool}",
            where,
            "use a host address of the subnet",
        )
        return
    ip_range = as_network(subnet.ip_range) if subnet.ip_range else None
    if ip_range is not None and contains(ip_range, address):
        yield Diagnostic.warning(
            "attachment.address-in-range",
            f"{address} lies inside ip_range {ip_range} of network '{network.name}', from which "
            "Docker hands out dynamic addresses",
            where,
            "a container that starts first may get this address dynamically; pick a static "
            "address outside the ip_range",
        )
