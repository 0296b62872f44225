"""Export of live state to a spec: what is written, what is left out, and that it is valid."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

from vlanspec.export import export_spec, exportable
from vlanspec.spec import read_spec
from vlanspec.spec.model import Subnet
from vlanspec.state import EngineInfo, LiveEndpoint, LiveNetwork, LiveState

LAN = LiveNetwork(
    "abcdef1234567890",
    "lan",
    "macvlan",
    {"parent": "eth0.20", "macvlan_mode": "private", "foo": "bar"},
    {"io.vlanspec.spec": "lab", "io.vlanspec.fingerprint": "0123", "owner": "x"},
    (Subnet("192.0.2.0/24", "192.0.2.1", "192.0.2.128/25", {"router": "192.0.2.254"}),),
)
L3 = LiveNetwork(
    "fedcba",
    "routed",
    "ipvlan",
    {"parent": "eth1", "ipvlan_mode": "l3"},
    {},
    (Subnet("198.51.100.0/24"),),
)
BRIDGE = LiveNetwork("bb", "bridge", "bridge")
ENDPOINTS = (
    LiveEndpoint(
        "web",
        "c1",
        "lan",
        "abc",
        "192.0.2.10",
        None,
        "02:42:c0:00:02:0a",
        "192.0.2.10",
        None,
        ("www",),
    ),
    LiveEndpoint("dyn", "c2", "lan", "abc", "192.0.2.99", None, "02:42:c0:00:02:63"),
    LiveEndpoint("web", "c1", "routed", "fed", "198.51.100.5", None, None, "198.51.100.5"),
)


def live(version: str) -> LiveState:
    return LiveState(EngineInfo(version, "1.41"), (LAN, L3, BRIDGE), endpoints=ENDPOINTS)


def test_selection() -> None:
    assert [n.name for n in exportable(live("20.10.24"))] == ["lan", "routed"]
    assert [n.name for n in exportable(live("20.10.24"), "lab")] == ["lan"]


def test_exported_spec(tmp_path: Path) -> None:
    state = live("20.10.24")
    text = export_spec(state, "lab", exportable(state))
    path = tmp_path / "lab.yaml"
    path.write_text(text)
    assert read_spec(str(path), {}).ok
    data = YAML(typ="safe").load(text)
    lan = data["networks"]["lan"]
    assert lan["parent"] == "eth0.20" and lan["mode"] == "private"
    assert lan["options"] == {"foo": "bar"}  # parent and mode have fields of their own
    assert lan["labels"] == {"owner": "x"}  # vlanspec's own labels are not user labels
    assert lan["subnets"][0]["aux_addresses"] == {"router": "192.0.2.254"}
    assert data["networks"]["routed"]["mode"] == "l3"
    assert data["containers"]["web"]["networks"] == {
        "lan": {"ipv4_address": "192.0.2.10", "aliases": ["www"]},
        "routed": {"ipv4_address": "198.51.100.5"},
    }
    assert data["containers"]["dyn"]["networks"] == {"lan": None}  # dynamic stays dynamic
    assert "# network abcdef123456: managed by spec 'lab'" in text
    assert "not managed by vlanspec yet" in text  # routed has no label
    assert "this engine ignores a MAC on connect" in text


def test_mac_exported_where_the_engine_honours_it() -> None:
    state = live("29.3.0")
    data = YAML(typ="safe").load(export_spec(state, "lab", exportable(state)))
    assert data["containers"]["web"]["networks"]["lan"]["mac_address"] == "02:42:c0:00:02:0a"
    assert "mac_address" not in data["containers"]["web"]["networks"]["routed"]  # ipvlan
