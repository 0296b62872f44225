"""The journal of replaces: encoding, what apply writes, and how the planner finishes a replace."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import pytest

from tests.helpers.plans import container, endpoint, network, spec_from_yaml, state
from vlanspec import journal
from vlanspec.errors import UserError
from vlanspec.plan.diff import diff
from vlanspec.plan.model import ActionKind, Endpoint, NoteKind, Plan
from vlanspec.plan.normalize import desired_config
from vlanspec.spec.model import Spec, Subnet
from vlanspec.state import JournaledAttachment, JournalEntry, LiveNetwork, LiveState

SPEC = spec_from_yaml(
    """
    version: 1
    name: lab
    networks:
      lan:
        driver: macvlan
        parent: eth0
        subnets: [{subnet: 192.0.2.0/24}]
        labels: {generation: b}
    containers:
      web: {networks: {lan: {ipv4_address: 192.0.2.10, aliases: [www]}}}
    """
)


def _entry(generation: int, *attachments: JournaledAttachment, net: str = "lan") -> JournalEntry:
    return JournalEntry(
        name=journal.volume_name("lab", net, generation),
        spec="lab",
        network=net,
        generation=generation,
        created="2026-12-03T14:00:00Z",
        attachments=attachments,
    )


KEPT = JournaledAttachment("kept", ipv4_address="192.0.2.7", aliases=("k", "kk"))
DYN = JournaledAttachment("dyn")
WEB = JournaledAttachment("web", ipv4_address="192.0.2.10", aliases=("www",))


def _current(spec: Spec, name: str = "lan") -> LiveNetwork:
    declared = spec.network(name)
    assert declared is not None
    config = desired_config(declared, spec.name)
    return LiveNetwork(
        id=f"id-{name}",
        name=name,
        driver=config.driver,
        options=dict(config.options),
        labels=dict(config.labels),
        subnets=config.subnets,
    )


def _old() -> LiveNetwork:
    """``lan`` as it was before the replace (label generation=a)."""
    return network(
        "lan",
        options={"parent": "eth0"},
        subnets=(Subnet("192.0.2.0/24"),),
        labels={"generation": "a"},
    )


def _with_journal(live: LiveState, *entries: JournalEntry) -> LiveState:
    return dataclasses.replace(live, journal=entries)


def _connects(plan: Plan) -> list[Endpoint]:
    return [a.endpoint for a in plan.actions if a.kind is ActionKind.CONNECT and a.endpoint]


# -- encoding ---------------------------------------------------------------------------------


def test_an_entry_survives_its_labels() -> None:
    entry = _entry(
        3, KEPT, DYN, JournaledAttachment("m", "192.0.2.9", "2001:db8::9", "02:00:00:00:00:09")
    )
    labels = journal.entry_labels(entry)
    assert labels[journal.LABEL] == "1"
    assert journal.entry_from_volume(entry.name, labels) == entry


@pytest.mark.parametrize(
    "labels",
    [
        {},
        {"io.vlanspec.journal": "1"},
        {"io.vlanspec.journal": "1", "io.vlanspec.journal.version": "99"},
    ],
)
def test_unreadable_entries_are_skipped(labels: Mapping[str, str]) -> None:
    assert journal.entry_from_volume("vlanspec-journal.x", labels) is None


def test_broken_json_is_skipped() -> None:
    labels = journal.entry_labels(_entry(1, KEPT))
    labels["io.vlanspec.journal.attachments"] = "[{"
    assert journal.entry_from_volume("v", labels) is None


def test_the_newest_entry_wins_per_container() -> None:
    older = _entry(1, KEPT, DYN)
    newer = _entry(2, dataclasses.replace(KEPT, ipv4_address="192.0.2.8"))
    assert journal.merged([newer, older]) == (
        DYN,
        dataclasses.replace(KEPT, ipv4_address="192.0.2.8"),
    )


# -- writing ----------------------------------------------------------------------------------


def _replace_plan() -> tuple[Plan, LiveState]:
    live = state(
        _old(),
        container("web"),
        container("kept"),
        container("dyn"),
        endpoint("web", "lan", ipv4="192.0.2.10", requested="192.0.2.10", aliases=("www",)),
        endpoint("kept", "lan", ipv4="192.0.2.7", requested="192.0.2.7", aliases=("k", "kk")),
        endpoint("dyn", "lan", ipv4="192.0.2.200"),
    )
    plan = diff(SPEC, live)
    assert [a.kind for a in plan.actions] == [ActionKind.REPLACE]
    return plan, live


def test_a_replace_journals_every_container_it_reconnects() -> None:
    plan, live = _replace_plan()
    [entry] = journal.entries_to_write(plan, live, created="T")
    assert entry.name == "vlanspec-journal.lab.lan.1"
    assert (entry.spec, entry.network, entry.generation) == ("lab", "lan", 1)
    assert entry.attachments == (DYN, KEPT, WEB)


def test_nothing_is_written_again_when_the_journal_already_says_it() -> None:
    plan, live = _replace_plan()
    assert journal.entries_to_write(plan, _with_journal(live, _entry(1, DYN, KEPT, WEB))) == []


def test_a_different_list_is_a_new_generation() -> None:
    plan, live = _replace_plan()
    [entry] = journal.entries_to_write(plan, _with_journal(live, _entry(1, KEPT)), created="T")
    assert entry.generation == 2 and entry.name.endswith(".lan.2")


def test_a_reattach_with_aliases_is_journalled_and_one_without_is_not() -> None:
    spec = spec_from_yaml(
        """
        version: 1
        name: lab
        networks:
          lan: {driver: macvlan, parent: eth0, subnets: [{subnet: 192.0.2.0/24}]}
        containers:
          web: {networks: {lan: {ipv4_address: 192.0.2.10}}}
          bare: {networks: {lan: {ipv4_address: 192.0.2.11}}}
        """
    )
    live = state(
        _current(spec),
        container("web"),
        container("bare"),
        endpoint("web", "lan", ipv4="192.0.2.20", requested="192.0.2.20", aliases=("www",)),
        endpoint("bare", "lan", ipv4="192.0.2.21", requested="192.0.2.21", aliases=()),
    )
    plan = diff(spec, live)
    assert [a.kind for a in plan.actions] == [ActionKind.REATTACH] * 2
    [entry] = journal.entries_to_write(plan, live, created="T")
    assert entry.network == "lan"
    assert entry.attachments == (WEB,)  # its aliases live nowhere else while it is detached
    # Killed between web's disconnect and connect: the next plan connects it with them.
    detached = state(_current(spec), container("web"), container("bare"))
    connects = _connects(diff(spec, _with_journal(detached, entry)))
    assert Endpoint("web", "lan", "192.0.2.10", aliases=("www",)) in connects


class Store:
    def __init__(self) -> None:
        self.volumes: dict[str, dict[str, str]] = {}
        self.removed: list[str] = []

    def create_volume(self, name: str, labels: Mapping[str, str]) -> dict[str, str]:
        return self.volumes.setdefault(name, dict(labels))

    def remove_volume(self, name: str) -> None:
        self.removed.append(name)
        self.volumes.pop(name, None)


def test_record_writes_once_and_refuses_a_foreign_volume() -> None:
    plan, live = _replace_plan()
    store = Store()
    [written] = journal.record(store, plan, live)
    assert journal.entry_from_volume(written.name, store.volumes[written.name]) == written
    store.volumes[written.name] = {"something": "else"}
    with pytest.raises(UserError, match="already exists with other content"):
        journal.record(store, plan, live)


def test_settle_removes_only_this_specs_entries() -> None:
    store = Store()
    other = dataclasses.replace(_entry(1, DYN), spec="other", name="vlanspec-journal.other.lan.1")
    live = _with_journal(state(), _entry(1, DYN), other)
    journal.settle(store, live, [_entry(2, KEPT)], "lab")
    assert store.removed == ["vlanspec-journal.lab.lan.1", "vlanspec-journal.lab.lan.2"]


# -- planning ---------------------------------------------------------------------------------


def test_network_deleted_before_the_crash_is_created_and_everybody_reconnected() -> None:
    live = state(container("web"), container("kept"), container("dyn"))
    plan = diff(SPEC, _with_journal(live, _entry(1, DYN, KEPT, WEB)))
    assert [a.kind for a in plan.actions] == [ActionKind.CREATE] + [ActionKind.CONNECT] * 3
    assert _connects(plan) == [
        Endpoint("kept", "lan", "192.0.2.7", aliases=("k", "kk")),
        Endpoint("web", "lan", "192.0.2.10", aliases=("www",)),
        Endpoint("dyn", "lan"),
    ]
    [note] = [n for n in plan.notes if n.kind is NoteKind.WARNING]
    assert "interrupted while replacing network 'lan'" in note.message
    assert "vlanspec-journal.lab.lan.1" in note.message


def test_after_the_create_only_the_missing_containers_are_connected() -> None:
    live = state(
        _current(SPEC),
        container("web"),
        container("kept"),
        container("dyn"),
        container("gone", mode="none"),
        endpoint("kept", "lan", ipv4="192.0.2.7", requested="192.0.2.7", aliases=("k", "kk")),
    )
    entry = _entry(1, DYN, KEPT, WEB, JournaledAttachment("gone"), JournaledAttachment("removed"))
    plan = diff(SPEC, _with_journal(live, entry))
    assert _connects(plan) == [
        Endpoint("web", "lan", "192.0.2.10", aliases=("www",)),
        Endpoint("dyn", "lan"),
    ]


def test_a_listed_container_without_declared_aliases_gets_its_journaled_ones_back() -> None:
    spec = spec_from_yaml(
        """
        version: 1
        name: lab
        networks:
          lan: {driver: macvlan, parent: eth0, subnets: [{subnet: 192.0.2.0/24}]}
        containers:
          web: {networks: {lan: {ipv4_address: 192.0.2.10}}}
          bare: {networks: {lan: {ipv4_address: 192.0.2.11, aliases: []}}}
        """
    )
    recorded = (WEB, JournaledAttachment("bare", ipv4_address="192.0.2.11", aliases=("b",)))
    # Killed after the delete: the network is created again, then each is connected.
    gone = state(container("web"), container("bare"))
    assert _connects(diff(spec, _with_journal(gone, _entry(1, *recorded)))) == [
        Endpoint("bare", "lan", "192.0.2.11"),  # aliases: [] is the spec's word
        Endpoint("web", "lan", "192.0.2.10", aliases=("www",)),  # the spec leaves them alone
    ]
    # Killed after the create: the same, onto the network that is there.
    created = state(_current(spec), container("web"), container("bare"))
    assert _connects(diff(spec, _with_journal(created, _entry(1, *recorded)))) == [
        Endpoint("bare", "lan", "192.0.2.11"),
        Endpoint("web", "lan", "192.0.2.10", aliases=("www",)),
    ]
    # Killed during the disconnects: the replace runs again and brings web back with them.
    detached = state(_old(), container("web"), container("bare"))
    [replace] = diff(spec, _with_journal(detached, _entry(1, *recorded))).actions
    assert replace.kind is ActionKind.REPLACE
    assert Endpoint("web", "lan", "192.0.2.10", aliases=("www",)) in replace.attach


def test_a_finished_replace_plans_nothing_but_still_shows_its_journal() -> None:
    live = state(
        _current(SPEC),
        container("web"),
        container("dyn"),
        endpoint("web", "lan", ipv4="192.0.2.10", requested="192.0.2.10", aliases=("www",)),
        endpoint("dyn", "lan", ipv4="192.0.2.99"),
    )
    plan = diff(SPEC, _with_journal(live, _entry(1, DYN, WEB)))
    assert plan.actions == ()
    assert any(n.kind is NoteKind.WARNING and "journal" in n.message for n in plan.notes)


def test_interrupted_during_disconnects_the_replace_brings_back_the_detached_too() -> None:
    live = state(
        _old(),
        container("web"),
        container("kept"),
        container("dyn"),
        endpoint("web", "lan", ipv4="192.0.2.10", requested="192.0.2.10", aliases=("www",)),
    )
    plan = diff(SPEC, _with_journal(live, _entry(1, DYN, KEPT, WEB)))
    [action] = plan.actions
    assert action.kind is ActionKind.REPLACE
    assert [e.container for e in action.detach] == ["web"]
    assert action.attach == (
        Endpoint("kept", "lan", "192.0.2.7", aliases=("k", "kk")),
        Endpoint("web", "lan", "192.0.2.10", aliases=("www",)),
        Endpoint("dyn", "lan"),
    )
    # ... and what apply would journal again is what the journal already says: no new entry.
    assert journal.entries_to_write(plan, _with_journal(live, _entry(1, DYN, KEPT, WEB))) == []


def test_a_journaled_address_the_spec_now_gives_another_container_becomes_dynamic() -> None:
    live = state(container("web"), container("kept"))
    squatter = JournaledAttachment("kept", ipv4_address="192.0.2.10")
    plan = diff(SPEC, _with_journal(live, _entry(1, squatter)))
    assert Endpoint("kept", "lan") in _connects(plan)
    assert any("192.0.2.10" in n.message for n in plan.notes if n.kind is NoteKind.WARNING)


def test_exclusive_networks_do_not_bring_back_unlisted_containers() -> None:
    spec = spec_from_yaml(
        """
        version: 1
        name: lab
        networks:
          lan:
            driver: macvlan
            parent: eth0
            subnets: [{subnet: 192.0.2.0/24}]
            attachments: exclusive
        """
    )
    plan = diff(spec, _with_journal(state(container("kept")), _entry(1, KEPT)))
    assert [a.kind for a in plan.actions] == [ActionKind.CREATE]


def test_a_journal_of_an_undeclared_network_is_only_a_note() -> None:
    plan = diff(
        SPEC, _with_journal(state(_current(SPEC), container("kept")), _entry(1, KEPT, net="old"))
    )
    assert plan.actions == ()
    [note] = [n for n in plan.notes if n.network == "old"]
    assert "no longer declares" in note.message


def test_another_specs_journal_is_ignored() -> None:
    other = dataclasses.replace(_entry(1, KEPT), spec="other")
    plan = diff(SPEC, _with_journal(state(_current(SPEC), container("kept")), other))
    assert plan.actions == () and not [n for n in plan.notes if n.kind is NoteKind.WARNING]
