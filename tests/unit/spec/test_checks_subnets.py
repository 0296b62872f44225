"""Subnets, gateways, ranges and aux addresses: each mistake found at its value."""

from __future__ import annotations

from tests.unit.spec.checks_support import found, one

LAN = """\
name: lab
networks:
  lan:
    driver: macvlan
    parent: eth0
    subnets:
      - subnet: {subnet}
        gateway: {gateway}
        ip_range: {ip_range}
        aux_addresses: {{router: {aux}}}
"""


def lan(
    subnet: str = "192.0.2.0/24",
    gateway: str = "192.0.2.1",
    ip_range: str = "192.0.2.128/25",
    aux: str = "192.0.2.254",
) -> str:
    return LAN.format(subnet=subnet, gateway=gateway, ip_range=ip_range, aux=aux)


def test_a_correct_network_has_no_findings() -> None:
    assert found(lan()) == []


def test_host_bits_get_did_you_mean() -> None:
    d = one(lan(subnet="192.0.2.5/24"), "address.host-bits")
    assert (d.location.line, d.location.column) == (7, 17)
    assert d.hint == "did you mean 192.0.2.0/24?"
    assert d.is_error


def test_host_bits_in_ip_range() -> None:
    d = one(lan(ip_range="192.0.2.130/25"), "address.host-bits")
    assert (d.location.line, d.location.column) == (9, 19)
    assert d.hint == "did you mean 192.0.2.128/25?"


def test_ipv6_host_bits() -> None:
    d = one(
        lan(
            subnet="2001:db8::1/64",
            gateway="2001:db8::2",
            ip_range="2001:db8::/80",
            aux="2001:db8::ff",
        ),
        "address.host-bits",
    )
    assert d.hint == "did you mean 2001:db8::/64?"


def test_gateway_outside_subnet() -> None:
    d = one(lan(gateway="192.0.3.1"), "address.gateway-outside")
    assert (d.location.line, d.location.column) == (8, 18)
    assert "192.0.3.1 is outside subnet 192.0.2.0/24" in d.message
    assert d.hint is not None and "192.0.2.1" in d.hint


def test_gateway_of_the_other_family_is_outside() -> None:
    assert one(lan(gateway="2001:db8::1"), "address.gateway-outside").is_error


def test_gateway_on_network_or_broadcast_address() -> None:
    assert "network address" in one(lan(gateway="192.0.2.0"), "address.gateway-reserved").message
    d = one(lan(gateway="192.0.2.255"), "address.gateway-reserved")
    assert "broadcast address" in d.message and (d.location.line, d.location.column) == (8, 18)


def test_point_to_point_subnets_have_no_reserved_addresses() -> None:
    text = lan(subnet="192.0.2.0/31", gateway="192.0.2.0", ip_range="192.0.2.0/31", aux="192.0.2.1")
    assert "address.gateway-reserved" not in {f[1] for f in found(text)}


def test_ip_range_outside_subnet() -> None:
    d = one(lan(ip_range="198.51.100.0/25"), "address.ip-range-outside")
    assert (d.location.line, d.location.column) == (9, 19)
    assert d.hint is not None and "192.0.2.128/25" in d.hint


def test_ip_range_larger_than_subnet() -> None:
    assert one(lan(ip_range="192.0.0.0/16"), "address.ip-range-outside").is_error


def test_aux_address_outside_subnet() -> None:
    d = one(lan(aux="10.0.0.1"), "address.aux-outside")
    assert (d.location.line, d.location.column) == (10, 33)
    assert "'router'" in d.message


def test_aux_address_on_gateway_inside_the_range_fails_the_create() -> None:
    d = one(lan(gateway="192.0.2.200", aux="192.0.2.200"), "address.aux-taken")
    assert d.is_error and "gateway" in d.message


def test_aux_address_on_gateway_outside_the_range_is_only_useless() -> None:
    d = one(lan(aux="192.0.2.1"), "address.aux-taken")
    assert not d.is_error and "no effect" in d.message


def test_two_aux_addresses_on_one_address() -> None:
    text = lan().replace("{router: 192.0.2.254}", "{router: 192.0.2.254, nas: 192.0.2.254}")
    d = one(text, "address.aux-taken")
    assert "aux address 'router' too" in d.message and d.location.column == 51
    assert "'nas'" in d.message


def test_overlapping_subnets_of_one_network() -> None:
    text = lan() + "      - subnet: 192.0.2.0/25\n"
    d = one(text, "address.subnet-overlap")
    assert (d.location.line, d.location.column) == (11, 17)
    assert "(line 7)" in d.message


OVERLAP = """\
name: lab
networks:
  a:
    driver: macvlan
    parent: eth0
    subnets:
      - {{subnet: 192.0.2.0/24{range_a}}}
  b:
    driver: macvlan
    parent: eth1
    subnets:
      - {{subnet: 192.0.2.0/25{range_b}}}
"""


def overlap(range_a: str = "", range_b: str = "") -> str:
    return OVERLAP.format(range_a=range_a, range_b=range_b)


def test_subnets_of_two_networks_without_ranges_overlap_as_an_error() -> None:
    d = one(overlap(), "address.network-overlap")
    assert d.is_error and (d.location.line, d.location.column) == (12, 18)
    assert "of network 'a' (line 7)" in d.message


def test_overlap_with_disjoint_ranges_is_a_warning() -> None:
    text = overlap(", ip_range: 192.0.2.0/26", ", ip_range: 192.0.2.64/26")
    assert not one(text, "address.network-overlap").is_error


def test_overlap_with_one_range_is_a_warning() -> None:
    text = overlap(range_b=", ip_range: 192.0.2.64/26")
    assert not one(text, "address.network-overlap").is_error


def test_overlap_with_overlapping_ranges_is_an_error() -> None:
    text = overlap(", ip_range: 192.0.2.0/26", ", ip_range: 192.0.2.0/27")
    assert one(text, "address.network-overlap").is_error


def test_disjoint_subnets_of_two_networks_are_fine() -> None:
    assert found(overlap().replace("192.0.2.0/25", "198.51.100.0/25")) == []


def test_ipv6_false_with_an_ipv6_subnet() -> None:
    text = """\
    name: lab
    networks:
      v6:
        driver: macvlan
        ipv6: false
        subnets: [{subnet: "2001:db8::/64"}]
    """
    d = one(text, "address.ipv6-off")
    assert (d.location.line, d.location.column) == (5, 11)


def test_ipv6_true_or_unsaid_with_an_ipv6_subnet_is_fine() -> None:
    text = """\
    name: lab
    networks:
      v6:
        driver: macvlan
        subnets: [{subnet: "2001:db8::/64"}]
    """
    assert found(text) == []
    assert found(text.replace("driver: macvlan", "driver: macvlan\n        ipv6: true")) == []
