"""One normalized shape for a network, whether it comes from the spec or from the engine.

The engine echoes only what it was given (a missing mode means the driver's default), picks
gateways and pools on its own, and spells addresses its own way. Comparing raw values would turn
each of those into a change, and since Docker networks are immutable every change is a replace
that disconnects containers. So both sides are put in one canonical form first, and only real
differences survive. The rules, each a decision the rest of vlanspec relies on:

- the mode option missing means the driver's default (macvlan ``bridge``, ipvlan ``l2``), and a
  missing ``ipvlan_flag`` means ``bridge``;
- CIDRs, addresses and MACs compare by value (``2001:DB8::/64`` is ``2001:db8::/64``), subnets
  as a set (their order in the spec is not a property worth a replace);
- a gateway the spec does not give is not compared when the engine would have picked one itself
  (:meth:`~vlanspec.engine.capabilities.Capabilities.auto_gateway`), and live pools of an address
  family the spec lists no subnet of were picked by the engine, so they are not compared either;
- a network without a parent is internal (Docker makes it so), IPv6 is on when an IPv6 subnet is
  listed;
- the fingerprint label is not compared as a label; when it equals the desired fingerprint the
  network was created from exactly this configuration and is not compared at all.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from vlanspec.engine.capabilities import Capabilities
from vlanspec.plan.model import Change, NetworkConfig
from vlanspec.spec.checks_common import as_address, as_network, contains
from vlanspec.spec.model import (
    DEFAULT_IPVLAN_FLAG,
    DEFAULT_MODE,
    FINGERPRINT_LABEL,
    FLAG_OPTION,
    MODE_OPTION,
    SPEC_LABEL,
    Network,
    Subnet,
)
from vlanspec.state import LiveNetwork

#: Hex digits of sha256 kept in the fingerprint label: short to read, long enough not to collide.
FINGERPRINT_LENGTH = 16


def canonical_address(text: str) -> str:
    """An address in the engine's canonical spelling; text that is no address stays as given."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return text.strip().lower()


def canonical_cidr(text: str) -> str:
    """A CIDR in canonical spelling, host bits dropped (preflight reports them, not the plan)."""
    try:
        return str(ipaddress.ip_network(text.strip(), strict=False))
    except ValueError:
        return text.strip().lower()


def canonical_mac(text: str) -> str:
    """MACs compare case-insensitively: the engine prints lower case, people write either."""
    return text.strip().lower()


def address_family(text: str) -> int:
    """4 or 6 for an address or CIDR, 0 for text that is neither."""
    network = as_network(text.strip())
    return network.version if network is not None else 0


def address_in(address: str, subnets: Iterable[Subnet]) -> bool:
    """Whether ``address`` lies in one of ``subnets`` (a static address that is still valid)."""
    ip = as_address(address.strip())
    if ip is None:
        return False
    networks = (as_network(s.subnet) for s in subnets)
    return any(n is not None and contains(n, ip) for n in networks)


def canonical_subnet(subnet: Subnet) -> Subnet:
    """The subnet with every address spelled canonically and no spec path (plans carry none)."""
    return Subnet(
        subnet=canonical_cidr(subnet.subnet),
        gateway=canonical_address(subnet.gateway) if subnet.gateway else None,
        ip_range=canonical_cidr(subnet.ip_range) if subnet.ip_range else None,
        aux_addresses=dict(
            sorted((k, canonical_address(v)) for k, v in subnet.aux_addresses.items())
        ),
    )


def _subnet_key(subnet: Subnet) -> tuple[int, int, int, str]:
    try:
        net = ipaddress.ip_network(subnet.subnet, strict=False)
    except ValueError:
        return (99, 0, 0, subnet.subnet)
    return (net.version, int(net.network_address), net.prefixlen, "")


def reserved_options(driver: str) -> frozenset[str]:
    """Option keys vlanspec sets itself from ``parent``, ``mode`` and ``flag``."""
    keys = {"parent"}
    if driver in MODE_OPTION:
        keys.add(MODE_OPTION[driver])
    if driver == "ipvlan":
        keys.add(FLAG_OPTION)
    return frozenset(keys)


def desired_config(network: Network, spec_name: str) -> NetworkConfig:
    """The network to create for a spec network, labels and fingerprint included.

    The mode is always passed explicitly (every engine knows it, and ``docker network inspect``
    then shows it); the ipvlan flag only when the spec gives one, because engines before 23.0
    do not know it.
    """
    options = dict(network.options)
    if network.parent:
        options["parent"] = network.parent
    options[MODE_OPTION[network.driver]] = network.effective_mode
    if network.flag:
        options[FLAG_OPTION] = network.flag
    labels = {**network.labels, SPEC_LABEL: spec_name}
    labels.pop(FINGERPRINT_LABEL, None)
    config = NetworkConfig(
        name=network.name,
        driver=network.driver,
        options=dict(sorted(options.items())),
        subnets=tuple(canonical_subnet(s) for s in network.subnets),
        ipv6=network.effective_ipv6,
        internal=network.internal or network.parent is None,
        labels=dict(sorted(labels.items())),
    )
    labels[FINGERPRINT_LABEL] = fingerprint(config)
    return replace(config, labels=dict(sorted(labels.items())))


def live_config(network: LiveNetwork) -> NetworkConfig:
    """A live network in the same shape as a desired one (values as the engine reports them)."""
    return NetworkConfig(
        name=network.name,
        driver=network.driver,
        options=dict(sorted(network.options.items())),
        subnets=tuple(canonical_subnet(s) for s in network.subnets),
        ipv6=network.ipv6,
        internal=network.internal,
        labels=dict(sorted(network.labels.items())),
    )


