"""Properties of the planner over random specs and random live states.

The central one is convergence (the Kubernetes-controller idea): apply a plan to a model of the
engine, plan again, and nothing is left to do. The model below is a small, pure Docker engine
with the quirks that make naive planners loop: random dynamic addresses, gateways it picks
itself, options echoed only as given, the short container id among the aliases (20.10), and
MACs on connect ignored before 29.3. It runs a plan the way apply does (all disconnects, then
deletes, creates, static connects, dynamic connects) and refuses what Docker refuses, so a plan
that could not run fails the test too.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import itertools
import json
import random
from collections.abc import Iterable, Mapping

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from vlanspec.engine.capabilities import Capabilities, capabilities
from vlanspec.plan.diff import diff
from vlanspec.plan.model import ActionKind, Endpoint, NetworkConfig, Plan
from vlanspec.plan.normalize import desired_config
from vlanspec.plan.ownership import owned_by
from vlanspec.plan.serialize import plan_from_json, plan_to_dict, plan_to_json
from vlanspec.spec.model import (
    DEFAULT_MODE,
    FINGERPRINT_LABEL,
    FLAG_OPTION,
    LABEL_PREFIX,
    MODE_OPTION,
    SPEC_LABEL,
    Attachment,
    Driver,
    Network,
    SourceMap,
    Spec,
    Subnet,
)
from vlanspec.spec.schema import schema_text
from vlanspec.state import EngineInfo, LiveContainer, LiveEndpoint, LiveNetwork, LiveState

VERSIONS = ("20.10.24", "23.0.6", "27.3.1", "28.1.0", "29.0.0", "29.3.0")
DECLARABLE = ("a", "b", "c")
NETWORK_NAMES = (*DECLARABLE, "d", "z")
SPEC_CONTAINERS = ("c1", "c2", "c3")
OTHER_CONTAINERS = ("s1", "s2")
IPVLAN_MAC = "aa:aa:aa:aa:aa:aa"
#: Ids of the networks the model engines create, never given twice in a test run.
NETWORK_IDS = itertools.count(1)
PLAN_SCHEMA = Draft202012Validator(json.loads(schema_text("plan.schema.json")))
SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def container_id(name: str) -> str:
    return (name.encode().hex() + "f" * 64)[:64]


# -- the model engine ------------------------------------------------------------------------


class Refused(AssertionError):
    """The engine would refuse this step: the plan cannot be executed."""


def _net(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(text, strict=False)


def engine_subnets(config: NetworkConfig, caps: Capabilities, pool: int) -> tuple[Subnet, ...]:
    """The IPAM config the engine reports for a network created from ``config``.

    It picks an IPv4 pool when none is given, and a gateway wherever its version does that.
    """
    subnets = list(config.subnets)
    if not any(_net(s.subnet).version == 4 for s in subnets):
        subnets.append(Subnet(f"172.{20 + pool}.0.0/16"))
    driver = config.driver
    mode = config.options.get(MODE_OPTION.get(driver, ""), DEFAULT_MODE.get(driver, ""))
    if caps.auto_gateway(driver, mode, config.internal):
        subnets = [
            s if s.gateway else dataclasses.replace(s, gateway=str(_net(s.subnet)[1]))
            for s in subnets
        ]
    return tuple(subnets)


class ModelEngine:
    """A pure stand-in for dockerd: just enough state and refusals to run plans against."""

    def __init__(self, live: LiveState, rng: random.Random) -> None:
        self.info = live.engine
        self.caps = capabilities(live.engine.version)
        self.rng = rng
        self.networks = {n.name: n for n in live.networks}
        self.containers = {c.name: c for c in live.containers}
        self.endpoints = list(live.endpoints)
        self.created = 0

    def state(self) -> LiveState:
        return LiveState(
            self.info,
            tuple(self.networks.values()),
            tuple(self.containers.values()),
            tuple(self.endpoints),
        )

    def on(self, network: str) -> list[LiveEndpoint]:
        return [e for e in self.endpoints if e.network == network]

    def create(self, config: NetworkConfig) -> None:
        if config.name in self.networks:
            raise Refused(f"network with name {config.name} already exists")
        self.created += 1
        self.networks[config.name] = LiveNetwork(
            # Unique across models too: a run stopped half-way is resumed on a new model of
            # the state it left, and two networks with one id would share their endpoints.
            id=f"model-{next(NETWORK_IDS)}",
            name=config.name,
            driver=config.driver,
            options=dict(config.options),
            labels=dict(config.labels),
            subnets=engine_subnets(config, self.caps, 10 + self.created),
            ipv6=config.ipv6,
            internal=config.internal,
        )

    def delete(self, name: str) -> None:
        if name not in self.networks:
            raise Refused(f"network {name} not found")
        if self.on(name):
            raise Refused(f"network {name} has active endpoints")
        del self.networks[name]

    def disconnect(self, container: str, network: str) -> None:
        found = [e for e in self.on(network) if e.container == container]
        if not found:
            raise Refused(f"container {container} is not connected to network {network}")
        self.endpoints.remove(found[0])

    def connect(self, want: Endpoint) -> None:
        network = self.networks.get(want.network)
        container = self.containers.get(want.container)
        if network is None or container is None:
            raise Refused(f"no such network or container: {want}")
        mode = container.network_mode
        if mode in ("none", "host") or mode.startswith("container:"):
            raise Refused(f"container {want.container} cannot be connected (mode {mode})")
        if any(e.container == want.container for e in self.on(want.network)):
            raise Refused(f"{want.container} is already connected to {want.network}")
        used = self._used(network)
        v4 = self._address(network, 4, want.ipv4_address, used)
        v6 = self._address(network, 6, want.ipv6_address, used) if network.ipv6 else None
        if want.ipv6_address and not network.ipv6:
            raise Refused("IPv6 address given on a network without IPv6")
        running = container.running
        self.endpoints.append(
            LiveEndpoint(
                container=container.name,
                container_id=container.id,
                network=network.name,
                network_id=network.id,
                ipv4_address=v4 if running else None,
                ipv6_address=v6 if running else None,
                mac_address=self._mac(network, want, running),
                requested_ipv4=want.ipv4_address,
                requested_ipv6=want.ipv6_address,
                aliases=tuple(want.aliases)
                + ((container.id[:12],) if not self.caps.at_least(25) else ()),
            )
        )

    def _used(self, network: LiveNetwork) -> set[str]:
        used: set[str] = set()
        for e in self.on(network.name):
            used |= {a for a in (e.ipv4_address, e.ipv6_address) if a}
            used |= {a for a in (e.requested_ipv4, e.requested_ipv6) if a}
        for s in network.subnets:
            used |= {a for a in (s.gateway, *s.aux_addresses.values()) if a}
        return {str(ipaddress.ip_address(a)) for a in used}

    def _address(
        self, network: LiveNetwork, family: int, static: str | None, used: set[str]
    ) -> str | None:
        pools = [s for s in network.subnets if _net(s.subnet).version == family]
        if static is not None:
            if not any(ipaddress.ip_address(static) in _net(s.subnet) for s in pools):
                raise Refused(f"no configured subnet contains IP address {static}")
            if static in used:
                raise Refused(f"Address already in use: {static}")
            used.add(static)
            return static
        for pool in pools:
            space = _net(pool.ip_range or pool.subnet)
            for _ in range(200):
                candidate = str(space[self.rng.randrange(1, min(space.num_addresses - 1, 4000))])
                if candidate not in used:
                    used.add(candidate)
                    return candidate
        return None

    def _mac(self, network: LiveNetwork, want: Endpoint, running: bool) -> str | None:
        if network.driver == "ipvlan":
            return IPVLAN_MAC if running else None
        if want.mac_address and self.caps.mac_on_connect:
            return want.mac_address
        if not running:
            return None
        return "02:42:" + ":".join(f"{self.rng.randrange(256):02x}" for _ in range(4))


def apply_to_model(plan: Plan, live: LiveState, rng: random.Random) -> LiveState:
    """Run ``plan`` on a model of ``live`` in apply's phases; the live state afterwards."""
    engine = ModelEngine(live, rng)
    disconnects: list[Endpoint] = []
    deletes: list[str] = []
    creates: list[NetworkConfig] = []
    connects: list[Endpoint] = []
    for action in plan.actions:
        kind = action.kind
        if kind in (ActionKind.DELETE, ActionKind.REPLACE):
            disconnects += action.detach
            deletes.append(action.network)
        if kind in (ActionKind.CREATE, ActionKind.REPLACE):
            assert action.config is not None
            creates.append(action.config)
        if kind is ActionKind.REPLACE:
            connects += action.attach
        if kind in (ActionKind.DISCONNECT, ActionKind.REATTACH, ActionKind.CONNECT):
            assert action.endpoint is not None
            if kind is not ActionKind.CONNECT:
                disconnects.append(action.endpoint)
            if kind is not ActionKind.DISCONNECT:
                connects.append(action.endpoint)
    seen: set[tuple[str, str]] = set()
    for e in disconnects:
        if (e.container, e.network) not in seen:
            seen.add((e.container, e.network))
            engine.disconnect(e.container, e.network)
    for name in deletes:
        engine.delete(name)
    for config in creates:
        engine.create(config)
    for e in [e for e in connects if e.is_static] + [e for e in connects if not e.is_static]:
        engine.connect(e)
    return engine.state()


