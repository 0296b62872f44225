"""Normalization: engine defaults and spellings never show as changes, real differences do."""

from __future__ import annotations

import re

import pytest

from tests.helpers.plans import network, spec_from_yaml
from vlanspec.engine.capabilities import capabilities
from vlanspec.plan.normalize import (
    canonical_address,
    canonical_cidr,
    desired_config,
    fingerprint,
    live_config,
    network_changes,
)
from vlanspec.spec.model import FINGERPRINT_LABEL, SPEC_LABEL, Network, Subnet
from vlanspec.state import LiveNetwork

CAPS_27 = capabilities("27.3.1")
CAPS_29 = capabilities("29.0.0")


def one_network(body: str) -> Network:
    spec = spec_from_yaml(f"version: 1\nname: lab\nnetworks:\n  n: {body}\n")
    return spec.networks[0]


def live_twin(net: Network, **changes: object) -> LiveNetwork:
    """The live network the engine would report for ``net``: options echoed, no fingerprint."""
    config = desired_config(net, "lab")
    labels = {k: v for k, v in config.labels.items() if k != FINGERPRINT_LABEL}
    fields: dict[str, object] = {
        "options": dict(config.options),
        "labels": labels,
        "subnets": config.subnets,
        "ipv6": config.ipv6,
        "internal": config.internal,
    }
    fields.update(changes)
    return LiveNetwork(id="id-n", name="n", driver=config.driver, **fields)  # type: ignore[arg-type]


def fields(changes: tuple[object, ...]) -> list[str]:
    return [c.field for c in changes]  # type: ignore[attr-defined]


def test_desired_config_carries_options_labels_and_fingerprint() -> None:
    net = one_network(
        "{driver: ipvlan, parent: eth0.20, labels: {owner: netops}, options: {mtu: '1400'},"
        " subnets: [{subnet: '2001:DB8::/64'}]}"
    )
    config = desired_config(net, "lab")
    assert dict(config.options) == {"ipvlan_mode": "l2", "mtu": "1400", "parent": "eth0.20"}
    assert config.labels[SPEC_LABEL] == "lab" and config.labels["owner"] == "netops"
    assert re.fullmatch(r"[0-9a-f]{16}", config.labels[FINGERPRINT_LABEL])
    assert config.subnets[0].subnet == "2001:db8::/64"
    assert config.ipv6 is True, "an IPv6 subnet turns IPv6 on"
    assert config.internal is False


def test_the_flag_is_passed_only_when_given_and_no_parent_means_internal() -> None:
    config = desired_config(one_network("{driver: ipvlan, flag: private}"), "lab")
    assert config.options == {"ipvlan_flag": "private", "ipvlan_mode": "l2"}
    assert config.internal is True, "Docker makes a network without parent internal"


def test_fingerprint_is_stable_and_ignores_spelling_but_not_content() -> None:
    plain = desired_config(
        one_network("{driver: macvlan, subnets: [{subnet: '2001:db8::/64'}]}"), "lab"
    )
    spelled = desired_config(
        one_network("{driver: macvlan, mode: bridge, subnets: [{subnet: '2001:DB8:0::/64'}]}"),
        "lab",
    )
    other = desired_config(
        one_network("{driver: macvlan, subnets: [{subnet: '2001:db8:1::/64'}]}"), "lab"
    )
    assert plain.labels[FINGERPRINT_LABEL] == spelled.labels[FINGERPRINT_LABEL]
    assert plain.labels[FINGERPRINT_LABEL] != other.labels[FINGERPRINT_LABEL]
    assert fingerprint(plain) == fingerprint(plain) == plain.labels[FINGERPRINT_LABEL]
    # The fingerprint label itself does not feed the fingerprint.
    assert fingerprint(live_config(live_twin(one_network("{driver: macvlan}")))) == fingerprint(
        desired_config(one_network("{driver: macvlan}"), "lab")
    )


