"""Checks of a spec against a live engine, made before planning, so nothing half-applies.

Docker finds these only while applying, after earlier steps changed the host: a pool another
network holds, a parent it refuses to share, a feature the engine version lacks, a parent
interface that is not there. Pure, like the rest of :mod:`vlanspec.plan`: the caller reads the
live state and the host's interfaces (:func:`vlanspec.engine.host_interfaces`) and passes them in.

Live networks that this spec owns (label ``io.vlanspec.spec=<name>``) do not count as obstacles:
the plan replaces or deletes each of them before it creates anything. Nor does a live network
count against the spec network of its own name: the plan reports that as a conflict and creates
nothing in its place (or, adopted, replaces it); against the spec's other networks it counts.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence, Set

from vlanspec.diagnostics import Diagnostic, sorted_diagnostics
from vlanspec.engine.capabilities import Capabilities, capabilities
from vlanspec.plan.diff import unconnectable
from vlanspec.plan.ownership import owned_by
from vlanspec.spec.checks_common import Placed, as_network, by_name, mention, placed
from vlanspec.spec.checks_parents import parent_conflict
from vlanspec.spec.checks_subnets import ranges_keep_apart
from vlanspec.spec.model import DEFAULT_MODE, MODE_OPTION, Network, Spec, Subnet
from vlanspec.state import LiveNetwork, LiveState

#: Drivers whose networks hold a parent interface.
PARENT_DRIVERS = frozenset(DEFAULT_MODE)
#: What :func:`~vlanspec.engine.capabilities.parse_version` makes of a version without numbers.
UNKNOWN_VERSION = (0, 0, 0)


def live_checks(
    spec: Spec, live: LiveState, interfaces: Set[str] | None = None
) -> list[Diagnostic]:
    """Every problem between ``spec`` and ``live`` that would make applying fail.

    ``interfaces`` are the host's interface names when the engine is local, None when it is
    remote (then no interface can be checked). An empty set counts as unknown too: every Linux
    host has ``lo``, so an empty set means the host's interfaces could not be read (an engine in
    a VM, as Docker Desktop runs it), not that the parents are missing.
    """
    caps = capabilities(live.engine.version)
    others = [n for n in live.networks if not owned_by(n, spec.name)]
    found = [*_overlaps(spec, others), *_parents_in_use(spec, others, caps)]
    if caps.version != UNKNOWN_VERSION:  # a development build: do not guess what it lacks
        found.extend(_shared_in_spec(placed([spec]), caps))
        found.extend(_engine_features(spec, caps))
        found.extend(_macs_on_connect(spec, live, caps))
        found.extend(_l3_beside_default_route(spec, live, caps))
    if interfaces:
        found.extend(_missing_parents(spec, interfaces))
    return sorted_diagnostics(found)


def _overlaps(spec: Spec, others: Sequence[LiveNetwork]) -> Iterator[Diagnostic]:
    """A spec subnet that overlaps a pool of a network on the engine (bridges included)."""
    for network in spec.networks:
        for subnet in network.subnets:
            mine = as_network(subnet.subnet)
            if mine is None:
                continue
            for other in others:
                if other.name == network.name:
                    continue
                for pool in other.subnets:
                    theirs = as_network(pool.subnet)
                    if theirs is None or theirs.version != mine.version:
                        continue
                    if mine.overlaps(theirs):
                        yield _overlap(spec, network, subnet, other, pool)


def _overlap(
    spec: Spec, network: Network, subnet: Subnet, other: LiveNetwork, pool: Subnet
) -> Diagnostic:
    where = spec.locate((*subnet.path, "subnet"))
    message = (
        f"subnet {subnet.subnet} of network '{network.name}' overlaps {pool.subnet} of "
        f"network '{other.name}' ({other.driver}), which exists on the engine and is not "
        "this spec's"
    )
    if other.scope != "local":
        return Diagnostic.warning(
            "live.subnet-overlap",
            f"{message}; Docker allows it across scopes, but routing between them breaks",
            where,
            "use a subnet that no other network on this host or swarm uses",
        )
    if ranges_keep_apart(subnet, pool):
        return Diagnostic.warning(
            "live.subnet-overlap",
            f"{message}; both have an ip_range, so Docker may accept it",
            where,
            "keep the ip_ranges and static addresses of the two networks apart",
        )
    return Diagnostic.error(
        "live.subnet-overlap",
        message,
        where,
        "Docker refuses a pool that overlaps another network's ('Pool overlaps with other one "
        f"on this address space'); choose a free subnet, or remove '{other.name}' if it is "
        "no longer used",
    )


def _live_mode(network: LiveNetwork) -> str:
    option = MODE_OPTION.get(network.driver, "")
    return network.options.get(option) or DEFAULT_MODE.get(network.driver, "")


def _parents_in_use(
    spec: Spec, others: Sequence[LiveNetwork], caps: Capabilities
) -> Iterator[Diagnostic]:
    """A spec parent that a network outside the spec already uses, where that cannot work."""
    for network in spec.networks:
        if network.parent is None:
            continue
        for other in others:
            if other.name == network.name or other.driver not in PARENT_DRIVERS:
                continue
            if other.parent != network.parent:
                continue
            mine = (network.driver, network.effective_mode)
            conflict = parent_conflict((other.driver, _live_mode(other)), mine)
            if conflict is not None:
                reason, hint = conflict[1], conflict[2]
            elif not caps.shared_macvlan_parent and caps.version != UNKNOWN_VERSION:
                reason = _old_engine_sharing(caps)
                hint = "use another parent (a VLAN sub-interface counts), or upgrade the engine"
            else:
                continue
            yield Diagnostic.error(
                "live.parent-in-use",
                f"parent {network.parent} of network '{network.name}' is already used by "
                f"network '{other.name}' ({other.driver} {_live_mode(other)}) on the engine: "
                f"{reason}",
                spec.locate((*network.path, "parent")),
                hint,
            )


def _old_engine_sharing(caps: Capabilities) -> str:
    version = caps.version_text
    return (
        f"Docker Engine {version} refuses a second macvlan network on one parent "
        "(engines allow it from 27.0.1)"
    )


def _shared_in_spec(networks: Sequence[Placed], caps: Capabilities) -> Iterator[Diagnostic]:
    """Macvlan networks of the spec sharing a parent, on an engine that refuses that.

    Each is reported against the first macvlan network on its parent. Mixes that no engine
    allows were reported offline (:mod:`vlanspec.spec.checks_parents`).
    """
    if caps.shared_macvlan_parent:
        return
    first_on: dict[str, Placed] = {}
    for here in networks:
        network = here.network
        if network.parent is None or network.driver != "macvlan":
            continue
        first = first_on.setdefault(network.parent, here)
        if first is here or "passthru" in (network.effective_mode, first.network.effective_mode):
            continue
        where = here.at("parent")
        yield Diagnostic.error(
            "engine.shared-parent",
            f"networks '{first.name}' ({mention(first.at('parent'), where)}) and "
            f"'{network.name}' both use parent {network.parent}: {_old_engine_sharing(caps)}",
            where,
            "use one network with several subnets, different parents (VLAN sub-interfaces "
            "count), or upgrade the engine to 27.0.1 or newer",
        )


def _engine_features(spec: Spec, caps: Capabilities) -> Iterator[Diagnostic]:
    """ipvlan's flag and mode l3s, which engines before 23.0 do not know."""
    if caps.ipvlan_flag:
        return
    version = caps.version_text
    for network in spec.networks:
        if network.flag is not None:
            yield Diagnostic.error(
                "engine.ipvlan-flag",
                f"Docker Engine {version} has no ipvlan flag (it came in 23.0)",
                spec.locate((*network.path, "flag")),
                "remove 'flag' (this engine behaves as flag bridge), or upgrade the engine "
                "to 23.0 or newer",
            )
        if network.mode == "l3s":
            yield Diagnostic.error(
                "engine.ipvlan-l3s",
                f"Docker Engine {version} has no ipvlan mode l3s (it came in 23.0)",
                spec.locate((*network.path, "mode")),
                "use mode l3, or upgrade the engine to 23.0 or newer",
            )


