"""The engine's raw answers (as engine 20.10 gives them, seen) into the live-state model."""

from __future__ import annotations

from typing import Any

from vlanspec.engine import read
from vlanspec.spec.model import Attachment, SourceMap, Spec, Subnet
from vlanspec.state import EngineInfo

ENGINE = EngineInfo(version="20.10.24+dfsg1", api_version="1.41", local=True, host="unix:///x")
RUNNING_ID = "28a1b5fe6674d3598ad8f68d0087fc9445cdb82c18a241b7f1dca4ae560b2f97"
CREATED_ID = "9cb148956671f7bdef55718939cbe57b4bf522d87dc1a7c2ed92c9c5ffa62d32"
NETWORK_ID = "623bac716353c7600e926ea19e40ca96ca72933922025d5ee1f2ccf910711f54"

MACVLAN: dict[str, Any] = {
    "Name": "lan",
    "Id": NETWORK_ID,
    "Scope": "local",
    "Driver": "macvlan",
    "EnableIPv6": False,
    "IPAM": {
        "Driver": "default",
        "Options": {},
        "Config": [
            {
                "Subnet": "192.0.2.0/24",
                "IPRange": "192.0.2.128/25",
                "AuxiliaryAddresses": {"r": "192.0.2.254"},
            }
        ],
    },
    "Internal": False,
    "Containers": {},
    "Options": {"parent": "vsq1"},
    "Labels": {"io.vlanspec.spec": "x"},
}
NONE_NETWORK: dict[str, Any] = {
    "Name": "none",
    "Id": "acdacb",
    "Scope": "local",
    "Driver": "null",
    "EnableIPv6": False,
    "IPAM": {"Driver": "default", "Options": None, "Config": []},
    "Internal": False,
    "Options": {},
    "Labels": {},
}


def _endpoint(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "IPAMConfig": None,
        "Links": None,
        "Aliases": None,
        "NetworkID": "",
        "EndpointID": "",
        "Gateway": "",
        "IPAddress": "",
        "IPPrefixLen": 0,
        "IPv6Gateway": "",
        "GlobalIPv6Address": "",
        "GlobalIPv6PrefixLen": 0,
        "MacAddress": "",
        "DriverOpts": None,
    }
    return base | fields


RUNNING: dict[str, Any] = {
    "Id": RUNNING_ID,
    "Names": ["/web"],
    "State": "running",
    "HostConfig": {"NetworkMode": "lan"},
    "NetworkSettings": {
        "Networks": {
            "lan": _endpoint(
                IPAMConfig={"IPv4Address": "192.0.2.10"},
                NetworkID=NETWORK_ID,
                IPAddress="192.0.2.10",
                IPPrefixLen=24,
                MacAddress="02:42:C0:00:02:0A",
            )
        }
    },
}
CREATED: dict[str, Any] = {
    "Id": CREATED_ID,
    "Names": ["/worker"],
    "State": "created",
    "HostConfig": {"NetworkMode": "lan"},
    "NetworkSettings": {"Networks": {"lan": _endpoint()}},
}
INSPECTED: dict[str, Any] = RUNNING | {
    "Name": "/web",  # inspect has one name, where the list has Names
    "NetworkSettings": {
        "Networks": {
            "lan": RUNNING["NetworkSettings"]["Networks"]["lan"]
            | {"Aliases": ["web-alias", "28a1b5fe6674", "web"]}
        }
    },
}


def _spec(*attachments: Attachment, networks: tuple[str, ...] = ()) -> Spec:
    from vlanspec.spec.model import Network

    return Spec(
        name="x",
        networks=tuple(Network(name=n, driver="macvlan") for n in networks),
        attachments=attachments,
        source=SourceMap("x.yaml"),
    )


