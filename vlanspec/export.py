"""Writing a spec for what is live, so an existing setup can be brought under vlanspec.

The output is a valid spec whose comments say where each value came from. For networks vlanspec
already manages, ``export`` then ``plan`` shows no changes; networks it does not manage can then
be adopted (``apply --adopt``), which replaces them while keeping every attachment.

What is exported, and why:
- user labels and driver options, but not vlanspec's own labels nor the options the spec has
  fields for (parent, mode, flag);
- a container's address only when it was connected with a static one (a dynamic address in the
  spec would pin it, which is a change in behaviour), aliases without the engine's short id;
- a MAC only on macvlan and only where the engine honours a MAC on connect (29.3+): elsewhere
  it is written as a comment, since the spec could not keep it anyway.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from vlanspec.engine.capabilities import capabilities
from vlanspec.plan.ownership import owner_of
from vlanspec.spec.model import DEFAULT_MODE, FLAG_OPTION, LABEL_PREFIX, MODE_OPTION
from vlanspec.state import LiveEndpoint, LiveNetwork, LiveState

DRIVERS = ("macvlan", "ipvlan")


def exportable(live: LiveState, spec: str | None = None) -> list[LiveNetwork]:
    """The macvlan/ipvlan networks to export: all, or those the spec named ``spec`` owns."""
    found = [n for n in live.networks if n.driver in DRIVERS]
    if spec is not None:
        found = [n for n in found if owner_of(n) == spec]
    return sorted(found, key=lambda n: n.name)


def export_spec(live: LiveState, name: str, networks: Iterable[LiveNetwork]) -> str:
    """The YAML text of a spec named ``name`` declaring ``networks`` and their attachments."""
    chosen = list(networks)
    doc = CommentedMap()
    doc["version"] = 1
    doc["name"] = name
    engine = live.engine
    doc.yaml_set_start_comment(
        "yaml-language-server: $schema=../schemas/vlanspec.schema.json\n"
        f"Exported by vlanspec from Docker Engine {engine.version} (API {engine.api_version})"
        f"{' at ' + engine.host if engine.host else ''}."
    )
    nets = CommentedMap()
    for network in chosen:
        nets[network.name] = _network(network)
        owner = owner_of(network)
        origin = f"managed by spec {owner!r}" if owner else "not managed by vlanspec yet"
        nets.yaml_set_comment_before_after_key(
            network.name, before=f"network {network.id[:12]}: {origin}", indent=2
        )
    doc["networks"] = nets
    containers = _containers(live, chosen)
    if containers:
        doc["containers"] = containers
    stream = io.StringIO()
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    yaml.dump(doc, stream)
    return stream.getvalue()


def _network(network: LiveNetwork) -> CommentedMap:
    body = CommentedMap()
    body["driver"] = network.driver
    options = dict(network.options)
    parent = options.pop("parent", None)
    if parent:
        body["parent"] = parent
    mode = options.pop(MODE_OPTION[network.driver], None)
    body["mode"] = mode or DEFAULT_MODE[network.driver]
    if not mode:
        body.yaml_add_eol_comment("the driver's default (no mode option on the network)", "mode")
    flag = options.pop(FLAG_OPTION, None) if network.driver == "ipvlan" else None
    if flag:
        body["flag"] = flag
    if network.subnets:
        subnets = CommentedSeq()
        for subnet in network.subnets:
            item = CommentedMap()
            item["subnet"] = subnet.subnet
            if subnet.gateway:
                item["gateway"] = subnet.gateway
            if subnet.ip_range:
                item["ip_range"] = subnet.ip_range
            if subnet.aux_addresses:
                item["aux_addresses"] = CommentedMap(sorted(subnet.aux_addresses.items()))
            subnets.append(item)
        body["subnets"] = subnets
    if network.ipv6 and not any(s.is_ipv6 for s in network.subnets):
        body["ipv6"] = True
    if network.internal and parent:
        body["internal"] = True
    labels = {k: v for k, v in network.labels.items() if not k.startswith(LABEL_PREFIX)}
    if labels:
        body["labels"] = CommentedMap(sorted(labels.items()))
    if options:
        body["options"] = CommentedMap(sorted(options.items()))
    return body


def _containers(live: LiveState, networks: list[LiveNetwork]) -> CommentedMap:
    names = {n.name: n for n in networks}
    honours_mac = capabilities(live.engine.version).mac_on_connect
    per_container: dict[str, list[LiveEndpoint]] = {}
    for endpoint in live.endpoints:
        if endpoint.network in names:
            per_container.setdefault(endpoint.container, []).append(endpoint)
    result = CommentedMap()
    for container in sorted(per_container):
        attachments = CommentedMap()
        for endpoint in sorted(per_container[container], key=lambda e: e.network):
            settings = CommentedMap()
            if endpoint.requested_ipv4:
                settings["ipv4_address"] = endpoint.requested_ipv4
            if endpoint.requested_ipv6:
                settings["ipv6_address"] = endpoint.requested_ipv6
            macvlan = names[endpoint.network].driver == "macvlan"
            if macvlan and endpoint.mac_address and honours_mac:
                settings["mac_address"] = endpoint.mac_address
            if endpoint.aliases:
                settings["aliases"] = sorted(endpoint.aliases)
            attachments[endpoint.network] = settings or None
            seen = [endpoint.ipv4_address or endpoint.ipv6_address or "no address yet"]
            if endpoint.mac_address and macvlan:
                seen.append(f"MAC {endpoint.mac_address}")
            note = "live: " + ", ".join(seen)
            if not endpoint.requested_ipv4 and not endpoint.requested_ipv6:
                note += " (dynamic)"
            if macvlan and endpoint.mac_address and not honours_mac:
                note += "; this engine ignores a MAC on connect"
            attachments.yaml_add_eol_comment(note, endpoint.network)
        body = CommentedMap()
        body["networks"] = attachments
        result[container] = body
    return result