# -- random specs ----------------------------------------------------------------------------

MODES = {"macvlan": (None, "bridge", "private", "vepa", "passthru"), "ipvlan": (None, "l2", "l3")}


@st.composite
def networks(draw: st.DrawFn, index: int, name: str) -> Network:
    """A spec network with subnets numbered by ``index`` (10.<index>.0.0/24, fd00:<index>::)."""
    driver: Driver = draw(st.sampled_from(("macvlan", "ipvlan")))
    layout = draw(st.sampled_from(("none", "v4", "v4v4", "v4v6", "v6")))
    subnets: list[Subnet] = []
    if layout.startswith("v4"):
        subnets.append(
            Subnet(
                f"10.{index}.0.0/24",
                gateway=draw(st.sampled_from((None, f"10.{index}.0.1"))),
                ip_range=draw(st.sampled_from((None, f"10.{index}.0.128/25"))),
                aux_addresses=draw(st.sampled_from(({}, {"router": f"10.{index}.0.250"}))),
            )
        )
    if layout == "v4v4":
        subnets.append(Subnet(f"10.{index}.1.0/24"))
    if layout.endswith("v6"):
        subnets.append(
            Subnet(
                draw(st.sampled_from((f"fd00:{index}::/64", f"FD00:{index}:0::/64"))),
                gateway=draw(st.sampled_from((None, f"fd00:{index}::1"))),
            )
        )
    return Network(
        name=name,
        driver=driver,
        parent=draw(st.sampled_from(("p0", "p1", "p0.10", None))),
        mode=draw(st.sampled_from(MODES[driver])),
        flag=draw(st.sampled_from((None, "bridge", "private"))) if driver == "ipvlan" else None,
        subnets=tuple(subnets),
        ipv6=draw(st.booleans()),
        internal=draw(st.booleans()),
        labels=draw(st.sampled_from(({}, {"owner": "x"}, {"owner": "y", "tier": "1"}))),
        options=draw(st.sampled_from(({}, {"com.docker.network.driver.mtu": "1400"}))),
        attachments=draw(st.sampled_from(("additive", "exclusive"))),
        path=("networks", name),
    )