def test_network_keeps_what_the_engine_reports_and_nothing_it_left_out() -> None:
    network = read.parse_network(MACVLAN)
    assert network.name == "lan"
    assert network.driver == "macvlan"
    assert network.parent == "vsq1"
    assert network.labels == {"io.vlanspec.spec": "x"}
    # The engine picked a gateway itself and does not echo it: absent, not "".
    assert network.subnets == (
        Subnet("192.0.2.0/24", None, "192.0.2.128/25", {"r": "192.0.2.254"}),
    )
    assert not network.ipv6 and not network.internal


def test_networks_without_pools_or_options_parse() -> None:
    network = read.parse_network(NONE_NETWORK)
    assert network.subnets == ()
    assert network.options == {}


def test_running_container_endpoint_has_address_requested_address_and_lower_case_mac() -> None:
    [endpoint] = read.parse_endpoints(RUNNING)
    assert endpoint.container == "web"
    assert endpoint.network == "lan"
    assert endpoint.network_id == NETWORK_ID
    assert endpoint.ipv4_address == "192.0.2.10"
    assert endpoint.requested_ipv4 == "192.0.2.10"
    assert endpoint.mac_address == "02:42:c0:00:02:0a"
    assert endpoint.ipv6_address is None
    assert endpoint.aliases is None  # not read


def test_created_container_has_an_endpoint_without_addresses() -> None:
    [endpoint] = read.parse_endpoints(CREATED)
    assert endpoint.container == "worker"
    assert endpoint.ipv4_address is None and endpoint.requested_ipv4 is None
    assert endpoint.mac_address is None
    assert not read.parse_container(CREATED).running


def test_own_name_is_chosen_over_legacy_link_names() -> None:
    raw = {"Names": ["/other/alias", "/db"]}
    assert read.container_name(raw) == "db"


def test_aliases_from_inspect_drop_the_name_and_short_id_the_engine_adds() -> None:
    table = read.aliases_from_inspect(INSPECTED, None)
    assert table == {(RUNNING_ID, "lan"): ("web-alias",)}
    assert read.aliases_from_inspect(INSPECTED, frozenset({"other"})) == {}


def test_only_containers_declaring_aliases_on_spec_networks_are_inspected() -> None:
    spec = _spec(
        Attachment("web", "lan", aliases=("www",)),
        Attachment("ghost", "lan", aliases=()),
        Attachment("worker", "lan"),  # aliases not declared: left alone, not read
        networks=("lan",),
    )
    names, networks = read.wanted_aliases(spec)
    assert names == {"web", "ghost"}
    assert read.alias_targets([RUNNING, CREATED], names, networks) == [RUNNING_ID]
    # Named, but on no network of the spec: no inspect.
    assert read.alias_targets([RUNNING], names, frozenset({"wan"})) == []
    # Names: any network counts. None: nobody.
    assert read.alias_targets([RUNNING, CREATED], *read.wanted_aliases(["worker"])) == [CREATED_ID]
    assert read.alias_targets([RUNNING, CREATED], *read.wanted_aliases(None)) == []


def test_live_state_is_sorted_and_carries_the_aliases_read() -> None:
    aliases = read.aliases_from_inspect(INSPECTED, None)
    live = read.build_live_state(ENGINE, [MACVLAN, NONE_NETWORK], [RUNNING, CREATED], aliases)
    assert [n.name for n in live.networks] == ["lan", "none"]
    assert [c.name for c in live.containers] == ["web", "worker"]
    assert [(e.container, e.aliases) for e in live.endpoints_of("lan")] == [
        ("web", ("web-alias",)),
        ("worker", None),
    ]
    assert live.engine is ENGINE


def test_aliases_read_later_fill_only_endpoints_without_them() -> None:
    live = read.build_live_state(ENGINE, [MACVLAN], [RUNNING, CREATED])
    table = {(RUNNING_ID, "lan"): ("later",), (CREATED_ID, "wan"): ("elsewhere",)}
    filled = read.with_aliases(live, table)
    assert [(e.container, e.aliases) for e in filled.endpoints] == [
        ("web", ("later",)),
        ("worker", None),
    ]
    assert read.with_aliases(filled, {(RUNNING_ID, "lan"): ("again",)}) == filled
