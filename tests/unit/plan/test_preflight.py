"""Live checks against hand-built engine states: what each engine version refuses, before apply."""

from __future__ import annotations

import pytest

from tests.unit.spec.checks_support import spec_of, summary
from vlanspec.plan.preflight import live_checks
from vlanspec.spec.model import Subnet
from vlanspec.state import EngineInfo, LiveContainer, LiveEndpoint, LiveNetwork, LiveState

SPEC = """\
name: lab
networks:
  lan:
    driver: macvlan
    parent: eth0
    subnets: [{subnet: 192.0.2.0/24}]
  routed:
    driver: ipvlan
    parent: eth1.20
    mode: l3
    subnets: [{subnet: 198.51.100.0/24}]
containers:
  web:
    networks:
      lan: {mac_address: "02:00:00:00:00:01"}
"""
# Where the checks point: lan's subnet, lan's parent, routed's parent, web's MAC.
LAN_SUBNET, LAN_PARENT, ROUTED_PARENT, WEB_MAC = (6, 24), (5, 13), (9, 13), (15, 26)

NO_MAC = SPEC.replace('{mac_address: "02:00:00:00:00:01"}', "{}")

HOST = frozenset({"lo", "eth0", "eth1", "docker0"})


def state(version: str = "29.3.0", *networks: LiveNetwork, **kwargs: object) -> LiveState:
    return LiveState(EngineInfo(version, "1.54"), networks, **kwargs)  # type: ignore[arg-type]


def net(name: str, driver: str, subnet: str | None = None, **kwargs: object) -> LiveNetwork:
    subnets = (Subnet(subnet),) if subnet else ()
    return LiveNetwork(f"id-{name}", name, driver, subnets=subnets, **kwargs)  # type: ignore[arg-type]


def check(
    live: LiveState, text: str = SPEC, host: frozenset[str] | None = HOST
) -> list[tuple[str, str, int, int]]:
    return summary(live_checks(spec_of(text), live, host))


def at(found: list[tuple[str, str, int, int]], code: str) -> list[tuple[str, int, int]]:
    return [(severity, line, column) for severity, c, line, column in found if c == code]


def test_a_fresh_modern_engine_has_no_findings() -> None:
    assert check(state()) == []


def test_subnet_overlapping_a_bridge_network() -> None:
    found = check(state("29.3.0", net("bridge", "bridge", "192.0.2.0/25")))
    assert at(found, "live.subnet-overlap") == [("error", *LAN_SUBNET)]


def test_overlap_with_a_network_of_this_spec_does_not_count() -> None:
    owned = net("old_lan", "macvlan", "192.0.2.0/24", labels={"io.vlanspec.spec": "lab"})
    assert check(state("29.3.0", owned)) == []


def test_overlap_with_another_specs_network_counts() -> None:
    theirs = net("their_lan", "macvlan", "192.0.2.0/24", labels={"io.vlanspec.spec": "other"})
    assert at(check(state("29.3.0", theirs)), "live.subnet-overlap") == [("error", *LAN_SUBNET)]


def test_same_named_network_is_left_to_the_planner_as_a_conflict() -> None:
    assert check(state("29.3.0", net("lan", "macvlan", "192.0.2.0/24"))) == []


def test_a_conflicting_network_still_counts_against_the_specs_other_networks() -> None:
    found = check(state("29.3.0", net("routed", "macvlan", "192.0.2.0/24")))
    assert at(found, "live.subnet-overlap") == [("error", *LAN_SUBNET)]


def test_overlap_with_disjoint_ranges_is_a_warning() -> None:
    text = SPEC.replace("{subnet: 192.0.2.0/24}", "{subnet: 192.0.2.0/24, ip_range: 192.0.2.0/25}")
    live = LiveNetwork(
        "x", "elsewhere", "macvlan", subnets=(Subnet("192.0.2.0/24", ip_range="192.0.2.128/25"),)
    )
    assert at(check(state("29.3.0", live), text), "live.subnet-overlap") == [
        ("warning", *LAN_SUBNET)
    ]


def test_overlap_with_a_swarm_network_is_a_warning() -> None:
    overlay = net("ingress", "overlay", "192.0.2.0/24", scope="swarm")
    assert at(check(state("29.3.0", overlay)), "live.subnet-overlap") == [("warning", *LAN_SUBNET)]


def test_ipv4_and_ipv6_never_overlap() -> None:
    assert check(state("29.3.0", net("v6", "bridge", "2001:db8::/64"))) == []