def _families(network: Network) -> set[int]:
    return {s.network.version for s in network.subnets}


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    declared = [draw(networks(i, name)) for i, name in enumerate(DECLARABLE) if draw(st.booleans())]
    attachments: list[Attachment] = []
    for k, name in enumerate(SPEC_CONTAINERS):
        for network in declared:
            if not draw(st.booleans()):
                continue
            i = NETWORK_NAMES.index(network.name)
            families = _families(network)
            mac = f"02:00:00:00:{i:02x}:{k:02x}"
            attachments.append(
                Attachment(
                    container=name,
                    network=network.name,
                    ipv4_address=f"10.{i}.0.{10 + k}"
                    if 4 in families and draw(st.booleans())
                    else None,
                    ipv6_address=f"fd00:{i}::{10 + k:x}"
                    if 6 in families and draw(st.booleans())
                    else None,
                    mac_address=draw(st.sampled_from((None, mac, mac.upper())))
                    if network.driver == "macvlan"
                    else None,
                    aliases=draw(  # None: the spec leaves the container's aliases alone
                        st.none()
                        | st.sets(st.sampled_from(("x", "y", name))).map(lambda a: tuple(sorted(a)))
                    ),
                    path=("containers", name, "networks", network.name),
                )
            )
    return Spec(
        name="lab",
        networks=tuple(declared),
        attachments=tuple(sorted(attachments, key=lambda a: (a.network, a.container))),
        source=SourceMap("p.yaml"),
    )


