"""Turning the engine's raw answers into the live-state model.

Pure functions over the JSON the engine returns, kept apart from the client so that they can be
tested without Docker and so that the number of API calls is decided in one place
(:meth:`vlanspec.engine.engine.Engine.read_live`), not here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from typing import Any

from vlanspec.spec.model import Spec, Subnet
from vlanspec.state import (
    EngineInfo,
    LiveContainer,
    LiveEndpoint,
    LiveNetwork,
    LiveState,
    user_aliases,
)

Raw = Mapping[str, Any]
#: (container id, network name) -> aliases, from container inspect.
AliasTable = Mapping[tuple[str, str], tuple[str, ...]]


def _text(value: object) -> str | None:
    """Engine strings with "" meaning "none" (absent addresses, gateways and ranges)."""
    return str(value) if value else None


def _strings(value: object) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): str(v) for k, v in value.items()}


def parse_subnet(raw: Raw) -> Subnet:
    return Subnet(
        subnet=str(raw.get("Subnet") or ""),
        gateway=_text(raw.get("Gateway")),
        ip_range=_text(raw.get("IPRange")),
        aux_addresses=dict(sorted(_strings(raw.get("AuxiliaryAddresses")).items())),
    )


def parse_network(raw: Raw) -> LiveNetwork:
    """One entry of ``GET /networks``."""
    ipam = raw.get("IPAM") or {}
    pools = ipam.get("Config") or []
    return LiveNetwork(
        id=str(raw.get("Id") or ""),
        name=str(raw.get("Name") or ""),
        driver=str(raw.get("Driver") or ""),
        options=_strings(raw.get("Options")),
        labels=_strings(raw.get("Labels")),
        subnets=tuple(parse_subnet(p) for p in pools if isinstance(p, Mapping) and p.get("Subnet")),
        ipv6=bool(raw.get("EnableIPv6")),
        internal=bool(raw.get("Internal")),
        scope=str(raw.get("Scope") or "local"),
    )


def container_name(raw: Raw) -> str:
    """A container's own name from ``Names`` (legacy links add ``/other/alias`` entries)."""
    names = [str(n) for n in raw.get("Names") or []]
    own = [n for n in names if n.count("/") <= 1]
    return (own or names or [""])[0].lstrip("/")


def parse_container(raw: Raw) -> LiveContainer:
    """One entry of ``GET /containers/json?all=1``."""
    host_config = raw.get("HostConfig") or {}
    return LiveContainer(
        id=str(raw.get("Id") or ""),
        name=container_name(raw),
        running=str(raw.get("State") or "") == "running",
        network_mode=str(host_config.get("NetworkMode") or ""),
    )


def container_networks(raw: Raw) -> Mapping[str, Raw]:
    """``NetworkSettings.Networks`` of a container (list or inspect form): name -> endpoint."""
    settings = raw.get("NetworkSettings") or {}
    networks = settings.get("Networks") or {}
    return {str(k): v for k, v in networks.items() if isinstance(v, Mapping)}


def parse_endpoints(raw: Raw, aliases: AliasTable | None = None) -> list[LiveEndpoint]:
    """Every attachment of one container, with aliases where ``aliases`` has them."""
    container = parse_container(raw)
    found: list[LiveEndpoint] = []
    for network, ep in sorted(container_networks(raw).items()):
        ipam = ep.get("IPAMConfig") or {}
        found.append(
            LiveEndpoint(
                container=container.name,
                container_id=container.id,
                network=network,
                network_id=str(ep.get("NetworkID") or ""),
                ipv4_address=_text(ep.get("IPAddress")),
                ipv6_address=_text(ep.get("GlobalIPv6Address")),
                mac_address=(_text(ep.get("MacAddress")) or "").lower() or None,
                requested_ipv4=_text(ipam.get("IPv4Address")),
                requested_ipv6=_text(ipam.get("IPv6Address")),
                aliases=(aliases or {}).get((container.id, network)),
            )
        )
    return found


def aliases_from_inspect(raw: Raw, networks: Collection[str] | None) -> AliasTable:
    """The aliases of one inspected container on ``networks`` (every network when None)."""
    container_id = str(raw.get("Id") or "")
    name = str(raw.get("Name") or "").lstrip("/")
    table: dict[tuple[str, str], tuple[str, ...]] = {}
    for network, ep in container_networks(raw).items():
        if networks is None or network in networks:
            table[(container_id, network)] = user_aliases(ep.get("Aliases"), name, container_id)
    return table


def alias_targets(
    raw_containers: Iterable[Raw], names: Collection[str], networks: Collection[str] | None
) -> list[str]:
    """Ids of the containers worth an inspect: named, and attached to one of ``networks``.

    Aliases are the only thing the lists lack, so each container whose aliases are read costs
    a call of its own; only the ones asked for are.
    """
    targets: list[str] = []
    for raw in raw_containers:
        if container_name(raw) not in names:
            continue
        attached = container_networks(raw)
        if any(networks is None or n in networks for n in attached):
            targets.append(str(raw.get("Id") or ""))
    return sorted(targets)


def wanted_aliases(
    scope: Spec | Iterable[str] | None,
) -> tuple[frozenset[str], frozenset[str] | None]:
    """Which container names to read aliases for, and on which networks (None: any).

    For a spec, the containers with an attachment that declares ``aliases``, on the spec's
    networks: an attachment without them leaves aliases alone, so the plan need not know them
    (a replace or reattach that must keep them reads them then: :func:`vlanspec.api.plan_on`).
    """
    if scope is None:
        return frozenset(), frozenset()
    if isinstance(scope, Spec):
        names = frozenset(a.container for a in scope.attachments if a.aliases is not None)
        return names, frozenset(n.name for n in scope.networks)
    return frozenset(scope), None


def build_live_state(
    engine: EngineInfo,
    raw_networks: Iterable[Raw],
    raw_containers: Iterable[Raw],
    aliases: AliasTable | None = None,
) -> LiveState:
    """The live state from one networks list, one containers list and the inspected aliases.

    Everything is sorted by name so that the same engine state always gives the same value.
    """
    containers = list(raw_containers)
    networks = sorted((parse_network(n) for n in raw_networks), key=lambda n: (n.name, n.id))
    endpoints = [ep for raw in containers for ep in parse_endpoints(raw, aliases)]
    return LiveState(
        engine=engine,
        networks=tuple(networks),
        containers=tuple(sorted((parse_container(c) for c in containers), key=_by_name)),
        endpoints=tuple(sorted(endpoints, key=lambda e: (e.network, e.container))),
    )


def _by_name(container: LiveContainer) -> tuple[str, str]:
    return (container.name, container.id)


def with_aliases(live: LiveState, aliases: AliasTable) -> LiveState:
    """``live`` with the aliases in ``aliases`` filled in where they had not been read."""
    endpoints = tuple(
        replace(e, aliases=aliases[(e.container_id, e.network)])
        if e.aliases is None and (e.container_id, e.network) in aliases
        else e
        for e in live.endpoints
    )
    return replace(live, endpoints=endpoints)
