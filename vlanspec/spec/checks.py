"""Semantic checks of a spec that JSON Schema cannot express (offline: no Docker needed)."""

from __future__ import annotations

from collections.abc import Iterator

from vlanspec.diagnostics import Diagnostic
from vlanspec.spec.model import Spec


def check_spec(spec: Spec) -> list[Diagnostic]:
    """Every problem in one spec that needs more than its schema to see."""
    return [*_attachment_networks(spec)]


def _attachment_networks(spec: Spec) -> Iterator[Diagnostic]:
    for att in spec.attachments:
        network = spec.network(att.network)
        if network is None:
            declared = ", ".join(n.name for n in spec.networks) or "none"
            yield Diagnostic.error(
                "attachment.unknown-network",
                f"container '{att.container}' attaches to network '{att.network}', "
                "which this spec does not declare",
                spec.locate_key(att.path),
                f"declare it under 'networks' (declared: {declared})",
            )
            continue
        if network.driver == "ipvlan" and att.mac_address is not None:
            yield Diagnostic.error(
                "mac.ipvlan",
                f"'{att.network}' is an ipvlan network: its containers share the parent's MAC, "
                "so 'mac_address' cannot be set",
                spec.locate_key((*att.path, "mac_address")),
                "remove 'mac_address', or use a macvlan network to give a container its own MAC",
            )