@dataclass(frozen=True)
class CanonicalNetwork:
    """The comparable properties of a network, engine defaults filled in."""

    name: str
    driver: str
    parent: str | None
    mode: str | None
    flag: str | None
    subnets: tuple[Subnet, ...]
    ipv6: bool
    internal: bool
    labels: tuple[tuple[str, str], ...]
    options: tuple[tuple[str, str], ...]


def canonical(config: NetworkConfig) -> CanonicalNetwork:
    """The canonical form of a desired or live network configuration (see the module rules)."""
    driver = config.driver
    parent = config.options.get("parent") or None
    mode: str | None = None
    if driver in MODE_OPTION:
        mode = config.options.get(MODE_OPTION[driver]) or DEFAULT_MODE[driver]
    flag = (config.options.get(FLAG_OPTION) or DEFAULT_IPVLAN_FLAG) if driver == "ipvlan" else None
    reserved = reserved_options(driver)
    return CanonicalNetwork(
        name=config.name,
        driver=driver,
        parent=parent,
        mode=mode,
        flag=flag,
        subnets=tuple(sorted((canonical_subnet(s) for s in config.subnets), key=_subnet_key)),
        ipv6=config.ipv6,
        internal=config.internal or parent is None,
        labels=tuple(sorted((k, v) for k, v in config.labels.items() if k != FINGERPRINT_LABEL)),
        options=tuple(sorted((k, v) for k, v in config.options.items() if k not in reserved)),
    )


def fingerprint(config: NetworkConfig) -> str:
    """A short sha256 of the canonical configuration: equal configurations, equal fingerprints.

    Computed from the canonical form, so an explicit default mode or an upper-case IPv6 subnet
    gives the same fingerprint as the spelling the engine would echo, run after run.
    """
    form = canonical(config)
    payload = {
        "name": form.name,
        "driver": form.driver,
        "parent": form.parent,
        "mode": form.mode,
        "flag": form.flag,
        "subnets": [s.as_dict() for s in form.subnets],
        "ipv6": form.ipv6,
        "internal": form.internal,
        "labels": dict(form.labels),
        "options": dict(form.options),
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:FINGERPRINT_LENGTH]


def describe_subnet(subnet: Subnet) -> str:
    """``192.0.2.0/24 gateway 192.0.2.1 ip_range 192.0.2.128/25 aux router=192.0.2.254``."""
    parts = [subnet.subnet]
    if subnet.gateway:
        parts.append(f"gateway {subnet.gateway}")
    if subnet.ip_range:
        parts.append(f"ip_range {subnet.ip_range}")
    if subnet.aux_addresses:
        aux = ",".join(f"{k}={v}" for k, v in sorted(subnet.aux_addresses.items()))
        parts.append(f"aux {aux}")
    return " ".join(parts)


def describe_subnets(subnets: Iterable[Subnet]) -> str | None:
    """Subnets in one line, ``; `` between them; None when there are none."""
    text = "; ".join(describe_subnet(s) for s in subnets)
    return text or None


def _comparable_live_subnets(
    want: CanonicalNetwork, have: CanonicalNetwork, caps: Capabilities
) -> tuple[Subnet, ...]:
    """The live subnets minus what the engine chose on its own (see the module rules)."""
    families = {address_family(s.subnet) for s in want.subnets}
    given_gateway = {s.subnet: s.gateway for s in want.subnets}
    auto = caps.auto_gateway(want.driver, want.mode or "", want.internal)
    kept: list[Subnet] = []
    for subnet in have.subnets:
        if address_family(subnet.subnet) not in families:
            continue
        if auto and subnet.subnet in given_gateway and given_gateway[subnet.subnet] is None:
            subnet = replace(subnet, gateway=None)
        kept.append(subnet)
    return tuple(kept)


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _mapping_changes(
    prefix: str, before: Mapping[str, str], after: Mapping[str, str]
) -> list[Change]:
    return [
        Change(f"{prefix}.{key}", before.get(key), after.get(key))
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    ]


def network_changes(
    desired: NetworkConfig, live: LiveNetwork, caps: Capabilities
) -> tuple[Change, ...]:
    """What differs between the desired configuration and a live network; empty when nothing.

    Labels and options are reported per key (``labels.owner``), the rest per property.
    """
    wanted_fingerprint = desired.labels.get(FINGERPRINT_LABEL)
    if wanted_fingerprint and live.labels.get(FINGERPRINT_LABEL) == wanted_fingerprint:
        return ()
    want = canonical(desired)
    have = canonical(live_config(live))
    changes: list[Change] = []
    for name in ("driver", "parent", "mode", "flag"):
        before, after = getattr(have, name), getattr(want, name)
        if before != after:
            changes.append(Change(name, before, after))
    have_subnets = _comparable_live_subnets(want, have, caps)
    if have_subnets != want.subnets:
        changes.append(
            Change("subnets", describe_subnets(have_subnets), describe_subnets(want.subnets))
        )
    for name in ("ipv6", "internal"):
        before_flag, after_flag = getattr(have, name), getattr(want, name)
        if before_flag != after_flag:
            changes.append(Change(name, _flag(before_flag), _flag(after_flag)))
    changes += _mapping_changes("labels", dict(have.labels), dict(want.labels))
    changes += _mapping_changes("options", dict(have.options), dict(want.options))
    return tuple(changes)
