"""What each Docker Engine version can do: the one place that knows.

The preflight checks, the planner's normalization and apply's verification all ask here, so a
behaviour that changes with the engine version is written down exactly once. Sources:
docs/docker-engine-facts.md in the design notes (moby sources, checked on real engines).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Version = tuple[int, int, int]


def parse_version(text: str) -> Version:
    """``"20.10.24+dfsg1"`` -> ``(20, 10, 24)``; unknown parts count as 0."""
    numbers = [int(n) for n in re.findall(r"\d+", text.split("+")[0].split("-")[0])[:3]]
    while len(numbers) < 3:
        numbers.append(0)
    return (numbers[0], numbers[1], numbers[2])


@dataclass(frozen=True)
class Capabilities:
    """The behaviours of one engine version that vlanspec must respect."""

    version: Version

    def at_least(self, major: int, minor: int = 0, patch: int = 0) -> bool:
        return self.version >= (major, minor, patch)

    @property
    def version_text(self) -> str:
        """``"20.10.24"``: the version as messages name it."""
        return ".".join(str(n) for n in self.version)

    @property
    def shared_macvlan_parent(self) -> bool:
        """Several macvlan networks on one parent (not passthru): allowed from 27.0.1."""
        return self.at_least(27, 0, 1)

    @property
    def ipvlan_flag(self) -> bool:
        """The ``ipvlan_flag`` option and mode ``l3s``: from 23.0."""
        return self.at_least(23)

    @property
    def mac_on_connect(self) -> bool:
        """A MAC address given on network connect is honoured from 29.3 (API 1.54) only."""
        return self.at_least(29, 3)

    @property
    def l3_ipvlan_beside_default_route(self) -> bool:
        """A container with a default route (any non-internal network) can join a non-internal
        ipvlan l3/l3s network from 28.0; before, the connect fails with ``routes to
        ["0.0.0.0/0"]: file exists`` (moby#48576, fixed in 28.0 by moby#49130)."""
        return self.at_least(28)

    @property
    def unique_network_names(self) -> bool:
        """Network names are unique from 25.0 (older engines need CheckDuplicate)."""
        return self.at_least(25)

    def auto_gateway(self, driver: str, mode: str, internal: bool) -> bool:
        """Whether the engine allocates a gateway when none is given.

        Up to 27.x always; 28.0 stopped for internal networks and ipvlan l3/l3s; 29.0 also for
        macvlan and ipvlan l2. An absent gateway in inspect is therefore never drift.
        """
        if not self.at_least(28):
            return True
        if self.at_least(29):
            return False
        return not (internal or (driver == "ipvlan" and mode in ("l3", "l3s")))

    @property
    def random_macvlan_mac(self) -> bool:
        """From 28.0 a macvlan MAC is random on every start unless pinned."""
        return self.at_least(28)


def capabilities(version: str) -> Capabilities:
    return Capabilities(parse_version(version))
