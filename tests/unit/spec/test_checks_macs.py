"""MAC addresses: what the kernel refuses, what collides, and what is merely risky."""

from __future__ import annotations

from tests.unit.spec.checks_support import found, one

SPEC = """\
name: lab
networks:
  lan:
    driver: macvlan
    parent: eth0
  guests:
    driver: macvlan
    parent: eth0
  other:
    driver: macvlan
    parent: eth1
  shared:
    driver: ipvlan
    parent: eth2
containers:
  web:
    networks:
      lan: {{mac_address: "{mac}"}}
  db:
    networks:
      {network}: {{mac_address: "02:00:00:00:00:02"}}
"""

# web's MAC is at line 18, column 26.
WHERE = (18, 26)


def spec(mac: str = "02:00:00:00:00:01", network: str = "lan") -> str:
    return SPEC.format(mac=mac, network=network)


def test_local_unicast_macs_pass() -> None:
    assert found(spec()) == []


def test_multicast_mac() -> None:
    d = one(spec("01:00:5e:00:00:01"), "mac.multicast")
    assert d.is_error and (d.location.line, d.location.column) == WHERE


def test_broadcast_mac_is_multicast() -> None:
    assert one(spec("FF:FF:FF:FF:FF:FF"), "mac.multicast").is_error


def test_all_zero_mac() -> None:
    assert one(spec("00:00:00:00:00:00"), "mac.zero").is_error


def test_universally_administered_mac_is_a_warning() -> None:
    d = one(spec("00:1b:21:3a:4f:5e"), "mac.not-local")
    assert not d.is_error and (d.location.line, d.location.column) == WHERE
    assert "second hex digit 2, 6, A or E" in (d.hint or "")


def test_same_mac_on_one_network() -> None:
    d = one(spec("02:00:00:00:00:02"), "mac.duplicate")
    assert (d.location.line, d.location.column) == (21, 26)
    assert "'web'" in d.message and "(line 18)" in d.message


def test_same_mac_on_two_networks_of_one_parent() -> None:
    d = one(spec("02:00:00:00:00:02", network="guests"), "mac.duplicate")
    assert "parent eth0" in d.message and d.location.line == 21


def test_mac_case_does_not_hide_a_duplicate() -> None:
    assert one(spec("02:00:00:00:00:02".upper()), "mac.duplicate").is_error


def test_same_mac_on_different_parents_is_fine() -> None:
    assert found(spec("02:00:00:00:00:02", network="other")) == []


def test_mac_on_ipvlan_is_refused_at_the_key() -> None:
    d = one(spec(network="shared"), "mac.ipvlan")
    assert (d.location.line, d.location.column) == (21, 16)