@pytest.mark.parametrize(
    ("version", "refused"), [("26.1.4", True), ("27.0.0", True), ("27.0.1", False)]
)
def test_second_macvlan_on_a_parent_depends_on_the_engine(version: str, refused: bool) -> None:
    found = check(state(version, net("theirs", "macvlan", options={"parent": "eth0"})))
    assert at(found, "live.parent-in-use") == ([("error", *LAN_PARENT)] if refused else [])


def test_passthru_on_the_parent_refuses_any_engine() -> None:
    live = net("theirs", "macvlan", options={"parent": "eth0", "macvlan_mode": "passthru"})
    assert at(check(state("29.3.0", live)), "live.parent-in-use") == [("error", *LAN_PARENT)]


def test_ipvlan_parent_is_never_shared() -> None:
    live = net("theirs", "ipvlan", options={"parent": "eth1.20", "ipvlan_mode": "l3"})
    found = live_checks(spec_of(SPEC), state("29.3.0", live), HOST)
    [d] = [d for d in found if d.code == "live.parent-in-use"]
    assert (d.location.line, d.location.column) == ROUTED_PARENT
    assert "one ipvlan network per parent" in d.message


def test_macvlan_and_ipvlan_on_one_parent_live() -> None:
    live = net("theirs", "ipvlan", options={"parent": "eth0"})
    found = live_checks(spec_of(SPEC), state("29.3.0", live), HOST)
    [d] = [d for d in found if d.code == "live.parent-in-use"]
    assert "macvlan and the other ipvlan" in d.message and "ipvlan l2" in d.message


def test_networks_on_other_parents_or_drivers_do_not_count() -> None:
    live = (
        net("a", "macvlan", options={"parent": "eth9"}),
        net("b", "bridge", options={"parent": "eth0"}),
    )
    assert check(state("20.10.24", *live), NO_MAC) == []


def test_two_macvlan_networks_of_the_spec_on_an_old_engine() -> None:
    text = NO_MAC.replace("    mode: l3\n", "").replace("ipvlan", "macvlan")
    text = text.replace("eth1.20", "eth0")
    found = check(state("26.1.4"), text)
    assert found == [("error", "engine.shared-parent", 9, 13)]
    assert check(state("27.0.1"), text) == []


@pytest.mark.parametrize(("version", "expected"), [("20.10.24", True), ("23.0.0", False)])
def test_ipvlan_flag_needs_23(version: str, expected: bool) -> None:
    text = SPEC.replace("    mode: l3\n", "    mode: l3\n    flag: private\n")
    found = check(state(version), text)
    assert (("error", "engine.ipvlan-flag", 11, 11) in found) is expected


def test_mode_l3s_needs_23() -> None:
    text = NO_MAC.replace("mode: l3\n", "mode: l3s\n")
    assert ("error", "engine.ipvlan-l3s", 10, 11) in check(state("20.10.24"), text)
    assert check(state("23.0.0"), text) == []


@pytest.mark.parametrize("version", ["20.10.24", "28.5.1", "29.2.9"])
def test_mac_on_connect_before_29_3_is_a_warning_with_a_way_out(version: str) -> None:
    found = live_checks(spec_of(SPEC), state(version), HOST)
    [d] = [d for d in found if d.code == "engine.mac-on-connect"]
    assert not d.is_error and (d.location.line, d.location.column) == WEB_MAC
    assert "29.3" in (d.hint or "") and "--mac-address 02:00:00:00:00:01" in (d.hint or "")


def test_mac_already_in_place_needs_no_connect() -> None:
    endpoint = LiveEndpoint("web", "c1", "lan", "n1", mac_address="02:00:00:00:00:01")
    assert check(state("20.10.24", endpoints=(endpoint,))) == []


# web on the L3 network only (its key at 15:7), and on lan and the L3 network (routed at 16:7).
L3_ONLY = NO_MAC.replace("      lan: {}\n", "      routed: {}\n")
L3_AND_LAN = NO_MAC + "      routed: {}\n"
WEB = LiveContainer("c1", "web")
ON_BRIDGE = (net("bridge", "bridge", "172.17.0.0/16"),)
BRIDGE_ENDPOINT = LiveEndpoint("web", "c1", "bridge", "id-bridge")


def l3_default_route(live: LiveState, text: str) -> list[tuple[str, int, int]]:
    return at(check(live, text), "engine.ipvlan-l3-default-route")


