"""Attachments: the network they name and their static addresses, each at its value."""

from __future__ import annotations

from tests.unit.spec.checks_support import found, one

SPEC = """\
name: lab
networks:
  lan:
    driver: macvlan
    parent: eth0
    subnets:
      - subnet: 192.0.2.0/24
        gateway: 192.0.2.1
        ip_range: 192.0.2.128/25
        aux_addresses: {{router: 192.0.2.254}}
      - subnet: 2001:db8::/64
  v4only:
    driver: macvlan
    parent: eth1
    subnets: [{{subnet: 198.51.100.0/24}}]
containers:
  web:
    networks:
      lan: {{ipv4_address: {address}}}
  db:
    networks:
      lan: {{ipv4_address: 192.0.2.11, ipv6_address: "2001:db8::11"}}
"""

# Line 19, column 27 is web's address.
WHERE = (19, 27)


def spec(address: str) -> str:
    return SPEC.format(address=address)


def test_valid_attachments_have_no_findings() -> None:
    assert found(spec("192.0.2.10")) == []


def test_address_outside_every_subnet() -> None:
    d = one(spec("198.51.100.10"), "attachment.address-outside")
    assert (d.location.line, d.location.column) == WHERE
    assert "192.0.2.0/24" in d.message and d.is_error


def test_address_on_a_network_without_subnets() -> None:
    text = """\
    name: lab
    networks:
      bare: {driver: macvlan, parent: eth0}
    containers:
      web:
        networks:
          bare: {ipv4_address: 192.0.2.10}
    """
    d = one(text, "attachment.address-outside")
    assert "declares none" in d.message and (d.location.line, d.location.column) == (7, 28)


def test_address_equal_to_the_gateway() -> None:
    d = one(spec("192.0.2.1"), "attachment.address-gateway")
    assert (d.location.line, d.location.column) == WHERE


def test_address_equal_to_an_aux_address() -> None:
    d = one(spec("192.0.2.254"), "attachment.address-aux")
    assert "'router'" in d.message


def test_network_and_broadcast_addresses() -> None:
    assert "network address" in one(spec("192.0.2.0"), "attachment.address-reserved").message
    assert "broadcast" in one(spec("192.0.2.255"), "attachment.address-reserved").message


def test_same_address_for_two_containers_reported_at_the_later_one() -> None:
    d = one(spec("192.0.2.11"), "attachment.address-duplicate")
    assert (d.location.line, d.location.column) == (22, 27)
    assert "'web'" in d.message and "'db'" in d.message and "(line 19)" in d.message


def test_same_address_on_two_networks_is_fine() -> None:
    text = spec("192.0.2.10").replace("198.51.100.0/24", "192.0.2.0/24, ip_range: 192.0.2.64/26")
    text = text.replace("ip_range: 192.0.2.128/25", "ip_range: 192.0.2.128/26")
    text += "  cache:\n    networks:\n      v4only: {ipv4_address: 192.0.2.10}\n"
    assert [f[1] for f in found(text)] == ["address.network-overlap"]  # a warning only


def test_address_in_ip_range_is_a_warning() -> None:
    d = one(spec("192.0.2.130"), "attachment.address-in-range")
    assert not d.is_error and (d.location.line, d.location.column) == WHERE


def test_ipv6_address_on_a_network_without_ipv6() -> None:
    text = (
        spec("192.0.2.10") + '  api:\n    networks:\n      v4only: {ipv6_address: "2001:db8::5"}\n'
    )
    d = one(text, "attachment.ipv6-off")
    assert (d.location.line, d.location.column) == (25, 30)
    assert "'v4only'" in d.message


def test_ipv6_address_outside_the_ipv6_subnets() -> None:
    text = spec("192.0.2.10").replace('"2001:db8::11"', '"2001:db9::11"')
    d = one(text, "attachment.address-outside")
    assert "IPv6" in d.message and (d.location.line, d.location.column) == (22, 53)


def test_attachment_to_an_undeclared_network() -> None:
    text = spec("192.0.2.10") + "  api:\n    networks: [lan, wan]\n"
    d = one(text, "attachment.unknown-network")
    assert (d.location.line, d.location.column) == (24, 21)
    assert "declared: lan, v4only" in (d.hint or "")
