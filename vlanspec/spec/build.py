"""Building the typed model from a document that passed schema validation."""

from __future__ import annotations

from typing import Any

from vlanspec.spec.model import (
    Attachment,
    Network,
    Path,
    SourceMap,
    Spec,
    Subnet,
)


def build_spec(data: dict[str, Any], source: SourceMap) -> Spec:
    """The :class:`Spec` of a valid document (the schema guarantees every shape used here)."""
    networks = tuple(
        _network(name, body, ("networks", name))
        for name, body in sorted((data.get("networks") or {}).items())
    )
    attachments: list[Attachment] = []
    for container, body in sorted((data.get("containers") or {}).items()):
        wanted = body.get("networks") or {}
        base: Path = ("containers", container, "networks")
        if isinstance(wanted, list):
            attachments.extend(
                Attachment(container, net, path=(*base, i)) for i, net in enumerate(wanted)
            )
            continue
        for net, settings in sorted(wanted.items()):
            attachments.append(_attachment(container, net, settings or {}, (*base, net)))
    return Spec(
        name=data["name"],
        version=int(data.get("version", 1)),
        networks=networks,
        attachments=tuple(sorted(attachments, key=lambda a: (a.network, a.container))),
        source=source,
    )


def _network(name: str, body: dict[str, Any], path: Path) -> Network:
    subnets = tuple(
        Subnet(
            subnet=s["subnet"],
            gateway=s.get("gateway"),
            ip_range=s.get("ip_range"),
            aux_addresses=dict(sorted((s.get("aux_addresses") or {}).items())),
            path=(*path, "subnets", i),
        )
        for i, s in enumerate(body.get("subnets") or [])
    )
    return Network(
        name=name,
        driver=body["driver"],
        parent=body.get("parent"),
        mode=body.get("mode"),
        flag=body.get("flag"),
        subnets=subnets,
        ipv6=bool(body.get("ipv6", False)),
        internal=bool(body.get("internal", False)),
        labels=dict(sorted((body.get("labels") or {}).items())),
        options=dict(sorted((body.get("options") or {}).items())),
        attachments=body.get("attachments", "additive"),
        path=path,
    )


def _attachment(container: str, network: str, body: dict[str, Any], path: Path) -> Attachment:
    return Attachment(
        container=container,
        network=network,
        ipv4_address=body.get("ipv4_address"),
        ipv6_address=body.get("ipv6_address"),
        mac_address=body["mac_address"].lower() if body.get("mac_address") else None,
        aliases=None if body.get("aliases") is None else tuple(sorted(body["aliases"])),
        path=path,
    )
