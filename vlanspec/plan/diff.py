"""The planner: ``diff(spec, live) -> Plan``, a pure and deterministic function.

Pure so that it can be tested fast and exhaustively (the property tests apply its plans to a
model of the engine and plan again), deterministic so that the same inputs always give the same
plan in the same order, which is what reviewers and saved plans rely on.

What it decides, per spec network:

- absent on the engine: **create** it, then **connect** each declared container;
- present without this spec's label (or with another spec's): a **conflict** note and nothing
  else, unless the caller adopts an unlabelled network, which is then replaced;
- present and owned but different (:func:`~vlanspec.plan.normalize.network_changes`):
  **replace** it, with every container that should be on it afterwards in ``attach``;
- present, owned and equal: **connect** missing attachments, **reattach** differing ones
  (:func:`~vlanspec.plan.endpoints.endpoint_changes`), **disconnect** containers the spec does
  not list when the network's attachments are ``exclusive``, or note them when ``additive``.

Live networks that carry this spec's label and are no longer declared are **deleted**.

A replace that a run started and did not finish left journal entries (:mod:`vlanspec.journal`,
read as ``live.journal``): each shows as a warning, and the plan finishes it, whatever state it
stopped in: the containers the journal names that the spec does not list and that are not
attached are put back in the replace's ``attach`` (network still old), or **connected** with
their recorded settings (network created again, or missing and created by this plan).

Actions come in the order in which they can run one by one: disconnects, deletes, replaces,
creates, reattaches, connects; within each kind by network name, then (connects and reattaches)
static addresses before dynamic ones, then container name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from vlanspec.engine.capabilities import Capabilities, capabilities
from vlanspec.journal import entries_of, merged
from vlanspec.plan import notes
from vlanspec.plan.endpoints import (
    current_endpoint,
    desired_endpoint,
    endpoint_changes,
    kept_endpoint,
)
from vlanspec.plan.model import (
    Action,
    ActionKind,
    Change,
    Endpoint,
    NetworkConfig,
    Note,
    NoteKind,
    Plan,
)
from vlanspec.plan.normalize import address_in, canonical_address, canonical_mac, desired_config
from vlanspec.plan.normalize import network_changes as _network_changes
from vlanspec.plan.ownership import owned_by, owner_of
from vlanspec.spec.model import Attachment, Network, Spec
from vlanspec.state import JournaledAttachment, LiveContainer, LiveEndpoint, LiveNetwork, LiveState

_PHASE = {
    ActionKind.DISCONNECT: 0,
    ActionKind.DELETE: 1,
    ActionKind.REPLACE: 2,
    ActionKind.CREATE: 3,
    ActionKind.REATTACH: 4,
    ActionKind.CONNECT: 5,
}
_NOTE_ORDER = {
    kind: i
    for i, kind in enumerate(
        (
            NoteKind.CONFLICT,
            NoteKind.ENGINE_LIMIT,
            NoteKind.WARNING,
            NoteKind.PENDING,
            NoteKind.UNMANAGED,
        )
    )
}
#: Network modes whose containers Docker refuses to connect to another network.
_UNCONNECTABLE = ("none", "host")


def diff(spec: Spec, live: LiveState, *, adopt: Collection[str] = ()) -> Plan:
    """The plan that takes ``live`` to ``spec``.

    ``adopt`` names networks that exist without any ``io.vlanspec.spec`` label and that the user
    wants this spec to take over: they are replaced (recreated with this spec's labels) instead of
    being reported as conflicts. Networks of another spec are never adopted.
    """
    return _Planner(spec, live, frozenset(adopt)).plan()


def action_order(action: Action) -> tuple[int, str, int, str]:
    """The sort key of an action in a plan (see the module docstring)."""
    endpoint = action.endpoint
    static = 0 if endpoint is None or endpoint.is_static else 1
    return (_PHASE[action.kind], action.network, static, action.container or "")


def _note_order(note: Note) -> tuple[int, str, str, str, str, str]:
    return (
        _NOTE_ORDER.get(note.kind, len(_NOTE_ORDER)),
        note.network or "",
        note.container or "",
        note.message,
        note.hint or "",
        str(note.location or ""),
    )


def unconnectable(container: LiveContainer) -> bool:
    """Whether Docker refuses to connect this container to another network."""
    mode = container.network_mode
    return mode in _UNCONNECTABLE or mode.startswith("container:")


#: Properties named in the plural ("aliases differ", not "aliases differs").
PLURAL_FIELDS = frozenset({"aliases", "subnets", "labels", "options"})


def what_differs(changes: tuple[Change, ...]) -> str:
    """``"subnets and labels differ"``: the changed properties, ``labels.x`` counted as labels."""
    names: list[str] = []
    for change in changes:
        name = change.field.split(".", 1)[0]
        if name not in names:
            names.append(name)
    if len(names) == 1:
        return f"{names[0]} {'differ' if names[0] in PLURAL_FIELDS else 'differs'}"
    return ", ".join(names[:-1]) + " and " + names[-1] + " differ"


class _Planner:
    """One planning run; collects actions and notes, then sorts them into a :class:`Plan`."""

    def __init__(self, spec: Spec, live: LiveState, adopt: frozenset[str]) -> None:
        self.spec = spec
        self.live = live
        self.adopt = adopt
        self.caps: Capabilities = capabilities(live.engine.version)
        self.actions: list[Action] = []
        self.notes: list[Note] = []
        self.by_name: dict[str, list[LiveNetwork]] = defaultdict(list)
        for network in live.networks:
            self.by_name[network.name].append(network)
        self.containers = {c.name: c for c in live.containers}
        # Endpoints by network id and by network name: found per network without a scan.
        self.endpoints_by_id: dict[str, list[LiveEndpoint]] = defaultdict(list)
        self.endpoints_by_name: dict[str, list[LiveEndpoint]] = defaultdict(list)
        for endpoint in live.endpoints:
            if endpoint.network_id:
                self.endpoints_by_id[endpoint.network_id].append(endpoint)
            self.endpoints_by_name[endpoint.network].append(endpoint)
        #: Interrupted replaces of this spec (vlanspec.journal): network -> what to restore.
        self.journal_entries = entries_of(live.journal, spec.name)
        self.journal = {n: merged(e) for n, e in self.journal_entries.items()}

    def plan(self) -> Plan:
        self._journal_notes()
        for network in sorted(self.spec.networks, key=lambda n: n.name):
            self._declared(network)
        for name in sorted(self.by_name):
            if self.spec.network(name) is None:
                self._undeclared(name, self.by_name[name])
        self._containers()
        return Plan(
            spec=self.spec.name,
            engine=self.live.engine,
            actions=tuple(sorted(self.actions, key=action_order)),
            notes=tuple(sorted(dict.fromkeys(self.notes), key=_note_order)),
        )

    # networks ----------------------------------------------------------------------------

    def _declared(self, network: Network) -> None:
        location = self.spec.locate_key(network.path)
        matches = self.by_name.get(network.name, [])
        if len(matches) > 1:
            self.notes.append(notes.duplicate_names(network.name, matches, location))
            return
        desired = desired_config(network, self.spec.name)
        if not matches:
            self._create(network, desired)
            return
        current = matches[0]
        adopting = False
        if not owned_by(current, self.spec.name):
            owner = owner_of(current)
            if owner is not None:
                self.notes.append(notes.foreign_conflict(network.name, owner, location))
                return
            if network.name not in self.adopt:
                self.notes.append(notes.unlabelled_conflict(network.name, location))
                return
            adopting = True
        changes = _network_changes(desired, current, self.caps)
        if changes:
            self._replace(network, desired, current, changes, adopting=adopting)
        else:
            self._attachments(network, current)

    def _undeclared(self, name: str, matches: list[LiveNetwork]) -> None:
        owned = [n for n in matches if owned_by(n, self.spec.name)]
        if not owned:
            return
        if len(matches) > 1:
            self.notes.append(notes.duplicate_names(name, matches, None))
            return
        self.actions.append(
            Action(
                ActionKind.DELETE,
                name,
                reason=f"no longer declared in spec '{self.spec.name}', which owns it",
                detach=tuple(current_endpoint(e) for e in self._endpoints(owned[0])),
            )
        )

    def _create(self, network: Network, desired: NetworkConfig) -> None:
        self.actions.append(
            Action(
                ActionKind.CREATE,
                network.name,
                reason="declared in the spec, absent from the engine",
                config=desired,
                location=self.spec.locate_key(network.path),
            )
        )
        taken: set[str] = set()
        for attachment in self.spec.attachments_of(network.name):
            if self._ready(attachment):
                self._connect(attachment, network)
                addresses = (attachment.ipv4_address, attachment.ipv6_address)
                taken |= {canonical_address(a) for a in addresses if a}
        self._connect_journaled(
            network,
            desired,
            attached=(),
            taken=taken,
            reason="attached before an interrupted replace (journal)",
        )

    def _replace(
        self,
        network: Network,
        desired: NetworkConfig,
        current: LiveNetwork,
        changes: tuple[Change, ...],
        *,
        adopting: bool,
    ) -> None:
        live_endpoints = self._endpoints(current)
        by_container = {e.container: e for e in live_endpoints}
        attach: list[Endpoint] = []
        listed: set[str] = set()
        for attachment in self.spec.attachments_of(network.name):
            listed.add(attachment.container)
            if self._ready(attachment):
                live = by_container.get(attachment.container)
                attach.append(self._want(attachment, network, live))
                self._mac_note(attachment, network)
        taken = {a for e in attach for a in (e.ipv4_address, e.ipv6_address) if a}
        for live in live_endpoints:
            if live.container in listed or network.attachments == "exclusive":
                continue
            kept = kept_endpoint(live, desired, mac_allowed=self._mac_allowed(network), taken=taken)
            self._dropped_address_notes(live, kept, desired, taken)
            self.notes.append(notes.unmanaged(live.container, network.name, replaced=True))
            attach.append(kept)
            taken |= {a for a in (kept.ipv4_address, kept.ipv6_address) if a}
        attached = {e.container for e in live_endpoints}
        attach.extend(self._journaled(network, desired, attached=attached, taken=taken))
        if adopting:
            reason = f"adopted: recreated with this spec's labels ({what_differs(changes)})"
        else:
            reason = f"{what_differs(changes)} from the spec; Docker networks cannot be changed"
        self.actions.append(
            Action(
                ActionKind.REPLACE,
                network.name,
                reason=reason,
                config=desired,
                detach=tuple(current_endpoint(e) for e in live_endpoints),
                attach=tuple(sorted(attach, key=lambda e: (not e.is_static, e.container))),
                changes=changes,
                location=self.spec.locate_key(network.path),
            )
        )

    # attachments -------------------------------------------------------------------------

    def _attachments(self, network: Network, current: LiveNetwork) -> None:
        """Connect, reattach and disconnect on a network that stays as it is."""
        live_endpoints = {e.container: e for e in self._endpoints(current)}
        listed: set[str] = set()
        moving: set[str] = set()
        planned: list[Attachment] = []
        for attachment in self.spec.attachments_of(network.name):
            listed.add(attachment.container)
            if not self._ready(attachment):
                continue
            live = live_endpoints.get(attachment.container)
            want = self._want(attachment, network, live)
            if live is None:
                self._connect(attachment, network)
                planned.append(attachment)
                continue
            changes = endpoint_changes(want, live)
            if changes:
                moving.add(attachment.container)
                planned.append(attachment)
                self.actions.append(
                    Action(
                        ActionKind.REATTACH,
                        network.name,
                        reason=f"{what_differs(changes)} from the spec",
                        endpoint=want,
                        changes=changes,
                        location=self.spec.locate_key(attachment.path),
                    )
                )
                self._mac_note(attachment, network)
            elif self._mac_differs(attachment, live):
                self._mac_note(attachment, network)
        for name, live in sorted(live_endpoints.items()):
            if name in listed:
                continue
            if network.attachments == "exclusive":
                moving.add(name)
                self.actions.append(
                    Action(
                        ActionKind.DISCONNECT,
                        network.name,
                        reason="not listed in the spec, and the network's attachments are "
                        "exclusive",
                        endpoint=current_endpoint(live),
                    )
                )
            else:
                self.notes.append(notes.unmanaged(name, network.name, replaced=False))
        staying = [e for n, e in live_endpoints.items() if n not in moving]
        self._address_clashes(network, planned, staying)
        taken = {
            canonical_address(a)
            for a in [
                *(x for p in planned for x in (p.ipv4_address, p.ipv6_address)),
                *(
                    x
                    for e in staying
                    for x in (e.ipv4_address, e.ipv6_address, e.requested_ipv4, e.requested_ipv6)
                ),
            ]
            if a
        }
        desired = desired_config(network, self.spec.name)
        self._connect_journaled(
            network,
            desired,
            attached=set(live_endpoints),
            taken=taken,
            reason="attached before an interrupted replace (journal), not attached now",
        )

    def _connect(self, attachment: Attachment, network: Network) -> None:
        self.actions.append(
            Action(
                ActionKind.CONNECT,
                network.name,
                reason="declared in the spec, not attached",
                endpoint=self._want(attachment, network),
                location=self.spec.locate_key(attachment.path),
            )
        )
        self._mac_note(attachment, network)

    def _containers(self) -> None:
        """Notes for declared containers that cannot be attached at all (absent or unable)."""
        for name in self.spec.containers:
            networks = sorted({a.network for a in self.spec.attachments_for(name)})
            location = self.spec.locate_key(("containers", name))
            container = self.containers.get(name)
            if container is None:
                self.notes.append(notes.pending(name, networks, location))
            elif unconnectable(container):
                self.notes.append(
                    notes.cannot_connect(name, container.network_mode, networks, location)
                )

    # the journal of interrupted replaces ------------------------------------------------

    def _journal_notes(self) -> None:
        for name, entries in sorted(self.journal_entries.items()):
            self.notes.append(
                notes.interrupted_replace(
                    name,
                    [e.name for e in entries],
                    entries[0].created,
                    [a.container for a in self.journal[name]],
                    declared=self.spec.network(name) is not None,
                )
            )

    def _connect_journaled(
        self,
        network: Network,
        desired: NetworkConfig,
        *,
        attached: Collection[str],
        taken: set[str],
        reason: str,
    ) -> None:
        """A connect for each journaled container to bring back (see :meth:`_journaled`)."""
        for kept in self._journaled(network, desired, attached=attached, taken=taken):
            self.actions.append(
                Action(ActionKind.CONNECT, network.name, reason=reason, endpoint=kept)
            )

    def _journaled(
        self,
        network: Network,
        desired: NetworkConfig,
        *,
        attached: Collection[str],
        taken: set[str],
    ) -> list[Endpoint]:
        """Journaled containers to reconnect: not listed by the spec (the spec's attachments
        are planned from the spec), not attached now, existing and connectable. Each gets its
        recorded settings, by the same rules as a replace keeps an unlisted container's.
        ``taken`` (addresses others will hold) grows with the addresses kept."""
        if network.attachments == "exclusive":
            return []
        listed = {a.container for a in self.spec.attachments_of(network.name)}
        found: list[Endpoint] = []
        for recorded in self.journal.get(network.name, ()):
            name = recorded.container
            container = self.containers.get(name)
            if name in listed or name in attached or container is None:
                continue
            if unconnectable(container):
                continue
            pseudo = _as_live(recorded, network.name, container.id)
            kept = kept_endpoint(
                pseudo, desired, mac_allowed=self._mac_allowed(network), taken=taken
            )
            self._dropped_address_notes(pseudo, kept, desired, taken)
            taken |= {a for a in (kept.ipv4_address, kept.ipv6_address) if a}
            found.append(kept)
        return found

    # helpers -----------------------------------------------------------------------------

    def _ready(self, attachment: Attachment) -> bool:
        """Whether the container exists and can be connected (otherwise a note says why)."""
        container = self.containers.get(attachment.container)
        return container is not None and not unconnectable(container)

    def _recorded(self, attachment: Attachment) -> LiveEndpoint | None:
        """The container as an interrupted replace's journal recorded it on the attachment's
        network: where the spec leaves aliases alone, it is reconnected with the ones it had."""
        container = self.containers.get(attachment.container)
        if attachment.aliases is not None or container is None:
            return None
        for recorded in self.journal.get(attachment.network, ()):
            if recorded.container == attachment.container:
                return _as_live(recorded, attachment.network, container.id)
        return None

    def _mac_allowed(self, network: Network) -> bool:
        return network.driver == "macvlan" and self.caps.mac_on_connect

    def _want(
        self, attachment: Attachment, network: Network, live: LiveEndpoint | None = None
    ) -> Endpoint:
        """The endpoint to connect; aliases the spec leaves alone come from ``live``, or, for a
        container an interrupted replace left detached, from the journal."""
        found = live if live is not None else self._recorded(attachment)
        return desired_endpoint(attachment, mac_allowed=self._mac_allowed(network), live=found)

    def _endpoints(self, network: LiveNetwork) -> tuple[LiveEndpoint, ...]:
        """The live attachments to one network, sorted by container name.

        The same rule as :meth:`LiveEndpoint.is_on`, through the indexes: by id where both
        sides have one, else by name.
        """
        if network.id:
            found = self.endpoints_by_id.get(network.id, []) + [
                e for e in self.endpoints_by_name.get(network.name, []) if not e.network_id
            ]
        else:
            found = list(self.endpoints_by_name.get(network.name, []))
        return tuple(sorted(found, key=lambda e: e.container))

    def _mac_differs(self, attachment: Attachment, live: LiveEndpoint) -> bool:
        return (
            attachment.mac_address is not None
            and live.mac_address is not None
            and canonical_mac(live.mac_address) != canonical_mac(attachment.mac_address)
        )

    def _mac_note(self, attachment: Attachment, network: Network) -> None:
        if attachment.mac_address is None or network.driver != "macvlan":
            return
        if self.caps.mac_on_connect:
            return
        self.notes.append(
            notes.mac_ignored(
                attachment.container,
                network.name,
                canonical_mac(attachment.mac_address),
                self.live.engine.version,
                self.spec.locate_key((*attachment.path, "mac_address")),
            )
        )

    def _address_clashes(
        self, network: Network, planned: list[Attachment], staying: list[LiveEndpoint]
    ) -> None:
        held: dict[str, str] = {}
        for live in staying:
            for address in (
                live.ipv4_address,
                live.requested_ipv4,
                live.ipv6_address,
                live.requested_ipv6,
            ):
                if address:
                    held[canonical_address(address)] = live.container
        for attachment in planned:
            for address in (attachment.ipv4_address, attachment.ipv6_address):
                holder = held.get(canonical_address(address)) if address else None
                if address and holder and holder != attachment.container:
                    self.notes.append(
                        notes.address_in_use(
                            canonical_address(address),
                            attachment.container,
                            holder,
                            network.name,
                            self.spec.locate_key(attachment.path),
                        )
                    )

    def _dropped_address_notes(
        self, live: LiveEndpoint, kept: Endpoint, config: NetworkConfig, taken: set[str]
    ) -> None:
        for requested, now in (
            (live.requested_ipv4, kept.ipv4_address),
            (live.requested_ipv6, kept.ipv6_address),
        ):
            if not requested or now is not None:
                continue
            address = canonical_address(requested)
            why = (
                "the spec now gives another container"
                if address in taken
                else "lies outside the new subnets"
                if not address_in(address, config.subnets)
                else "cannot be kept"
            )
            self.notes.append(notes.address_dropped(live.container, config.name, address, why))


def _as_live(recorded: JournaledAttachment, network: str, container_id: str) -> LiveEndpoint:
    """A journaled attachment as the live attachment it was (its addresses as requested)."""
    return LiveEndpoint(
        container=recorded.container,
        container_id=container_id,
        network=network,
        network_id="",
        mac_address=recorded.mac_address,
        requested_ipv4=recorded.ipv4_address,
        requested_ipv6=recorded.ipv6_address,
        aliases=recorded.aliases,
    )
