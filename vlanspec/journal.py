"""The journal of reconnects: what a replace (or a reattach) must restore, written where any
later run finds it.

A replace disconnects every container from a network, deletes it, creates it again and
reconnects them. A run killed in between would leave containers detached, and the next plan
could not know about the ones the spec does not list (they are no longer on any network it
reads). So before the first destructive step, apply writes one journal entry per replaced
network: every attachment the replace will restore (container, addresses, MAC, aliases). A
reattach (disconnect, connect) that carries aliases is journalled the same way, since aliases
the spec leaves alone exist nowhere else while the container is detached.

Where: on the engine, like the lock (:mod:`vlanspec.lock`), because the next run may start on
another machine. An entry is a Docker volume named ``vlanspec-journal.<spec>.<network>.<n>``
whose labels hold the entry (the attachments as JSON in one label). Labels cannot change, so an
entry is written once; when a later run has to journal the same network again (it finishes an
interrupted replace with a different list), it writes entry ``n + 1``, and readers let the
newest entry win per container. Reading the journal is one volumes list filtered by label,
part of every live-state read, so it costs the same however many entries exist.

When entries go: once a run of the spec has verified that the live state matches the spec
(every journaled container is then attached, or the planner said why it cannot be), apply
removes the spec's entries. Until then every plan shows them and reconnects what is missing
(:func:`vlanspec.plan.diff.diff`).

Encoding and decoding are pure; writing and removing take any :class:`JournalStore`
(:class:`vlanspec.engine.Engine` is one).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from vlanspec.errors import UserError
from vlanspec.logs import get_logger
from vlanspec.plan.model import ActionKind, Endpoint, Plan
from vlanspec.state import JournaledAttachment, JournalEntry, LiveState

log = get_logger(__name__)

VOLUME_PREFIX = "vlanspec-journal."
#: The label every entry carries (its value "1"); reads list volumes filtered by it.
LABEL = "io.vlanspec.journal"
PREFIX = LABEL + "."
#: Format of the entry; a reader skips entries of another version rather than misread them.
VERSION = "1"


class JournalStore(Protocol):
    """The volume calls the journal needs (:class:`vlanspec.engine.Engine` has them)."""

    def create_volume(self, name: str, labels: Mapping[str, str]) -> dict[str, str]: ...

    def remove_volume(self, name: str) -> None: ...


def volume_name(spec: str, network: str, generation: int) -> str:
    return f"{VOLUME_PREFIX}{spec}.{network}.{generation}"


# -- encoding ---------------------------------------------------------------------------------


def _attachment_to_json(attachment: JournaledAttachment) -> dict[str, Any]:
    data: dict[str, Any] = {"container": attachment.container}
    if attachment.ipv4_address:
        data["ipv4_address"] = attachment.ipv4_address
    if attachment.ipv6_address:
        data["ipv6_address"] = attachment.ipv6_address
    if attachment.mac_address:
        data["mac_address"] = attachment.mac_address
    if attachment.aliases:
        data["aliases"] = list(attachment.aliases)
    return data


def _optional(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{key} is not a string")
    return value


def _attachment_from_json(data: Any) -> JournaledAttachment:
    if not isinstance(data, Mapping) or not isinstance(data.get("container"), str):
        raise ValueError("an attachment without a container")
    aliases = data.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise ValueError("aliases are not a list of strings")
    return JournaledAttachment(
        container=data["container"],
        ipv4_address=_optional(data, "ipv4_address"),
        ipv6_address=_optional(data, "ipv6_address"),
        mac_address=_optional(data, "mac_address"),
        aliases=tuple(aliases),
    )


def entry_labels(entry: JournalEntry) -> dict[str, str]:
    """The labels of the volume that holds ``entry``."""
    attachments = [_attachment_to_json(a) for a in entry.attachments]
    return {
        LABEL: "1",
        PREFIX + "version": VERSION,
        PREFIX + "spec": entry.spec,
        PREFIX + "network": entry.network,
        PREFIX + "generation": str(entry.generation),
        PREFIX + "created": entry.created,
        PREFIX + "attachments": json.dumps(attachments, sort_keys=True, separators=(",", ":")),
    }


def entry_from_volume(name: str, labels: Mapping[str, str] | None) -> JournalEntry | None:
    """The entry a volume holds; None (logged) when its labels are not an entry we can read."""
    labels = labels or {}
    if labels.get(LABEL) != "1":
        return None
    try:
        if labels.get(PREFIX + "version") != VERSION:
            raise ValueError(f"version {labels.get(PREFIX + 'version')!r}")
        raw = json.loads(labels[PREFIX + "attachments"])
        if not isinstance(raw, list):
            raise ValueError("attachments are not a list")
        return JournalEntry(
            name=name,
            spec=labels[PREFIX + "spec"],
            network=labels[PREFIX + "network"],
            generation=int(labels[PREFIX + "generation"]),
            created=labels.get(PREFIX + "created", ""),
            attachments=tuple(_attachment_from_json(a) for a in raw),
        )
    except (KeyError, ValueError) as error:  # json.JSONDecodeError is a ValueError
        log.warning("unreadable journal entry ignored", volume=name, error=str(error))
        return None


# -- reading ----------------------------------------------------------------------------------


def entries_of(journal: Iterable[JournalEntry], spec: str) -> dict[str, list[JournalEntry]]:
    """The spec's entries by network, oldest first."""
    found: dict[str, list[JournalEntry]] = {}
    for entry in journal:
        if entry.spec == spec:
            found.setdefault(entry.network, []).append(entry)
    for entries in found.values():
        entries.sort(key=lambda e: (e.generation, e.name))
    return found