def test_a_live_twin_without_fingerprint_shows_no_changes() -> None:
    net = one_network(
        "{driver: macvlan, parent: eth0, labels: {a: b}, subnets: [{subnet: 192.0.2.0/24,"
        " gateway: 192.0.2.1, ip_range: 192.0.2.128/25, aux_addresses: {r: 192.0.2.254}}]}"
    )
    assert network_changes(desired_config(net, "lab"), live_twin(net), CAPS_27) == ()


@pytest.mark.parametrize(
    ("body", "live_options"),
    [
        ("{driver: macvlan, parent: eth0}", {"parent": "eth0"}),
        ("{driver: macvlan, parent: eth0, mode: bridge}", {"parent": "eth0"}),
        ("{driver: ipvlan, parent: eth0}", {"parent": "eth0"}),
        ("{driver: ipvlan, parent: eth0, mode: l2, flag: bridge}", {"parent": "eth0"}),
        ("{driver: ipvlan, parent: eth0, mode: l3}", {"parent": "eth0", "ipvlan_mode": "l3"}),
    ],
)
def test_missing_mode_and_flag_options_mean_the_driver_defaults(
    body: str, live_options: dict[str, str]
) -> None:
    net = one_network(body)
    live = live_twin(net, options=live_options)
    assert network_changes(desired_config(net, "lab"), live, CAPS_27) == ()


def test_a_different_mode_is_a_change() -> None:
    net = one_network("{driver: ipvlan, parent: eth0, mode: l3}")
    live = live_twin(net, options={"parent": "eth0"})
    changes = network_changes(desired_config(net, "lab"), live, CAPS_27)
    assert [(c.field, c.before, c.after) for c in changes] == [("mode", "l2", "l3")]


def test_addresses_compare_by_value() -> None:
    net = one_network(
        "{driver: macvlan, parent: eth0,"
        " subnets: [{subnet: '2001:db8::/64', gateway: '2001:db8::1'}]}"
    )
    shouting = (Subnet("2001:DB8:0:0::/64", gateway="2001:DB8::0:1"),)
    live = live_twin(net, subnets=shouting, ipv6=True)
    assert network_changes(desired_config(net, "lab"), live, CAPS_27) == ()
    assert canonical_cidr("2001:DB8::/64") == "2001:db8::/64"
    assert canonical_address("2001:DB8::0:1") == "2001:db8::1"


def test_subnet_order_is_not_a_change() -> None:
    net = one_network(
        "{driver: ipvlan, parent: eth0, mode: l3,"
        " subnets: [{subnet: 10.0.1.0/24}, {subnet: 10.0.0.0/24}]}"
    )
    live = live_twin(net, subnets=(Subnet("10.0.0.0/24"), Subnet("10.0.1.0/24")))
    assert network_changes(desired_config(net, "lab"), live, CAPS_27) == ()


def test_absent_gateway_is_never_drift() -> None:
    net = one_network("{driver: macvlan, parent: eth0, subnets: [{subnet: 192.0.2.0/24}]}")
    live = live_twin(net, subnets=(Subnet("192.0.2.0/24"),))
    for caps in (CAPS_27, CAPS_29):
        assert network_changes(desired_config(net, "lab"), live, caps) == ()


def test_auto_gateway_is_drift_only_where_the_engine_would_not_pick_one() -> None:
    net = one_network("{driver: macvlan, parent: eth0, subnets: [{subnet: 192.0.2.0/24}]}")
    live = live_twin(net, subnets=(Subnet("192.0.2.0/24", gateway="192.0.2.1"),))
    assert network_changes(desired_config(net, "lab"), live, CAPS_27) == ()
    changes = network_changes(desired_config(net, "lab"), live, CAPS_29)
    assert [(c.field, c.before, c.after) for c in changes] == [
        ("subnets", "192.0.2.0/24 gateway 192.0.2.1", "192.0.2.0/24")
    ]


