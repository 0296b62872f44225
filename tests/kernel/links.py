"""Links for the kernel tests: the ``ip`` command, and what the running kernel can create."""

from __future__ import annotations

import secrets
import shutil
import subprocess
from typing import Protocol

from tests.helpers.links import link_exists


class LinkCommandError(RuntimeError):
    pass


def ip(*args: str) -> str:
    """Run ``ip ARGS`` and return its output; raise with ip's message if it fails."""
    executable = shutil.which("ip")
    if executable is None:
        raise LinkCommandError("the `ip` command is missing: install iproute2")
    result = subprocess.run([executable, *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise LinkCommandError(f"ip {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout


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
            except LinkCommandError as error:
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