def _macs_on_connect(spec: Spec, live: LiveState, caps: Capabilities) -> Iterator[Diagnostic]:
    """MACs the engine will not set: before 29.3 a MAC given on connect is ignored.

    An attachment whose container already has that MAC on that network needs no connect, so
    it is not reported.
    """
    if caps.mac_on_connect:
        return
    version = caps.version_text
    has = {(e.container, e.network): (e.mac_address or "").lower() for e in live.endpoints}
    networks = by_name(spec)
    for att in spec.attachments:
        network = networks.get(att.network)
        if att.mac_address is None or network is None or network.driver != "macvlan":
            continue
        if has.get((att.container, att.network)) == att.mac_address.lower():
            continue
        yield Diagnostic.warning(
            "engine.mac-on-connect",
            f"Docker Engine {version} ignores a MAC address given on connect (it is honoured "
            f"from 29.3): container '{att.container}' would get another MAC than "
            f"{att.mac_address} on '{att.network}'",
            spec.locate((*att.path, "mac_address")),
            "upgrade the engine to 29.3 or newer, or create the container with this MAC on "
            f"this network (docker run --network {att.network} --mac-address "
            f"{att.mac_address}); vlanspec then finds it in place and leaves it",
        )


def _l3_beside_default_route(
    spec: Spec, live: LiveState, caps: Capabilities
) -> Iterator[Diagnostic]:
    """Connects to a non-internal ipvlan l3/l3s network that engines before 28.0 fail.

    The L3 driver gives the container a connected default route; when another non-internal
    network already gave it one, the kernel refuses the second and the connect fails half-way
    through an apply (``routes to ["0.0.0.0/0"]: file exists``, moby#48576, fixed in 28.0).
    The other networks are the container's other attachments in the spec and its live endpoints
    (a network the spec declares judged by the spec). An attachment already in place needs no
    connect; a container Docker cannot connect at all gets the planner's note instead.
    """
    if caps.l3_ipvlan_beside_default_route:
        return
    version = caps.version_text
    networks = by_name(spec)
    containers = {c.name: c for c in live.containers}
    live_on = _live_attachments(live)
    for att in spec.attachments:
        network = networks.get(att.network)
        if network is None or network.driver != "ipvlan" or not _routes(network):
            continue
        container = containers.get(att.container)
        here = live_on.get(att.container, set())
        if network.effective_mode not in ("l3", "l3s") or att.network in here:
            continue
        if container is None or unconnectable(container):
            continue
        candidates = here | {a.network for a in spec.attachments_for(att.container)}
        others = sorted(
            name
            for name in candidates - {att.network}
            if _routes(networks.get(name) or live.network(name))
        )
        if not others:
            continue
        names = ", ".join(f"'{name}'" for name in others)
        yield Diagnostic.error(
            "engine.ipvlan-l3-default-route",
            f"container '{att.container}' cannot join ipvlan {network.effective_mode} network "
            f"'{att.network}' on Docker Engine {version}: it gets a default route through "
            f"{names}, and engines before 28.0 then fail the connect with 'file exists' "
            "(moby#48576)",
            spec.locate_key(att.path),
            f"make one of the networks 'internal: true', or disconnect the container from "
            f"{names}, or upgrade the engine to 28.0 or newer",
        )


