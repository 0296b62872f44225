"""Veth pairs on the host, made and removed by the tests themselves.

Only links created here are ever deleted; nothing touches eth0 or any interface the tests did
not create. Names are short (Linux allows 15 characters): ``vs`` + 4 hex digits, and the
peer gets a ``p`` suffix.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
from pathlib import Path

SYS_NET = Path("/sys/class/net")


class LinkError(RuntimeError):
    """An ``ip`` command failed, or ``ip`` is missing."""


def ip(*args: str) -> str:
    """Run ``ip ARGS`` and return its output; raise with ip's message if it fails."""
    executable = shutil.which("ip")
    if executable is None:
        raise LinkError("the `ip` command is missing: install iproute2")
    result = subprocess.run([executable, *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise LinkError(f"ip {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout


def link_exists(name: str) -> bool:
    return (SYS_NET / name).exists()


def link_operstate(name: str) -> str:
    """The kernel's operstate of a link: ``up``, ``down``, ``lowerlayerdown``, ..."""
    return (SYS_NET / name / "operstate").read_text().strip()


def unique_veth_name(prefix: str = "vs") -> str:
    """A name for a new veth whose name and peer name (name + ``p``) are both free."""
    for _ in range(100):
        name = f"{prefix}{secrets.token_hex(2)}"
        if not link_exists(name) and not link_exists(f"{name}p"):
            return name
    raise LinkError("no free veth name found")


def create_veth_pair(name: str) -> str:
    """Create veth ``name`` with peer ``name``p, set both ends up, return ``name``.

    Both ends must be up, or macvlan endpoints on ``name`` cannot reach each other.
    """
    peer = f"{name}p"
    ip("link", "add", name, "type", "veth", "peer", "name", peer)
    try:
        ip("link", "set", peer, "up")
        ip("link", "set", name, "up")
    except LinkError:
        delete_link(name)
        raise
    return name


def delete_link(name: str) -> None:
    """Delete a link made by :func:`create_veth_pair` (its peer goes with it); no-op if gone."""
    if link_exists(name):
        ip("link", "del", name)
