"""Checks of parent interfaces: their names, and networks that cannot share one.

What the kernel and Docker allow on one parent, whatever the engine version: one ipvlan network
(Docker refuses a second), and never ipvlan next to macvlan (Docker creates both, then the
kernel fails the second kind of link); all ipvlan links of a parent share one mode; a macvlan in
``passthru`` mode owns its parent alone. Several macvlan networks on one parent depend on the
engine version, so that is a live check (see :mod:`vlanspec.plan.preflight`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from vlanspec.diagnostics import Diagnostic
from vlanspec.spec.checks_common import Placed, mention
from vlanspec.spec.model import Spec

VLAN_IDS = range(1, 4095)
#: ipvlan modes in which the host routes: there is no gateway to give.
ROUTED_MODES = frozenset({"l3", "l3s"})


def check_parents(spec: Spec) -> Iterator[Diagnostic]:
    """Each network's parent name, and gateways that routed ipvlan ignores."""
    for network in spec.networks:
        here = Placed(spec, network)
        yield from _parent_name(here)
        if network.driver == "ipvlan" and network.effective_mode in ROUTED_MODES:
            for index, subnet in enumerate(network.subnets):
                if subnet.gateway is not None:
                    yield Diagnostic.warning(
                        "parent.l3-gateway",
                        f"network '{network.name}' is ipvlan {network.effective_mode}: the host "
                        f"routes for it, so gateway {subnet.gateway} is ignored",
                        here.at("subnets", index, "gateway"),
                        "remove the gateway (containers route through the parent), or use "
                        "mode l2 to have one",
                    )


def _parent_name(here: Placed) -> Iterator[Diagnostic]:
    """Names the kernel refuses, and VLAN sub-interfaces Docker cannot create.

    ``base.N`` with digits after the last dot is a VLAN sub-interface when no interface of that
    name exists: Docker creates it, for ids 1 to 4094. Other dotted names (``br.lan``) can only
    be existing interfaces; whether they exist is a live check.
    """
    parent = here.network.parent
    if parent is None:
        return
    where = here.at("parent")
    if parent in (".", ".."):
        yield Diagnostic.error(
            "parent.name",
            f"'{parent}' is not a valid interface name",
            where,
            "name the host interface, like eth0, or eth0.20 for VLAN 20",
        )
        return
    base, dot, vid = parent.rpartition(".")
    if not dot:
        return
    if not base or not vid:
        yield Diagnostic.error(
            "parent.vlan-name",
            f"'{parent}' is not a valid VLAN sub-interface name",
            where,
            "write the interface, a dot and the VLAN id, like eth0.20",
        )
    elif vid.isdigit() and int(vid) not in VLAN_IDS:
        yield Diagnostic.error(
            "parent.vlan-id",
            f"VLAN id {int(vid)} of parent '{parent}' is out of range: VLAN ids go from 1 to 4094",
            where,
            f"use a VLAN id between 1 and 4094, like {base}.20",
        )


def shared_parents(networks: Sequence[Placed], *, across_specs: bool) -> Iterator[Diagnostic]:
    """Networks on one parent that can never work together, each reported once, at the later.

    ``networks`` come in file order. Per parent, the earliest networks of each kind are kept
    (any, ipvlan, passthru), which is all it takes to find the earliest conflicting one: an
    ipvlan or passthru network conflicts with anything before it, any other macvlan with an
    ipvlan or passthru network before it. Within a spec every other network counts; with
    ``across_specs`` only those of other specs, and not a network of the same name (reported as
    declared twice). Two per kind with different owners are enough to always find one.
    """

    def owner(placed: Placed) -> str:
        return placed.spec.file if across_specs else placed.name

    seen: dict[str, dict[str, list[Placed]]] = defaultdict(lambda: defaultdict(list))
    for here in networks:
        if here.network.parent is None:
            continue
        kinds = seen[here.network.parent]
        ipvlan = here.network.driver == "ipvlan"
        passthru = here.network.effective_mode == "passthru"
        looked_at = ["any"] if ipvlan or passthru else ["ipvlan", "passthru"]
        candidates = [
            earlier
            for kind in looked_at
            for earlier in kinds[kind]
            if owner(earlier) != owner(here) and earlier.name != here.name
        ]
        if candidates:
            yield from _conflict(min(candidates, key=Placed.order), here)
        for kind, applies in (("any", True), ("ipvlan", ipvlan), ("passthru", passthru)):
            known = kinds[kind]
            if applies and len(known) < 2 and all(owner(k) != owner(here) for k in known):
                known.append(here)


def _conflict(first: Placed, second: Placed) -> Iterator[Diagnostic]:
    a, b = first.network, second.network
    conflict = parent_conflict((a.driver, a.effective_mode), (b.driver, b.effective_mode))
    if conflict is None:
        return
    code, reason, hint = conflict
    where = second.at("parent")
    there = mention(first.at("parent"), where)
    yield Diagnostic.error(
        f"parent.{code}",
        f"networks '{a.name}' ({there}) and '{b.name}' both use parent {b.parent}: {reason}",
        where,
        hint,
    )


def parent_conflict(first: tuple[str, str], second: tuple[str, str]) -> tuple[str, str, str] | None:
    """Why two networks, as (driver, mode), cannot share a parent on any engine, or None.

    Returns a code suffix, the reason and a hint. The live checks use it too, against networks
    that already exist on the engine.
    """
    (driver_a, mode_a), (driver_b, mode_b) = first, second
    if driver_a != driver_b:
        return (
            "mixed-drivers",
            "one is macvlan and the other ipvlan, and the kernel does not allow both kinds of "
            "link on one parent",
            "put them on different parents (each VLAN sub-interface, such as eth0.20, is a "
            "parent of its own)",
        )
    if driver_a == "ipvlan" and mode_a != mode_b:
        return (
            "ipvlan-modes",
            f"as ipvlan {mode_a} and {mode_b}, but the kernel gives all ipvlan links of a "
            "parent one mode",
            "use one network with several subnets, or different parents",
        )
    if driver_a == "ipvlan":
        return (
            "ipvlan-shared",
            "Docker allows one ipvlan network per parent",
            "merge them into one network with several subnets, or use different parents "
            "(such as VLAN sub-interfaces eth0.10 and eth0.20)",
        )
    if "passthru" in (mode_a, mode_b):
        return (
            "passthru-shared",
            "a macvlan in passthru mode takes its parent for itself",
            "give the passthru network a parent of its own",
        )
    return None
