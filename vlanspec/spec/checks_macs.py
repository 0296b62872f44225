"""Checks of the MAC addresses attachments ask for.

The schema already refuses text that is no MAC. What is left needs meaning: the kernel refuses a
multicast or all-zero MAC on an interface; two containers with one MAC on one parent (one
Ethernet segment) break each other's traffic; ipvlan has no MACs of its own; and a universally
administered MAC may belong to a real device somewhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from vlanspec.diagnostics import Diagnostic, Location
from vlanspec.spec.checks_common import Placed, by_name, by_network, mention
from vlanspec.spec.model import Attachment, Spec

LOCAL_HINT = (
    "use a locally administered unicast MAC: second hex digit 2, 6, A or E (like 02:00:00:00:00:01)"
)


def check_macs(spec: Spec) -> Iterator[Diagnostic]:
    """Each MAC in ``spec`` on its own, then MACs used twice on one parent."""
    networks = by_name(spec)
    for att in spec.attachments:
        network = networks.get(att.network)
        if att.mac_address is None or network is None:
            continue
        where = spec.locate((*att.path, "mac_address"))
        if network.driver == "ipvlan":
            yield Diagnostic.error(
                "mac.ipvlan",
                f"'{att.network}' is an ipvlan network: its containers share the parent's MAC, "
                "so 'mac_address' cannot be set",
                spec.locate_key((*att.path, "mac_address")),
                "remove 'mac_address', or use a macvlan network to give a container its own MAC",
            )
            continue
        yield from _one_mac(att.mac_address, where)
    yield from duplicate_macs(Placed(spec, n) for n in spec.networks)


def _one_mac(mac: str, where: Location) -> Iterator[Diagnostic]:
    first = int(mac.split(":")[0], 16)
    if all(int(part, 16) == 0 for part in mac.split(":")):
        yield Diagnostic.error(
            "mac.zero", f"MAC {mac} is all zeros, which no interface can have", where, LOCAL_HINT
        )
    elif first & 1:
        yield Diagnostic.error(
            "mac.multicast",
            f"MAC {mac} is a multicast address (the first octet is odd); an interface needs a "
            "unicast one",
            where,
            LOCAL_HINT,
        )
    elif not first & 2:
        yield Diagnostic.warning(
            "mac.not-local",
            f"MAC {mac} is not locally administered: it may belong to a real device's vendor "
            "range and clash with it",
            where,
            LOCAL_HINT,
        )


def duplicate_macs(
    networks: Iterable[Placed], *, only_across_specs: bool = False
) -> Iterator[Diagnostic]:
    """One MAC on two macvlan attachments of one parent: one Ethernet segment, two owners.

    Networks without a parent each get a dummy link of their own, so they are one segment
    each. With ``only_across_specs``, pairs inside one spec are skipped (its own check saw them).
    """
    seen: dict[tuple[str, str], tuple[Spec, Attachment, Location]] = {}
    ordered: list[tuple[Spec, Attachment, Location, str]] = []
    grouped: dict[int, dict[str, list[Attachment]]] = {}
    for here in networks:
        if here.network.driver != "macvlan":
            continue
        segment = here.network.parent or f"dummy of {here.name}@{here.spec.file}"
        if id(here.spec) not in grouped:
            grouped[id(here.spec)] = by_network(here.spec)
        attachments = grouped[id(here.spec)]
        for att in attachments.get(here.name, ()):
            if att.mac_address is not None:
                where = here.spec.locate((*att.path, "mac_address"))
                ordered.append((here.spec, att, where, segment))
    ordered.sort(key=lambda item: (item[2].file, item[2].line, item[2].column))
    for spec, att, where, segment in ordered:
        key = (segment, att.mac_address or "")
        if key not in seen:
            seen[key] = (spec, att, where)
            continue
        other_spec, other, there = seen[key]
        if only_across_specs and other_spec is spec:
            continue
        on = f"parent {segment}" if not segment.startswith("dummy of") else "one network"
        yield Diagnostic.error(
            "mac.duplicate",
            f"MAC {att.mac_address} of container '{att.container}' on network '{att.network}' is "
            f"also given to container '{other.container}' on network '{other.network}' "
            f"({mention(there, where)}), on {on}",
            where,
            "every container on one parent needs a MAC of its own",
        )
