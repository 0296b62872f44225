"""Links for the kernel tests: what the running kernel can create (``ip`` is the helpers')."""

from __future__ import annotations

import secrets
from typing import Protocol

from tests.helpers.links import LinkError, ip, link_exists


def missing_kernel_features() -> list[str]:
    """Create (and delete) a dummy link, a VLAN on it, an ipvlan and a macvlan: what fails?"""
    probe = f"vsk{secrets.token_hex(2)}"
    checks = [
        ("dummy links", ("link", "add", probe, "type", "dummy")),
        (
            "802.1Q VLANs (8021q)",
            ("link", "add", "link", probe, f"{probe}.5", "type", "vlan", "id", "5"),
        ),
        ("ipvlan", ("link", "add", "link", f"{probe}.5", f"{probe}i", "type", "ipvlan")),
        ("macvlan", ("link", "add", "link", probe, f"{probe}m", "type", "macvlan")),
    ]
    missing: list[str] = []
    try:
        for feature, args in checks:
            try:
                ip(*args)
            except LinkError as error:
                missing.append(f"{feature} ({error})")
                if not link_exists(probe):  # without the dummy nothing else can be tried
                    break
    finally:
        if link_exists(probe):
            ip("link", "del", probe)  # takes the VLAN, ipvlan and macvlan links with it
    return missing


class MakeDummy(Protocol):
    def __call__(self) -> str:
        """Create a dummy link (up) and return its name."""
        ...
