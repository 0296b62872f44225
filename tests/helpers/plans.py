"""Builders for planner and renderer tests: specs from YAML text, live states by hand.

Specs go through the real schema and model builder (not the semantic checks, so that tests can
also feed the planner specs that preflight would warn about) and keep a fixed file name, so
locations in plans are stable. Live states are plain data with short, readable defaults.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

from vlanspec.spec import schema
from vlanspec.spec.build import build_spec
from vlanspec.spec.model import FINGERPRINT_LABEL, SPEC_LABEL, Spec, Subnet
from vlanspec.spec.yaml_source import parse
from vlanspec.state import EngineInfo, LiveContainer, LiveEndpoint, LiveNetwork, LiveState

SPEC_FILE = "lab.yaml"


def spec_from_yaml(text: str, file: str = SPEC_FILE) -> Spec:
    """The spec in ``text`` (dedented); fails the test if it does not pass the schema."""
    document = parse(file, textwrap.dedent(text).lstrip("\n"))
    problems = schema.validate(document.data, document.source)
    assert not problems, [p.message for p in problems]
    assert isinstance(document.data, dict)
    return build_spec(document.data, document.source)


def engine(version: str = "27.3.1", api: str = "1.47") -> EngineInfo:
    return EngineInfo(version=version, api_version=api, local=True, host="unix:///run/test.sock")


def container(name: str, *, running: bool = True, mode: str = "default") -> LiveContainer:
    """A container whose id is derived from its name (so short-id aliases are predictable)."""
    return LiveContainer(id=container_id(name), name=name, running=running, network_mode=mode)


def container_id(name: str) -> str:
    return (name.encode().hex() + "0" * 64)[:64]


def network(
    name: str,
    driver: str = "macvlan",
    *,
    options: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    subnets: tuple[Subnet, ...] = (),
    ipv6: bool = False,
    internal: bool = False,
    spec: str | None = "lab",
) -> LiveNetwork:
    """A live network; owned by spec ``spec`` (None: no vlanspec label at all)."""
    all_labels = dict(labels or {})
    if spec is not None:
        all_labels.setdefault(SPEC_LABEL, spec)
    return LiveNetwork(
        id=f"id-{name}",
        name=name,
        driver=driver,
        options=dict(options or {}),
        labels=all_labels,
        subnets=subnets,
        ipv6=ipv6,
        internal=internal,
    )


def endpoint(
    container_name: str,
    network_name: str,
    *,
    ipv4: str | None = None,
    requested: str | None = None,
    ipv6: str | None = None,
    requested_ipv6: str | None = None,
    mac: str | None = None,
    aliases: tuple[str, ...] | None = (),
) -> LiveEndpoint:
    return LiveEndpoint(
        container=container_name,
        container_id=container_id(container_name),
        network=network_name,
        network_id=f"id-{network_name}",
        ipv4_address=ipv4,
        ipv6_address=ipv6,
        mac_address=mac,
        requested_ipv4=requested,
        requested_ipv6=requested_ipv6,
        aliases=aliases,
    )


def state(*parts: LiveNetwork | LiveContainer | LiveEndpoint, version: str = "27.3.1") -> LiveState:
    """A live state from networks, containers and endpoints in any order."""
    return LiveState(
        engine=engine(version),
        networks=tuple(p for p in parts if isinstance(p, LiveNetwork)),
        containers=tuple(p for p in parts if isinstance(p, LiveContainer)),
        endpoints=tuple(p for p in parts if isinstance(p, LiveEndpoint)),
    )


def without_fingerprint(labels: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in labels.items() if k != FINGERPRINT_LABEL}


SAMPLE_SPEC = """
version: 1
name: lab
networks:
  lan:
    driver: macvlan
    parent: eth0
    subnets:
      - {subnet: 192.0.2.0/24, gateway: 192.0.2.1, ip_range: 192.0.2.128/25}
    labels: {owner: netops}
  storage:
    driver: ipvlan
    parent: eth1
    mode: l3
    subnets: [{subnet: 198.51.100.0/24}]
    attachments: exclusive
  v6:
    driver: macvlan
    parent: eth2.20
    subnets: [{subnet: "2001:db8:20::/64"}]
  taken:
    driver: macvlan
    parent: eth3
containers:
  web:
    networks:
      lan: {ipv4_address: 192.0.2.10, mac_address: "02:42:c0:00:02:0a", aliases: [www]}
      storage: {ipv4_address: 198.51.100.10}
  db:
    networks:
      storage: {ipv4_address: 198.51.100.20, aliases: [db]}
      v6: {ipv6_address: "2001:db8:20::20"}
  worker:
    networks: [lan, taken]
  ghost:
    networks: [lan]
"""


def sample_case() -> tuple[Spec, LiveState]:
    """One spec and live state whose plan has every kind of action and note (for goldens)."""
    spec = spec_from_yaml(SAMPLE_SPEC)
    live = state(
        network(
            "lan",
            options={"parent": "eth0"},
            subnets=(Subnet("192.0.2.0/25", gateway="192.0.2.1"),),
        ),
        network(
            "storage",
            "ipvlan",
            options={"parent": "eth1", "ipvlan_mode": "l3"},
            subnets=(Subnet("198.51.100.0/24"),),
        ),
        network("taken", spec=None, options={"parent": "eth3"}),
        network("old", options={"parent": "eth4"}),
        container("web"),
        container("db"),
        container("worker"),
        container("legacy", running=False),
        container("stray"),
        endpoint("web", "lan", ipv4="192.0.2.10", requested="192.0.2.10", aliases=("www",)),
        endpoint("worker", "lan", ipv4="192.0.2.140", mac="02:42:c0:00:02:8c"),
        endpoint("legacy", "lan", requested="192.0.2.50", aliases=("legacy-db",)),
        endpoint("db", "storage", ipv4="198.51.100.21", requested="198.51.100.21", aliases=("db",)),
        endpoint("stray", "storage", ipv4="198.51.100.99"),
        endpoint("web", "old", ipv4="203.0.113.5"),
        version="27.3.1",
    )
    return spec, live
