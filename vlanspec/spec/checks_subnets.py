"""Checks of each network's IPAM pools, and of pools that collide between networks.

Docker checks most of this too, but only while creating the network, half way through an apply,
and in words like ``Pool overlaps with other one on this address space``. Here each problem is
found before anything changes and placed at the value to fix.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence

from vlanspec.diagnostics import Diagnostic, Location
from vlanspec.spec.checks_common import (
    IPAddress,
    IPNetwork,
    Placed,
    as_address,
    as_network,
    contains,
    mention,
    reserved,
)
from vlanspec.spec.model import Spec, Subnet
from vlanspec.spec.overlaps import Pool, first_overlaps


def check_subnets(spec: Spec) -> Iterator[Diagnostic]:
    """Every problem inside the subnets of each network of ``spec``."""
    for network in spec.networks:
        here = Placed(spec, network)
        yield from _ipv6_switched_off(here)
        for index, subnet in enumerate(network.subnets):
            yield from _one_subnet(here, index, subnet)
        yield from _overlaps_within(here)


def overlapping_networks(networks: Sequence[Placed], *, across_specs: bool) -> Iterator[Diagnostic]:
    """Subnets of different networks that overlap, each reported once, at the later one.

    Docker refuses a pool that overlaps another network's (an error when neither has an
    ``ip_range``, or when their ranges overlap too). With ranges it may accept one subnet on two
    networks, which is how macvlan networks on several hosts share a LAN: a warning then. So
    error pairs are looked for first, and a subnet with none gets at most a warning.

    Within one spec every pair of networks counts; ``across_specs`` only pairs from different
    specs, and not two declarations of one network name (reported as a network declared twice).
    """
    pools = [
        Pool(
            net,
            placed.spec.locate((*subnet.path, "subnet")),
            _owner(placed, across_specs),
            (placed, subnet),
        )
        for placed in networks
        for subnet in placed.network.subnets
        if (net := as_network(subnet.subnet)) is not None
    ]
    reported: set[Location] = set()
    without_range = [p for p in pools if p.item[1].ip_range is None]
    by_range = [
        Pool(net, p.order, p.key, p.item)
        for p in pools
        if p.item[1].ip_range is not None and (net := as_network(p.item[1].ip_range)) is not None
    ]
    for candidates, refused in ((without_range, True), (by_range, True), (pools, False)):
        for earlier, later in first_overlaps(candidates):
            if later.order in reported or earlier.item[0].name == later.item[0].name:
                continue
            reported.add(later.order)
            yield _network_overlap(earlier.item, later.item, later.order, refused=refused)


def _owner(placed: Placed, across_specs: bool) -> object:
    return placed.spec.file if across_specs else placed.name


def _network_overlap(
    earlier: tuple[Placed, Subnet], later: tuple[Placed, Subnet], where: Location, *, refused: bool
) -> Diagnostic:
    """The diagnostic for one overlap: an error when Docker refuses it (``refused``, or no
    ip_range keeps the two apart), a warning when it may accept it."""
    (first, one), (second, other) = earlier, later
    there = first.spec.locate((*one.path, "subnet"))
    message = (
        f"subnet {as_network(other.subnet)} of network '{second.name}' overlaps subnet "
        f"{as_network(one.subnet)} of network '{first.name}' ({mention(there, where)})"
    )
    if not refused and ranges_keep_apart(one, other):
        return Diagnostic.warning(
            "address.network-overlap",
            message,
            where,
            "with an ip_range Docker may accept this; keep the dynamic and static "
            "addresses of the two networks apart, or use disjoint subnets",
        )
    return Diagnostic.error(
        "address.network-overlap",
        message,
        where,
        "Docker refuses a pool that overlaps another network's; use disjoint "
        "subnets (or give both networks disjoint ip_ranges of one shared subnet)",
    )


def ranges_keep_apart(one: Subnet, other: Subnet) -> bool:
    """Whether an ip_range may keep two overlapping pools' dynamic addresses apart.

    Docker refuses overlapping pools when neither has an ``ip_range``; with ranges it may accept
    them, unless both ranges overlap too (then both networks hand out the same addresses).
    """
    if one.ip_range is None and other.ip_range is None:
        return False
    if one.ip_range is None or other.ip_range is None:
        return True
    a, b = as_network(one.ip_range), as_network(other.ip_range)
    return a is not None and b is not None and not (a.version == b.version and a.overlaps(b))


def _ipv6_switched_off(here: Placed) -> Iterator[Diagnostic]:
    """``ipv6: false`` next to an IPv6 subnet: the spec says two things at once."""
    network = here.network
    written = (*network.path, "ipv6") in here.spec.source.values
    if network.ipv6 or not written:
        return
    for subnet in network.subnets:
        if subnet.is_ipv6:
            yield Diagnostic.error(
                "address.ipv6-off",
                f"network '{network.name}' says 'ipv6: false' but lists IPv6 subnet "
                f"{subnet.subnet}",
                here.at("ipv6"),
                "remove 'ipv6: false' (an IPv6 subnet turns IPv6 on), or remove the IPv6 subnet",
            )
            return


def _one_subnet(here: Placed, index: int, subnet: Subnet) -> Iterator[Diagnostic]:
    network = as_network(subnet.subnet)
    if network is None:  # the schema already said so
        return
    path = ("subnets", index)
    yield from _host_bits("subnet", subnet.subnet, here.at(*path, "subnet"))
    gateway = as_address(subnet.gateway) if subnet.gateway else None
    if gateway is not None:
        yield from _gateway(network, gateway, here.at(*path, "gateway"))
    if subnet.ip_range is not None:
        yield from _ip_range(network, subnet.ip_range, here.at(*path, "ip_range"))
    yield from _aux_addresses(here, index, subnet, network, gateway)


def _host_bits(field: str, cidr: str, where: Location) -> Iterator[Diagnostic]:
    try:
        ipaddress.ip_network(cidr, strict=True)
    except ValueError:
        meant = as_network(cidr)
        if meant is None:
            return
        yield Diagnostic.error(
            "address.host-bits",
            f"{field} {cidr} is not a network address: its host bits are set",
            where,
            f"did you mean {meant}?",
        )


def _first_host(network: IPNetwork) -> str:
    return str(next(iter(network.hosts()), network.network_address))


def _gateway(network: IPNetwork, gateway: IPAddress, where: Location) -> Iterator[Diagnostic]:
    if not contains(network, gateway):
        yield Diagnostic.error(
            "address.gateway-outside",
            f"gateway {gateway} is outside subnet {network}",
            where,
            f"use an address inside {network}, such as {_first_host(network)}",
        )
        return
    what = reserved(network).get(gateway)
    if what is not None:
        yield Diagnostic.error(
            "address.gateway-reserved",
            f"gateway {gateway} is the {what} of subnet {network}",
            where,
            f"use a host address of the subnet, such as {_first_host(network)}",
        )


def _ip_range(network: IPNetwork, text: str, where: Location) -> Iterator[Diagnostic]:
    yield from _host_bits("ip_range", text, where)
    ip_range = as_network(text)
    if ip_range is None:
        return
    if ip_range.version != network.version or not ip_range.subnet_of(network):  # type: ignore[arg-type]
        halves = list(network.subnets()) if network.prefixlen < network.max_prefixlen else []
        example = f", such as {halves[-1]}" if halves else ""
        yield Diagnostic.error(
            "address.ip-range-outside",
            f"ip_range {ip_range} is not inside subnet {network}",
            where,
            f"choose a range inside the subnet{example}",
        )


def _aux_addresses(
    here: Placed, index: int, subnet: Subnet, network: IPNetwork, gateway: IPAddress | None
) -> Iterator[Diagnostic]:
    """Aux addresses inside the subnet, and none reserved twice.

    Docker reserves each one in the pool; reserving an address that is taken (the gateway,
    another aux address, the network or broadcast address) fails the create, but only when the
    address lies in the ``ip_range``: outside it the reservation is silently skipped.
    """
    ip_range = as_network(subnet.ip_range) if subnet.ip_range else network
    seen: dict[IPAddress, str] = {}
    written = sorted(
        subnet.aux_addresses.items(),
        key=lambda item: here.at("subnets", index, "aux_addresses", item[0]),
    )
    for name, text in written:
        address = as_address(text)
        if address is None:
            continue
        where = here.at("subnets", index, "aux_addresses", name)
        if not contains(network, address):
            yield Diagnostic.error(
                "address.aux-outside",
                f"aux address '{name}' ({address}) is outside subnet {network}",
                where,
                "aux addresses reserve addresses of the subnet; use one inside it, or remove it",
            )
            continue
        taken = reserved(network).get(address)
        if taken is None and address == gateway:
            taken = "gateway"
        if taken is None and address in seen:
            taken = f"aux address '{seen[address]}' too"
        seen.setdefault(address, name)
        if taken is None:
            continue
        message = f"aux address '{name}' ({address}) is the {taken}"
        hint = "remove it, or reserve a different address"
        if ip_range is not None and contains(ip_range, address):
            yield Diagnostic.error("address.aux-taken", message, where, hint)
        else:
            yield Diagnostic.warning(
                "address.aux-taken", f"{message}; it has no effect", where, hint
            )


def _overlaps_within(here: Placed) -> Iterator[Diagnostic]:
    pools = [
        Pool(net, here.at("subnets", index, "subnet"), index, index)
        for index, subnet in enumerate(here.network.subnets)
        if (net := as_network(subnet.subnet)) is not None
    ]
    for earlier, later in first_overlaps(pools):
        yield Diagnostic.error(
            "address.subnet-overlap",
            f"subnet {later.net} overlaps subnet {earlier.net} of the same network "
            f"({mention(earlier.order, later.order)})",
            later.order,
            "the subnets of one network must not overlap; remove or shrink one of them",
        )
