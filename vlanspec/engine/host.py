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


def parent_base(parent: str) -> str:
    """The interface that must exist for ``parent``: ``eth0`` for VLAN parent ``eth0.20``.

    Docker creates a VLAN sub-interface itself when it is missing, so only its base interface
    has to exist beforehand.
    """
    base, dot, vid = parent.rpartition(".")
    return base if dot and base and vid.isdigit() else parent
