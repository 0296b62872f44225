"""The words of the plan's notes: what the user should read, and the way out where there is one.

Kept apart from the planner so that the decisions (in :mod:`vlanspec.plan.diff`) read as
decisions, and the wording can be reviewed in one place.
"""

from __future__ import annotations

from collections.abc import Sequence

from vlanspec.diagnostics import Location
from vlanspec.plan.model import Note, NoteKind
from vlanspec.spec.model import SPEC_LABEL
from vlanspec.state import LiveNetwork


def unlabelled_conflict(name: str, location: Location | None) -> Note:
    return Note(
        NoteKind.CONFLICT,
        f"network '{name}' exists on the engine without the {SPEC_LABEL} label: vlanspec does "
        "not own it, so nothing is planned for it or for the attachments to it",
        network=name,
        hint="rename the network in the spec, or adopt the existing one (vlanspec then replaces "
        "it: recreates it with this spec's labels and reconnects its containers)",
        location=location,
    )


def foreign_conflict(name: str, owner: str, location: Location | None) -> Note:
    return Note(
        NoteKind.CONFLICT,
        f"network '{name}' belongs to spec '{owner}' ({SPEC_LABEL}={owner}): nothing is planned "
        "for it or for the attachments to it",
        network=name,
        hint=f"rename the network in this spec, or remove it from spec '{owner}' first",
        location=location,
    )


def duplicate_names(name: str, networks: Sequence[LiveNetwork], location: Location | None) -> Note:
    ids = ", ".join(sorted(n.id[:12] for n in networks))
    return Note(
        NoteKind.CONFLICT,
        f"{len(networks)} networks named '{name}' exist (ids {ids}): Docker cannot tell them "
        "apart by name, so nothing is planned for them",
        network=name,
        hint="remove all but one with 'docker network rm <id>'",
        location=location,
    )


def _attachments(networks: Sequence[str]) -> str:
    noun = "attachment" if len(networks) == 1 else "attachments"
    return f"{noun} to {', '.join(networks)}"


def pending(container: str, networks: Sequence[str], location: Location | None) -> Note:
    return Note(
        NoteKind.PENDING,
        f"container '{container}' does not exist on the engine: nothing is planned for its "
        f"{_attachments(networks)}",
        container=container,
        hint="vlanspec never creates containers: create it, then run apply again",
        location=location,
    )


def cannot_connect(
    container: str, mode: str, networks: Sequence[str], location: Location | None
) -> Note:
    return Note(
        NoteKind.WARNING,
        f"container '{container}' uses network mode '{mode}', and Docker cannot connect such a "
        f"container to another network: nothing is planned for its {_attachments(networks)}",
        container=container,
        hint="recreate the container on a network of its own (not 'none', 'host' or "
        "'container:...'), then run apply again",
        location=location,
    )


def unmanaged(container: str, network: str, replaced: bool) -> Note:
    then = (
        "it is reconnected with the settings it had when the network is replaced"
        if replaced
        else "it is left alone"
    )
    return Note(
        NoteKind.UNMANAGED,
        f"container '{container}' is attached to '{network}' but not listed in the spec: {then}",
        network=network,
        container=container,
        hint="list it in the spec to manage it, or set 'attachments: exclusive' on the network "
        "to disconnect containers the spec does not list",
    )


def mac_ignored(
    container: str, network: str, mac: str, engine_version: str, location: Location | None
) -> Note:
    return Note(
        NoteKind.ENGINE_LIMIT,
        f"Docker Engine {engine_version} ignores a MAC address given on connect (honoured from "
        f"29.3): container '{container}' gets a MAC of the engine's choosing on '{network}', "
        f"not {mac}; vlanspec does not reattach it for a MAC this engine cannot set",
        network=network,
        container=container,
        hint="upgrade to Docker Engine 29.3 or newer, or set the MAC when the container is "
        "created ('docker run --mac-address', compose 'mac_address')",
        location=location,
    )


def address_in_use(
    address: str, container: str, holder: str, network: str, location: Location | None
) -> Note:
    return Note(
        NoteKind.WARNING,
        f"{address}, which the spec gives '{container}' on '{network}', is in use by "
        f"'{holder}': connecting '{container}' will fail with 'Address already in use'",
        network=network,
        container=container,
        hint=f"give '{container}' another address, or disconnect '{holder}' from '{network}'",
        location=location,
    )


def address_dropped(container: str, network: str, address: str, why: str) -> Note:
    return Note(
        NoteKind.WARNING,
        f"container '{container}' had the static address {address} on '{network}', which {why}: "
        "after the replace it gets a dynamic address",
        network=network,
        container=container,
        hint=f"list '{container}' in the spec with the address it should have",
    )


def interrupted_replace(
    network: str, volumes: Sequence[str], since: str, containers: Sequence[str], *, declared: bool
) -> Note:
    """A journal entry (vlanspec.journal) shows that a run stopped during a replace or a
    reattach, before it had reconnected every container it disconnected."""
    who = ", ".join(containers) or "no container"
    where = ", ".join(volumes)
    if declared:
        message = (
            f"a run was interrupted while replacing network '{network}' or reconnecting "
            f"containers to it (journal {where}, "
            f"since {since}): this plan finishes it first, reconnecting whichever of its "
            f"containers are not attached ({who})"
        )
        hint = (
            "the journal is removed once an apply has verified the spec in force; "
            "until then every plan reconnects the containers it lists"
        )
    else:
        message = (
            f"a run was interrupted while replacing network '{network}' or reconnecting "
            f"containers to it (journal {where}, "
            f"since {since}), which the spec no longer declares: its containers ({who}) are "
            "not reconnected"
        )
        hint = (
            "declare the network again to have them reconnected; the next apply that verifies "
            "the spec removes the journal"
        )
    return Note(NoteKind.WARNING, message, network=network, hint=hint)