def _live_attachments(live: LiveState) -> dict[str, set[str]]:
    """The networks each container is on, by name: only endpoints whose network exists, matched
    by id like the planner does (20.10 keeps an endpoint of a failed connect after its network
    is gone)."""
    by_id = {n.id: n for n in live.networks}
    found: dict[str, set[str]] = {}
    for endpoint in live.endpoints:
        network = by_id.get(endpoint.network_id) or live.network(endpoint.network)
        if network is not None and endpoint.is_on(network):
            found.setdefault(endpoint.container, set()).add(network.name)
    return found


def _routes(network: Network | LiveNetwork | None) -> bool:
    """Whether a network gives its containers a default route: any that is not internal
    (before 28.0 the engine gives every other network a gateway). Without a parent a spec
    network is internal, as :mod:`vlanspec.plan.normalize` has it."""
    if isinstance(network, Network):
        return not (network.internal or network.parent is None)
    return network is not None and not network.internal


def _missing_parents(spec: Spec, interfaces: Set[str]) -> Iterator[Diagnostic]:
    """Parents that are not on this host, or VLAN parents whose base interface is not.

    Docker uses an interface of the parent's name when one exists; otherwise it reads
    ``base.N`` (exactly one dot) as VLAN N on ``base`` and creates that link, which needs
    ``base``.
    """
    for network in spec.networks:
        parent = network.parent
        if parent is None or parent in interfaces:
            continue
        where = spec.locate((*network.path, "parent"))
        parts = parent.split(".")
        if len(parts) == 2 and parts[0] and parts[1].isdigit():
            if parts[0] in interfaces:
                continue
            message = (
                f"interface {parts[0]}, on which Docker would create VLAN parent {parent}, "
                "does not exist on this host"
            )
            looked_for = parts[0]
        elif "." in parent:
            message = (
                f"parent {parent} does not exist on this host, and Docker cannot create it: a "
                "VLAN sub-interface is written as interface.vlan_id, like eth0.20"
            )
            looked_for = parent
        else:
            message = f"parent {parent} does not exist on this host"
            looked_for = parent
        yield Diagnostic.error(
            "live.parent-missing", message, where, _similar(looked_for, interfaces)
        )


def _similar(name: str, interfaces: Set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(interfaces), n=5, cutoff=0.5)
    if close:
        return "did you mean " + " or ".join(close) + "?"
    listed = sorted(interfaces)
    more = f" and {len(listed) - 12} more" if len(listed) > 12 else ""
    return "interfaces on this host: " + ", ".join(listed[:12]) + more