# -- random live states ----------------------------------------------------------------------


def _live_from_config(
    config: NetworkConfig, caps: Capabilities, index: int, labels: Mapping[str, str]
) -> LiveNetwork:
    return LiveNetwork(
        id=f"id-{config.name}",
        name=config.name,
        driver=config.driver,
        options=dict(config.options),
        labels=dict(labels),
        subnets=engine_subnets(config, caps, index),
        ipv6=config.ipv6,
        internal=config.internal,
    )


def _echoed(config: NetworkConfig) -> NetworkConfig:
    """What an older vlanspec (or a person) might have created: defaults left out."""
    options = dict(config.options)
    mode_key = MODE_OPTION[config.driver]
    if options.get(mode_key) == DEFAULT_MODE[config.driver]:
        del options[mode_key]
    if options.get(FLAG_OPTION) == "bridge":
        del options[FLAG_OPTION]
    labels = {k: v for k, v in config.labels.items() if k != FINGERPRINT_LABEL}
    return dataclasses.replace(config, options=options, labels=labels)


@st.composite
def live_network(
    draw: st.DrawFn, spec: Spec, index: int, name: str, caps: Capabilities
) -> LiveNetwork | None:
    kind = draw(st.sampled_from(("absent", "twin", "echo", "other", "foreign", "unlabelled")))
    declared = spec.network(name)
    if kind == "absent":
        return None
    if kind in ("twin", "echo") and declared is not None:
        config = desired_config(declared, spec.name)
        if kind == "echo":
            config = _echoed(config)
        return _live_from_config(config, caps, index, config.labels)
    other = desired_config(draw(networks(index, name)), spec.name)
    labels = {k: v for k, v in other.labels.items() if not k.startswith(LABEL_PREFIX)}
    if kind == "foreign":
        labels[SPEC_LABEL] = "other"
    elif kind != "unlabelled":
        labels = dict(other.labels)
        if draw(st.booleans()):
            del labels[FINGERPRINT_LABEL]
    return _live_from_config(other, caps, index, labels)


@st.composite
def live_endpoint(
    draw: st.DrawFn, container: LiveContainer, network: LiveNetwork, index: int
) -> LiveEndpoint:
    """An attachment whose addresses never hold another container's spec address."""
    if container.name in SPEC_CONTAINERS:
        k = SPEC_CONTAINERS.index(container.name)
        static_hosts: tuple[int, ...] = (10 + k, 20 + k)
        dynamic_host = 100 + k
    else:
        k = OTHER_CONTAINERS.index(container.name)
        static_hosts = (150 + k,)
        dynamic_host = 160 + k
    static = draw(st.booleans())
    host = draw(st.sampled_from(static_hosts)) if static else dynamic_host
    v4 = f"10.{index}.0.{host}"
    v6 = f"fd00:{index}::{host:x}" if network.ipv6 and draw(st.booleans()) else None
    running = container.running
    aliases = draw(
        st.one_of(
            st.none(),
            st.sets(st.sampled_from(("x", "y", container.id[:12], container.name))).map(
                lambda s: tuple(sorted(s))
            ),
        )
    )
    mac = draw(
        st.sampled_from(
            (None, f"02:00:00:00:{index:02x}:{SPEC_CONTAINERS.index(container.name):02x}")
            if container.name in SPEC_CONTAINERS
            else (None, "02:42:00:00:00:01")
        )
    )
    return LiveEndpoint(
        container=container.name,
        container_id=container.id,
        network=network.name,
        network_id=network.id,
        ipv4_address=v4 if running else None,
        ipv6_address=v6 if running else None,
        mac_address=mac if running else None,
        requested_ipv4=v4 if static else None,
        requested_ipv6=v6 if static else None,
        aliases=aliases,
    )