def test_l3_beside_a_live_bridge_is_refused_before_28() -> None:
    live = state("26.1.4", *ON_BRIDGE, containers=(WEB,), endpoints=(BRIDGE_ENDPOINT,))
    found = live_checks(spec_of(L3_ONLY), live, HOST)
    [d] = [d for d in found if d.code == "engine.ipvlan-l3-default-route"]
    assert d.is_error and (d.location.line, d.location.column) == (15, 7)
    assert all(word in d.message for word in ("'web'", "'routed'", "'bridge'", "26.1.4"))
    assert "internal: true" in (d.hint or "") and "28.0" in (d.hint or "")


def test_l3_beside_a_second_spec_network_is_refused_before_28() -> None:
    found = l3_default_route(state("26.1.4", containers=(WEB,)), L3_AND_LAN)
    assert found == [("error", 16, 7)]


def test_an_internal_l3_network_adds_no_default_route() -> None:
    text = L3_AND_LAN.replace("    mode: l3\n", "    mode: l3\n    internal: true\n")
    assert l3_default_route(state("26.1.4", containers=(WEB,)), text) == []


def test_l3_beside_a_default_route_works_from_28() -> None:
    live = state("28.0.0", *ON_BRIDGE, containers=(WEB,), endpoints=(BRIDGE_ENDPOINT,))
    assert l3_default_route(live, L3_AND_LAN) == []


def test_internal_other_networks_give_no_default_route() -> None:
    text = L3_AND_LAN.replace("    driver: macvlan\n", "    driver: macvlan\n    internal: true\n")
    holding = (net("holding", "macvlan", internal=True),)
    endpoint = LiveEndpoint("web", "c1", "holding", "id-holding")
    live = state("26.1.4", *holding, containers=(WEB,), endpoints=(endpoint,))
    assert l3_default_route(live, text) == []


def test_a_container_already_on_the_l3_network_needs_no_connect() -> None:
    routed = net("routed", "ipvlan", "198.51.100.0/24", options={"parent": "eth1.20"})
    on_l3 = LiveEndpoint("web", "c1", "routed", "id-routed")
    endpoints = (BRIDGE_ENDPOINT, on_l3)
    live = state("26.1.4", *ON_BRIDGE, routed, containers=(WEB,), endpoints=endpoints)
    assert l3_default_route(live, L3_AND_LAN) == []


def test_an_endpoint_left_on_a_network_that_is_gone_is_no_attachment() -> None:
    # 20.10 keeps the endpoint of a failed L3 connect after the network is removed.
    ghost = LiveEndpoint("web", "c1", "routed", "id-removed")
    endpoints = (BRIDGE_ENDPOINT, ghost)
    live = state("26.1.4", *ON_BRIDGE, containers=(WEB,), endpoints=endpoints)
    assert l3_default_route(live, L3_ONLY) == [("error", 15, 7)]


def test_missing_parent_with_similar_names() -> None:
    found = live_checks(spec_of(SPEC.replace("parent: eth0", "parent: eht0")), state(), HOST)
    [d] = [d for d in found if d.code == "live.parent-missing"]
    assert (d.location.line, d.location.column) == LAN_PARENT
    assert d.hint is not None and "eth0" in d.hint


def test_missing_base_of_a_vlan_parent() -> None:
    found = live_checks(spec_of(SPEC), state(), frozenset({"lo", "eth0"}))
    [d] = [d for d in found if d.code == "live.parent-missing"]
    assert (d.location.line, d.location.column) == ROUTED_PARENT
    assert "interface eth1" in d.message


def test_existing_dotted_interface_is_used_as_it_is() -> None:
    text = SPEC.replace("eth1.20", "br.lan")
    assert check(state(), text, HOST | {"br.lan"}) == []
    found = live_checks(spec_of(text), state(), HOST)
    [d] = [d for d in found if d.code == "live.parent-missing"]
    assert "interface.vlan_id" in d.message


def test_interfaces_are_not_checked_on_a_remote_or_unreadable_host() -> None:
    text = SPEC.replace("eth0", "nothere0")
    assert check(state(), text, None) == []
    assert check(state(), text, frozenset()) == []


def test_hint_lists_interfaces_when_nothing_is_similar() -> None:
    found = live_checks(spec_of(SPEC.replace("eth0", "zzzzzzzz")), state(), HOST)
    [d] = [d for d in found if d.code == "live.parent-missing"]
    assert d.hint == "interfaces on this host: docker0, eth0, eth1, lo"


def test_an_engine_without_a_version_number_is_not_guessed_old() -> None:
    text = SPEC.replace("mode: l3\n", "mode: l3s\n")
    live = net("theirs", "macvlan", options={"parent": "eth0"})
    assert check(state("master-dockerproject", live), text) == []