def merged(entries: Iterable[JournalEntry]) -> tuple[JournaledAttachment, ...]:
    """Every container the entries name, each with the settings of the newest entry naming it."""
    by_container: dict[str, JournaledAttachment] = {}
    for entry in sorted(entries, key=lambda e: (e.generation, e.name)):
        for attachment in entry.attachments:
            by_container[attachment.container] = attachment
    return tuple(by_container[name] for name in sorted(by_container))


# -- writing and removing ---------------------------------------------------------------------


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _reconnects(plan: Plan) -> dict[str, list[Endpoint]]:
    """Per network, what the plan disconnects and connects again: a replace's whole list, and
    each reattach with aliases (the spec may leave them alone, and then only the container had
    them: a run killed between its disconnect and connect would lose them)."""
    found: dict[str, list[Endpoint]] = {}
    for action in plan.actions:
        if action.kind is ActionKind.REPLACE and action.attach:
            found.setdefault(action.network, []).extend(action.attach)
        elif action.kind is ActionKind.REATTACH and action.endpoint and action.endpoint.aliases:
            found.setdefault(action.network, []).append(action.endpoint)
    return found


def entries_to_write(plan: Plan, live: LiveState, *, created: str = "") -> list[JournalEntry]:
    """The entries ``plan`` needs before it runs: one per network it reconnects containers to
    (by a replace, or by reattaches that carry aliases).

    Nothing is written for a network whose newest entries already say exactly this (a run
    finishing an interrupted replace of the same containers), so retrying costs no volume.
    """
    existing = entries_of(live.journal, plan.spec)
    wanted: list[JournalEntry] = []
    for network, reconnected in _reconnects(plan).items():
        attachments = tuple(
            sorted(
                (
                    JournaledAttachment(
                        container=e.container,
                        ipv4_address=e.ipv4_address,
                        ipv6_address=e.ipv6_address,
                        mac_address=e.mac_address,
                        aliases=tuple(e.aliases),
                    )
                    for e in reconnected
                ),
                key=lambda a: a.container,
            )
        )
        before = existing.get(network, [])
        if before and merged(before) == attachments:
            continue
        generation = max((e.generation for e in before), default=0) + 1
        wanted.append(
            JournalEntry(
                name=volume_name(plan.spec, network, generation),
                spec=plan.spec,
                network=network,
                generation=generation,
                created=created or _now(),
                attachments=attachments,
            )
        )
    return wanted


def record(store: JournalStore, plan: Plan, live: LiveState) -> tuple[JournalEntry, ...]:
    """Write the entries ``plan`` needs (before any of its steps runs); returns them.

    Fails, before anything changed, when a volume of the same name already holds something
    else (only a run that ignored the lock could have written it).
    """
    written: list[JournalEntry] = []
    for entry in entries_to_write(plan, live):
        labels = entry_labels(entry)
        stored = store.create_volume(entry.name, labels)
        if stored != labels:
            raise UserError(
                f"cannot write the journal of the replace of network {entry.network}: the volume "
                f"{entry.name} already exists with other content; nothing was changed",
                "another vlanspec run may be changing this engine without the lock; "
                f"if not, remove the volume ('docker volume rm {entry.name}') and run again",
            )
        log.info(
            "journal written",
            volume=entry.name,
            network=entry.network,
            attachments=len(entry.attachments),
        )
        written.append(entry)
    return tuple(written)


def discard(store: JournalStore, entries: Iterable[JournalEntry], spec: str) -> int:
    """Remove the spec's ``entries`` (call only once the spec is verified in force)."""
    removed = 0
    for entry in sorted({e.name: e for e in entries if e.spec == spec}.values(), key=_order):
        store.remove_volume(entry.name)
        log.info("journal entry removed", volume=entry.name, network=entry.network)
        removed += 1
    return removed


def _order(entry: JournalEntry) -> tuple[str, int]:
    return (entry.network, entry.generation)


def settle(
    store: JournalStore, live: LiveState, written: Iterable[JournalEntry], spec: str
) -> None:
    """After the spec was verified in force: remove its entries (read and written by this run).

    A failure to remove is logged, not raised: the work is done and verified, and an entry
    left behind only makes the next plan show it, check its containers and remove it.
    """
    try:
        discard(store, [*live.journal, *written], spec)
    except UserError as error:
        log.warning("could not remove the journal", error=error.message, hint=error.hint)