@st.composite
def live_states(draw: st.DrawFn, spec: Spec) -> LiveState:
    version = draw(st.sampled_from(VERSIONS))
    caps = capabilities(version)
    containers = [
        LiveContainer(
            id=container_id(name),
            name=name,
            running=draw(st.booleans()),
            network_mode=draw(st.sampled_from(("default", "default", "default", "none"))),
        )
        for name in (*SPEC_CONTAINERS, *OTHER_CONTAINERS)
        if draw(st.integers(0, 3)) > 0
    ]
    live_networks: list[LiveNetwork] = []
    endpoints: list[LiveEndpoint] = []
    for index, name in enumerate(NETWORK_NAMES):
        network = draw(live_network(spec, index, name, caps))
        if network is None:
            continue
        live_networks.append(network)
        for container in containers:
            if container.network_mode != "none" and draw(st.booleans()):
                endpoints.append(draw(live_endpoint(container, network, index)))
    return LiveState(
        EngineInfo(version, "1.41"), tuple(live_networks), tuple(containers), tuple(endpoints)
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[Spec, LiveState]:
    spec = draw(specs())
    return spec, draw(live_states(spec))


# -- the properties --------------------------------------------------------------------------


def describe(plan: Plan) -> list[str]:
    return [f"{a.kind.value} {a.network} {a.container or ''} {a.changes}" for a in plan.actions]


def _without_fingerprints(live: LiveState) -> LiveState:
    networks = tuple(
        dataclasses.replace(n, labels={k: v for k, v in n.labels.items() if k != FINGERPRINT_LABEL})
        for n in live.networks
    )
    return dataclasses.replace(live, networks=networks)


def _shuffled(live: LiveState, rng: random.Random) -> LiveState:
    def mix(items: Iterable[object]) -> tuple[object, ...]:
        out = list(items)
        rng.shuffle(out)
        return tuple(out)

    return dataclasses.replace(
        live,
        networks=mix(live.networks),  # type: ignore[arg-type]
        containers=mix(live.containers),  # type: ignore[arg-type]
        endpoints=mix(live.endpoints),  # type: ignore[arg-type]
    )


@SETTINGS
@given(case=cases(), rng=st.randoms(use_true_random=False))
def test_applying_the_plan_and_planning_again_changes_nothing(
    case: tuple[Spec, LiveState], rng: random.Random
) -> None:
    spec, live = case
    plan = diff(spec, live)
    after = apply_to_model(plan, live, rng)
    again = diff(spec, after)
    assert again.is_empty, (describe(plan), describe(again))
    # Networks made by an older vlanspec carry no fingerprint (or another one): then only the
    # normalization stands between the engine's quirks and an endless replace.
    stripped = diff(spec, _without_fingerprints(after))
    assert stripped.is_empty, describe(stripped)


@SETTINGS
@given(case=cases(), rng=st.randoms(use_true_random=False))
def test_plans_are_deterministic_serializable_and_touch_only_our_networks(
    case: tuple[Spec, LiveState], rng: random.Random
) -> None:
    spec, live = case
    plan = diff(spec, live)
    assert diff(spec, live) == plan
    assert diff(spec, _shuffled(live, rng)) == plan, "the order of live data must not matter"
    PLAN_SCHEMA.validate(plan_to_dict(plan))
    assert plan_from_json(plan_to_json(plan)) == plan
    created = {a.network for a in plan.actions if a.kind is ActionKind.CREATE}
    for action in plan.actions:
        same_name = [n for n in live.networks if n.name == action.network]
        assert all(owned_by(n, spec.name) for n in same_name), action
        if not same_name:
            assert action.network in created, action
        if action.kind is ActionKind.CREATE:
            assert not same_name, action