def test_a_gateway_the_spec_gives_is_compared() -> None:
    net = one_network(
        "{driver: macvlan, parent: eth0, subnets: [{subnet: 192.0.2.0/24, gateway: 192.0.2.1}]}"
    )
    live = live_twin(net, subnets=(Subnet("192.0.2.0/24", gateway="192.0.2.254"),))
    assert fields(network_changes(desired_config(net, "lab"), live, CAPS_27)) == ["subnets"]


def test_pools_the_engine_picked_for_a_family_the_spec_leaves_open_are_not_drift() -> None:
    net = one_network("{driver: macvlan, parent: eth0, subnets: [{subnet: '2001:db8::/64'}]}")
    picked = (Subnet("172.18.0.0/16", gateway="172.18.0.1"), Subnet("2001:db8::/64"))
    live = live_twin(net, subnets=picked)
    assert network_changes(desired_config(net, "lab"), live, CAPS_29) == ()
    no_subnets = one_network("{driver: macvlan, parent: eth0}")
    assert (
        network_changes(
            desired_config(no_subnets, "lab"), live_twin(no_subnets, subnets=picked[:1]), CAPS_29
        )
        == ()
    )


def test_parentless_live_network_counts_as_internal() -> None:
    net = one_network("{driver: macvlan}")
    live = live_twin(net, internal=False)
    assert network_changes(desired_config(net, "lab"), live, CAPS_27) == ()


def test_ipv6_internal_labels_and_options_are_changes_reported_per_key() -> None:
    net = one_network(
        "{driver: macvlan, parent: eth0, ipv6: true, internal: true, labels: {owner: netops},"
        " options: {mtu: '1400'}}"
    )
    live = live_twin(
        net,
        ipv6=False,
        internal=False,
        labels={SPEC_LABEL: "lab", "owner": "dev", "extra": "x"},
        options={"parent": "eth0", "mtu": "1500"},
    )
    changes = network_changes(desired_config(net, "lab"), live, CAPS_27)
    assert [(c.field, c.before, c.after) for c in changes] == [
        ("ipv6", "false", "true"),
        ("internal", "false", "true"),
        ("labels.extra", "x", None),
        ("labels.owner", "dev", "netops"),
        ("options.mtu", "1500", "1400"),
    ]


def test_the_fingerprint_label_is_not_a_label_difference() -> None:
    net = one_network("{driver: macvlan, parent: eth0}")
    stale = live_twin(net, labels={SPEC_LABEL: "lab", FINGERPRINT_LABEL: "0123456789abcdef"})
    assert network_changes(desired_config(net, "lab"), stale, CAPS_27) == ()


def test_a_matching_fingerprint_is_a_fast_path() -> None:
    # The network was created from exactly this configuration (networks are immutable), so
    # whatever the engine reports differently is its own spelling, not drift.
    net = one_network("{driver: macvlan, parent: eth0, subnets: [{subnet: 192.0.2.0/24}]}")
    config = desired_config(net, "lab")
    echoed = live_twin(
        net,
        labels=dict(config.labels),
        options={"parent": "eth0", "com.docker.network.new_default": "1"},
        subnets=(Subnet("192.0.2.0/24", gateway="192.0.2.1"),),
    )
    assert network_changes(config, echoed, CAPS_29) == ()
    echoed_without = live_twin(net, options=dict(echoed.options), subnets=echoed.subnets)
    assert fields(network_changes(config, echoed_without, CAPS_29)) == [
        "subnets",
        "options.com.docker.network.new_default",
    ]


def test_driver_and_parent_changes() -> None:
    net = one_network("{driver: macvlan, parent: eth1}")
    live = network("n", "ipvlan", options={"parent": "eth0"})
    changes = network_changes(desired_config(net, "lab"), live, CAPS_27)
    assert [(c.field, c.before, c.after) for c in changes][:3] == [
        ("driver", "ipvlan", "macvlan"),
        ("parent", "eth0", "eth1"),
        ("mode", "l2", "bridge"),
    ]
