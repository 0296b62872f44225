"""Plans as data: what to change on one engine, and why.

A plan is a first-class object (as in Terraform): the text, JSON and Markdown views render the
same plan, a saved plan can be applied later, and apply executes exactly what it lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from vlanspec.diagnostics import Location
from vlanspec.spec.model import Subnet
from vlanspec.state import EngineInfo


class ActionKind(StrEnum):
    CREATE = "create"
    DELETE = "delete"
    REPLACE = "replace"
    CONNECT = "connect"
    DISCONNECT = "disconnect"
    REATTACH = "reattach"


class NoteKind(StrEnum):
    PENDING = "pending"  # a declared container that does not exist (yet)
    UNMANAGED = "unmanaged"  # a container on a managed network that the spec does not list
    CONFLICT = "conflict"  # a same-named network without our label: nothing is planned for it
    ENGINE_LIMIT = "engine-limit"  # declared, but this engine cannot do it (e.g. MAC on connect)
    WARNING = "warning"  # anything else the user should read before applying


@dataclass(frozen=True)
class NetworkConfig:
    """Everything needed to create a network, normalized; labels include vlanspec's own."""

    name: str
    driver: str
    options: Mapping[str, str] = field(default_factory=dict)
    subnets: tuple[Subnet, ...] = ()
    ipv6: bool = False
    internal: bool = False
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Endpoint:
    """How one container is (to be) connected to one network."""

    container: str
    network: str
    ipv4_address: str | None = None
    ipv6_address: str | None = None
    mac_address: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def is_static(self) -> bool:
        return self.ipv4_address is not None or self.ipv6_address is not None


@dataclass(frozen=True)
class Change:
    """One attribute that differs between the live state and the spec, for the plan's reasons."""

    field: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class Action:
    """One step of a plan.

    - create: ``config`` is the network to create.
    - delete: ``detach`` lists the containers disconnected first.
    - replace: ``detach`` are disconnected, the network deleted and created from ``config``, then
      ``attach`` are connected (spec settings, or the settings they had for unlisted containers).
    - connect / reattach: ``endpoint`` is the wanted attachment (reattach disconnects first).
    - disconnect: ``endpoint`` is the attachment to remove.
    """

    kind: ActionKind
    network: str
    reason: str = ""
    config: NetworkConfig | None = None
    endpoint: Endpoint | None = None
    detach: tuple[Endpoint, ...] = ()
    attach: tuple[Endpoint, ...] = ()
    changes: tuple[Change, ...] = ()
    location: Location | None = None

    @property
    def container(self) -> str | None:
        return self.endpoint.container if self.endpoint else None


@dataclass(frozen=True)
class Note:
    """Something the plan wants the user to read; it changes nothing."""

    kind: NoteKind
    message: str
    network: str | None = None
    container: str | None = None
    hint: str | None = None
    location: Location | None = None


@dataclass(frozen=True)
class Plan:
    """The ordered actions that take one engine from its live state to one spec."""

    spec: str
    engine: EngineInfo
    actions: tuple[Action, ...] = ()
    notes: tuple[Note, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.actions

    @property
    def conflicts(self) -> tuple[Note, ...]:
        """Declared networks vlanspec may not touch: while any exist the spec is not in force."""
        return tuple(n for n in self.notes if n.kind is NoteKind.CONFLICT)

    @property
    def in_force(self) -> bool:
        """Nothing left to do and nothing in the way: the live state is what the spec says.

        Pending containers and unmanaged attachments are facts a spec allows, not failures.
        """
        return self.is_empty and not self.conflicts

    def count(self, kind: ActionKind) -> int:
        return sum(1 for a in self.actions if a.kind is kind)

    def summary(self) -> str:
        """Terraform-style summary line, or "No changes." when there is nothing to do."""
        if self.is_empty:
            return "No changes. The live state matches the spec."
        return (
            f"Plan: {self.count(ActionKind.CREATE)} to create, "
            f"{self.count(ActionKind.REPLACE)} to replace, "
            f"{self.count(ActionKind.DELETE)} to delete, "
            f"{self.count(ActionKind.CONNECT)} to connect, "
            f"{self.count(ActionKind.REATTACH)} to reattach, "
            f"{self.count(ActionKind.DISCONNECT)} to disconnect."
        )
