"""Parents: interface names, VLAN ids, and networks that can never share a parent."""

from __future__ import annotations

import pytest

from tests.unit.spec.checks_support import found, one, spec_of
from vlanspec.spec.checks import check_spec

TWO = """\
name: lab
networks:
  first:
    driver: {driver_a}
    parent: eth0
    mode: {mode_a}
  second:
    driver: {driver_b}
    parent: {parent_b}
    mode: {mode_b}
"""

# second's parent is at line 9, column 13.
WHERE = (9, 13)


def two(
    driver_a: str = "macvlan",
    mode_a: str = "bridge",
    driver_b: str = "macvlan",
    mode_b: str = "bridge",
    parent_b: str = "eth0",
) -> str:
    return TWO.format(
        driver_a=driver_a, mode_a=mode_a, driver_b=driver_b, mode_b=mode_b, parent_b=parent_b
    )


def one_network(parent: str) -> str:
    return f"name: lab\nnetworks:\n  n:\n    driver: macvlan\n    parent: {parent}\n"


@pytest.mark.parametrize("parent", ["eth0.0", "eth0.4095", "eth0.99999"])
def test_vlan_id_out_of_range(parent: str) -> None:
    d = one(one_network(parent), "parent.vlan-id")
    assert (d.location.line, d.location.column) == (5, 13)
    assert "1 to 4094" in d.message


@pytest.mark.parametrize("parent", ["eth0.1", "eth0.4094", "br.lan", "eth0"])
def test_good_parent_names(parent: str) -> None:
    assert found(one_network(parent)) == []


@pytest.mark.parametrize("parent", [".10", "eth0."])
def test_vlan_name_with_an_empty_part(parent: str) -> None:
    assert one(one_network(f'"{parent}"'), "parent.vlan-name").is_error


@pytest.mark.parametrize("parent", [".", ".."])
def test_dot_names_are_not_interfaces(parent: str) -> None:
    assert one(one_network(f'"{parent}"'), "parent.name").is_error


def test_two_macvlan_networks_may_share_a_parent_offline() -> None:
    assert found(two()) == []


def test_macvlan_and_ipvlan_on_one_parent() -> None:
    d = one(two(driver_b="ipvlan", mode_b="l2"), "parent.mixed-drivers")
    assert (d.location.line, d.location.column) == WHERE
    assert "'first' (line 5)" in d.message


def test_two_ipvlan_networks_on_one_parent() -> None:
    d = one(two("ipvlan", "l2", "ipvlan", "l2"), "parent.ipvlan-shared")
    assert (d.location.line, d.location.column) == WHERE


def test_ipvlan_l2_and_l3_on_one_parent() -> None:
    d = one(two("ipvlan", "l2", "ipvlan", "l3"), "parent.ipvlan-modes")
    assert "l2 and l3" in d.message


def test_passthru_shares_its_parent() -> None:
    assert one(two(mode_b="passthru"), "parent.passthru-shared").is_error


def test_vlan_sub_interfaces_are_different_parents() -> None:
    assert found(two("ipvlan", "l2", "ipvlan", "l3", parent_b="eth0.20")) == []


def test_networks_without_parent_never_share() -> None:
    text = "name: lab\nnetworks:\n  a: {driver: ipvlan}\n  b: {driver: ipvlan, mode: l3}\n"
    assert found(text) == []


@pytest.mark.parametrize("mode", ["l3", "l3s"])
def test_gateway_in_routed_ipvlan_is_ignored(mode: str) -> None:
    text = f"""\
    name: lab
    networks:
      routed:
        driver: ipvlan
        parent: eth0
        mode: {mode}
        subnets: [{{subnet: 192.0.2.0/24, gateway: 192.0.2.1}}]
    """
    d = one(text, "parent.l3-gateway")
    assert not d.is_error and (d.location.line, d.location.column) == (7, 47)


def test_gateway_in_ipvlan_l2_is_used() -> None:
    text = """\
    name: lab
    networks:
      flat:
        driver: ipvlan
        parent: eth0
        subnets: [{subnet: 192.0.2.0/24, gateway: 192.0.2.1}]
    """
    assert found(text) == []


def test_each_network_is_reported_once_against_the_first_it_conflicts_with() -> None:
    text = """\
    name: lab
    networks:
      a: {driver: macvlan, parent: eth0}
      b: {driver: macvlan, parent: eth0}
      c: {driver: ipvlan, parent: eth0}
      d: {driver: macvlan, parent: eth0}
      e: {driver: macvlan, parent: eth0, mode: passthru}
    """
    found = found_with_messages(text)
    assert [(code, line) for code, line, _ in found] == [
        ("parent.mixed-drivers", 5),
        ("parent.mixed-drivers", 6),
        ("parent.passthru-shared", 7),
    ]
    assert "'a' (line 3) and 'c'" in found[0][2]
    assert "'c' (line 5) and 'd'" in found[1][2]
    assert "'a' (line 3) and 'e'" in found[2][2]


def found_with_messages(text: str) -> list[tuple[str, int, str]]:
    spec = spec_of(text)
    return [(d.code, d.location.line, d.message) for d in check_spec(spec)]
