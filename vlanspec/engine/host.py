"""The host's network interfaces, for checks that only make sense on a local engine.

When the engine runs on this machine (a unix socket), a parent that does not exist here will
not exist for the engine either, and saying so before anything changes beats a half-applied
plan. On a remote engine these checks cannot be made, and callers must skip them.
"""

from __future__ import annotations

from pathlib import Path

SYS_CLASS_NET = Path("/sys/class/net")


def host_interfaces(root: Path = SYS_CLASS_NET) -> frozenset[str]:
    """Names of the network interfaces on this host (empty when ``root`` cannot be read)."""
    try:
        return frozenset(entry.name for entry in root.iterdir())
    except OSError:
        return frozenset()
