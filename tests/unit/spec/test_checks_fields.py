"""Options, labels and names: what the schema lets through but Docker or vlanspec cannot take."""

from __future__ import annotations

import pytest

from tests.unit.spec.checks_support import found, one


def network(extra: str, name: str = "lan", driver: str = "macvlan") -> str:
    return f"name: lab\nnetworks:\n  {name}:\n    driver: {driver}\n    parent: eth0\n{extra}"


@pytest.mark.parametrize(
    ("key", "field", "driver"),
    [
        ("parent", "parent", "macvlan"),
        ("macvlan_mode", "mode", "macvlan"),
        ("ipvlan_mode", "mode", "ipvlan"),
        ("ipvlan_flag", "flag", "ipvlan"),
    ],
)
def test_option_repeating_a_field(key: str, field: str, driver: str) -> None:
    d = one(network(f"    options: {{{key}: x}}\n", driver=driver), "spec.option-field")
    assert (d.location.line, d.location.column) == (6, 15)
    assert f"'{field}'" in d.message


def test_other_options_pass_through() -> None:
    assert found(network("    options: {com.example.mtu: '1400'}\n")) == []


def test_reserved_label_prefix() -> None:
    d = one(
        network("    labels:\n      owner: me\n      io.vlanspec.spec: other\n"),
        "spec.reserved-label",
    )
    assert (d.location.line, d.location.column) == (8, 7)


def test_similar_but_unreserved_label_is_fine() -> None:
    assert found(network("    labels: {io.vlanspecs.x: y, vlanspec: z}\n")) == []


@pytest.mark.parametrize("name", ["bridge", "host", "none"])
def test_predefined_network_names(name: str) -> None:
    d = one(network("", name=name), "spec.network-name")
    assert (d.location.line, d.location.column) == (3, 3)


def test_one_character_container_name() -> None:
    text = network("") + "containers:\n  a:\n    networks: [lan]\n  ab:\n    networks: [lan]\n"
    d = one(text, "spec.container-name")
    assert (d.location.line, d.location.column) == (7, 3)
