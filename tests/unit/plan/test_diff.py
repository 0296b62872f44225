"""The planner's decisions, one behaviour per test, on hand-built live states."""

from __future__ import annotations

import pytest

from tests.helpers.plans import container, container_id, endpoint, network, spec_from_yaml, state
from vlanspec.plan.diff import diff
from vlanspec.plan.model import Action, ActionKind, Endpoint, NoteKind, Plan
from vlanspec.plan.normalize import desired_config
from vlanspec.plan.ownership import owned_by, owner_of
from vlanspec.spec.model import FINGERPRINT_LABEL, SPEC_LABEL, Spec, Subnet
from vlanspec.state import LiveContainer, LiveEndpoint, LiveNetwork

Part = LiveNetwork | LiveContainer | LiveEndpoint

SPEC = spec_from_yaml(
    """
    version: 1
    name: lab
    networks:
      mac:
        driver: macvlan
        parent: eth0
        subnets: [{subnet: 192.0.2.0/24, gateway: 192.0.2.1, ip_range: 192.0.2.128/25}]
      routed:
        driver: ipvlan
        parent: eth1
        mode: l3
        subnets: [{subnet: 198.51.100.0/24}]
    containers:
      web:
        networks:
          mac: {ipv4_address: 192.0.2.10, mac_address: "02:42:C0:00:02:0A", aliases: [www]}
          routed: {ipv4_address: 198.51.100.10}
      worker:
        networks: [mac]
    """
)


def live_network(spec: Spec, name: str, **changes: object) -> LiveNetwork:
    """The live network that applying ``spec`` would have created (fingerprint included)."""
    net = spec.network(name)
    assert net is not None
    config = desired_config(net, spec.name)
    fields: dict[str, object] = {
        "options": dict(config.options),
        "labels": dict(config.labels),
        "subnets": config.subnets,
        "ipv6": config.ipv6,
        "internal": config.internal,
    }
    fields.update(changes)
    return LiveNetwork(id=f"id-{name}", name=name, driver=config.driver, **fields)  # type: ignore[arg-type]


def converged(version: str = "29.3.0") -> list[Part]:
    """A live state that matches SPEC, with the engine's own additions (short-id aliases)."""
    return [
        live_network(SPEC, "mac"),
        live_network(SPEC, "routed"),
        container("web"),
        container("worker"),
        endpoint(
            "web",
            "mac",
            ipv4="192.0.2.10",
            requested="192.0.2.10",
            mac="02:42:c0:00:02:0a",
            aliases=("www", container_id("web")[:12], "web"),
        ),
        endpoint("web", "routed", ipv4="198.51.100.10", requested="198.51.100.10", aliases=()),
        endpoint("worker", "mac", ipv4="192.0.2.130", mac="02:42:c0:00:02:82", aliases=None),
    ]


def kinds(plan: Plan) -> list[tuple[str, str, str | None]]:
    return [(a.kind.value, a.network, a.container) for a in plan.actions]


def only(plan: Plan, kind: ActionKind) -> Action:
    found = [a for a in plan.actions if a.kind is kind]
    assert len(found) == 1, kinds(plan)
    return found[0]


def notes_of(plan: Plan, kind: NoteKind) -> list[str]:
    return [n.message for n in plan.notes if n.kind is kind]


def test_empty_engine_creates_networks_then_connects_static_before_dynamic() -> None:
    plan = diff(SPEC, state(container("web"), container("worker"), version="29.3.0"))
    assert kinds(plan) == [
        ("create", "mac", None),
        ("create", "routed", None),
        ("connect", "mac", "web"),
        ("connect", "mac", "worker"),
        ("connect", "routed", "web"),
    ]
    web = plan.actions[2].endpoint
    assert web == Endpoint("web", "mac", "192.0.2.10", None, "02:42:c0:00:02:0a", ("www",))
    create = plan.actions[0]
    assert create.config is not None and create.config.labels[SPEC_LABEL] == "lab"
    assert create.location is not None and create.location.line == 4
    assert plan.summary().startswith("Plan: 2 to create, 0 to replace, 0 to delete, 3 to connect")


def test_converged_state_plans_nothing() -> None:
    plan = diff(SPEC, state(*converged()))
    assert plan.is_empty, kinds(plan)
    assert plan.notes == ()
    assert plan.summary() == "No changes. The live state matches the spec."


def test_converged_state_without_fingerprints_plans_nothing() -> None:
    parts = converged()
    parts[0] = live_network(SPEC, "mac", labels={SPEC_LABEL: "lab"}, options={"parent": "eth0"})
    plan = diff(SPEC, state(*parts))
    assert plan.is_empty, kinds(plan)


def test_declared_container_that_does_not_exist_is_pending_not_an_error() -> None:
    plan = diff(SPEC, state(container("worker")))
    assert ("connect", "mac", "web") not in kinds(plan)
    assert ("connect", "mac", "worker") in kinds(plan)
    pending = [n for n in plan.notes if n.kind is NoteKind.PENDING]
    assert [n.container for n in pending] == ["web"]
    assert "mac, routed" in pending[0].message
    assert pending[0].location is not None and pending[0].location.line == 14


def test_missing_attachment_is_connected() -> None:
    parts = [p for p in converged() if getattr(p, "container", None) != "worker"]
    plan = diff(SPEC, state(*parts))
    assert kinds(plan) == [("connect", "mac", "worker")]
    assert only(plan, ActionKind.CONNECT).endpoint == Endpoint("worker", "mac")


@pytest.mark.parametrize(
    ("live", "field", "before", "after"),
    [
        (
            endpoint("web", "mac", ipv4="192.0.2.11", requested="192.0.2.11", aliases=("www",)),
            "ipv4_address",
            "192.0.2.11",
            "192.0.2.10",
        ),
        (
            endpoint("web", "mac", ipv4="192.0.2.130", aliases=("www",)),
            "ipv4_address",
            "192.0.2.130",
            "192.0.2.10",
        ),
        (
            endpoint(
                "web",
                "mac",
                ipv4="192.0.2.10",
                requested="192.0.2.10",
                mac="02:42:c0:00:02:99",
                aliases=("www",),
            ),
            "mac_address",
            "02:42:c0:00:02:99",
            "02:42:c0:00:02:0a",
        ),
        (
            endpoint(
                "web", "mac", ipv4="192.0.2.10", requested="192.0.2.10", aliases=("www", "old")
            ),
            "aliases",
            "old, www",
            "www",
        ),
    ],
)
def test_differing_attachment_is_reattached(
    live: LiveEndpoint, field: str, before: str, after: str
) -> None:
    parts = converged()
    parts[4] = live
    plan = diff(SPEC, state(*parts, version="29.3.0"))
    action = only(plan, ActionKind.REATTACH)
    assert (action.network, action.container) == ("mac", "web")
    assert [(c.field, c.before, c.after) for c in action.changes] == [(field, before, after)]
    assert field in action.reason


def test_mac_case_and_engine_aliases_are_not_changes() -> None:
    parts = converged()
    parts[4] = endpoint(
        "web",
        "mac",
        ipv4="192.0.2.10",
        requested="192.0.2.10",
        mac="02:42:C0:00:02:0A",
        aliases=("www", container_id("web")[:12]),
    )
    assert diff(SPEC, state(*parts)).is_empty


def test_stopped_container_counts_with_its_requested_address() -> None:
    parts = converged()
    parts[2] = container("web", running=False)
    parts[4] = endpoint("web", "mac", requested="192.0.2.10", aliases=("www",))
    parts[5] = endpoint("web", "routed", requested="198.51.100.10")
    assert diff(SPEC, state(*parts)).is_empty


def test_a_dynamic_attachment_pinned_to_an_address_is_reattached_to_drop_the_pin() -> None:
    parts = converged()
    parts[6] = endpoint("worker", "mac", ipv4="192.0.2.130", requested="192.0.2.130")
    action = only(diff(SPEC, state(*parts)), ActionKind.REATTACH)
    assert [(c.field, c.before, c.after) for c in action.changes] == [
        ("ipv4_address", "192.0.2.130", "dynamic")
    ]
    assert action.endpoint == Endpoint("worker", "mac")


@pytest.mark.parametrize("version", ["20.10.24", "27.3.1", "29.2.0"])
def test_mac_on_old_engines_is_a_note_never_a_reattach(version: str) -> None:
    parts = converged(version)
    parts[4] = endpoint(
        "web",
        "mac",
        ipv4="192.0.2.10",
        requested="192.0.2.10",
        mac="02:42:c0:00:02:0b",
        aliases=("www",),
    )
    plan = diff(SPEC, state(*parts, version=version))
    assert plan.is_empty, kinds(plan)
    [note] = [n for n in plan.notes if n.kind is NoteKind.ENGINE_LIMIT]
    assert version in note.message and "02:42:c0:00:02:0a" in note.message
    assert note.hint is not None
    assert "29.3" in note.hint and "--mac-address" in note.hint and "mac_address" in note.hint
    assert note.location is not None and note.location.line == 16


def test_mac_is_not_asked_for_on_connect_where_the_engine_ignores_it() -> None:
    plan = diff(SPEC, state(container("web"), version="20.10.24"))
    web = next(a for a in plan.actions if a.container == "web" and a.network == "mac")
    assert web.endpoint is not None and web.endpoint.mac_address is None
    assert len(notes_of(plan, NoteKind.ENGINE_LIMIT)) == 1


def test_mac_that_already_matches_on_an_old_engine_needs_no_note() -> None:
    plan = diff(SPEC, state(*converged("27.3.1"), version="27.3.1"))
    assert plan.is_empty and plan.notes == ()


def test_unlisted_container_is_left_alone_and_noted_when_additive() -> None:
    parts = [*converged(), container("stray"), endpoint("stray", "mac", ipv4="192.0.2.131")]
    plan = diff(SPEC, state(*parts))
    assert plan.is_empty
    [note] = [n for n in plan.notes if n.kind is NoteKind.UNMANAGED]
    assert (note.container, note.network) == ("stray", "mac")
    assert note.hint is not None and "exclusive" in note.hint


def test_unlisted_container_is_disconnected_when_exclusive() -> None:
    spec = spec_from_yaml(
        """
        version: 1
        name: lab
        networks:
          mac: {driver: macvlan, parent: eth0, attachments: exclusive}
        """
    )
    parts: list[Part] = [
        live_network(spec, "mac"),
        container("stray"),
        endpoint("stray", "mac", ipv4="10.0.0.5"),
    ]
    plan = diff(spec, state(*parts))
    action = only(plan, ActionKind.DISCONNECT)
    assert action.endpoint is not None and action.endpoint.ipv4_address == "10.0.0.5"
    assert "exclusive" in action.reason
    assert notes_of(plan, NoteKind.UNMANAGED) == []


def test_undeclared_network_with_our_label_is_deleted_after_disconnecting() -> None:
    parts: list[Part] = [
        *converged(),
        network("old", labels={"owner": "x"}),
        endpoint("web", "old", ipv4="10.1.0.2", requested="10.1.0.2"),
        endpoint("stray", "old", ipv4="10.1.0.3"),
        network("theirs", spec="other"),
        network("handmade", spec=None),
    ]
    plan = diff(SPEC, state(*parts))
    action = only(plan, ActionKind.DELETE)
    assert action.network == "old"
    assert [(e.container, e.ipv4_address) for e in action.detach] == [
        ("stray", "10.1.0.3"),
        ("web", "10.1.0.2"),
    ]
    assert kinds(plan) == [("delete", "old", None)]


def test_same_named_network_without_label_is_a_conflict_and_nothing_is_planned() -> None:
    parts = converged()
    parts[0] = network("mac", spec=None, options={"parent": "eth9"})
    parts[4] = endpoint("web", "mac", ipv4="192.0.2.99")
    plan = diff(SPEC, state(*parts))
    assert all(a.network != "mac" for a in plan.actions), kinds(plan)
    [note] = [n for n in plan.notes if n.kind is NoteKind.CONFLICT]
    assert note.network == "mac" and SPEC_LABEL in note.message
    assert note.hint is not None and "rename" in note.hint and "adopt" in note.hint
    assert note.location is not None and note.location.line == 4


def test_network_of_another_spec_is_a_conflict_even_when_adopting() -> None:
    parts = converged()
    parts[0] = network("mac", spec="other")
    plan = diff(SPEC, state(*parts), adopt=["mac"])
    assert all(a.network != "mac" for a in plan.actions)
    [note] = [n for n in plan.notes if n.kind is NoteKind.CONFLICT]
    assert "'other'" in note.message


def test_adopting_an_unlabelled_network_replaces_it() -> None:
    parts = converged()
    parts[0] = live_network(SPEC, "mac", labels={})
    plan = diff(SPEC, state(*parts), adopt=["mac"])
    action = only(plan, ActionKind.REPLACE)
    assert action.reason.startswith("adopted")
    assert ("labels.io.vlanspec.spec", None, "lab") in [
        (c.field, c.before, c.after) for c in action.changes
    ]
    assert {e.container for e in action.attach} == {"web", "worker"}


def test_changed_network_is_replaced_with_every_container_coming_back() -> None:
    spec = spec_from_yaml(
        """
        version: 1
        name: lab
        networks:
          mac:
            driver: macvlan
            parent: eth0
            subnets: [{subnet: 192.0.3.0/24}]
            labels: {owner: netops}
        containers:
          web: {networks: {mac: {ipv4_address: 192.0.3.10, aliases: [www]}}}
          new: {networks: [mac]}
        """
    )
    parts: list[Part] = [
        network("mac", options={"parent": "eth0"}, subnets=(Subnet("192.0.2.0/23"),)),
        container("web"),
        container("new"),
        container("kept"),
        container("moved"),
        container("dyn"),
        endpoint("web", "mac", ipv4="192.0.2.10", requested="192.0.2.10"),
        endpoint("kept", "mac", ipv4="192.0.3.7", requested="192.0.3.7", aliases=("k",)),
        endpoint("moved", "mac", ipv4="192.0.2.8", requested="192.0.2.8", mac="02:00:00:00:00:08"),
        endpoint("dyn", "mac", ipv4="192.0.2.200", aliases=None),
    ]
    plan = diff(spec, state(*parts, version="29.3.0"))
    assert kinds(plan) == [("replace", "mac", None)]
    action = plan.actions[0]
    assert [(c.field, c.before, c.after) for c in action.changes] == [
        ("subnets", "192.0.2.0/23", "192.0.3.0/24"),
        ("labels.owner", None, "netops"),
    ]
    assert (
        action.reason
        == "subnets and labels differ from the spec; Docker networks cannot be changed"
    )
    assert [e.container for e in action.detach] == ["dyn", "kept", "moved", "web"]
    assert action.attach == (
        Endpoint("kept", "mac", "192.0.3.7", aliases=("k",)),
        Endpoint("web", "mac", "192.0.3.10", aliases=("www",)),
        Endpoint("dyn", "mac"),
        Endpoint("moved", "mac", mac_address="02:00:00:00:00:08"),
        Endpoint("new", "mac"),
    )
    dropped = notes_of(plan, NoteKind.WARNING)
    assert (
        len(dropped) == 1 and "192.0.2.8" in dropped[0] and "outside the new subnets" in dropped[0]
    )
    assert sorted(n.container or "" for n in plan.notes if n.kind is NoteKind.UNMANAGED) == [
        "dyn",
        "kept",
        "moved",
    ]


def test_replace_gives_an_address_the_spec_now_uses_to_its_new_owner() -> None:
    spec = spec_from_yaml(
        """
        version: 1
        name: lab
        networks:
          mac: {driver: macvlan, parent: eth1, subnets: [{subnet: 192.0.2.0/24}]}
        containers:
          web: {networks: {mac: {ipv4_address: 192.0.2.7}}}
        """
    )
    parts: list[Part] = [
        network("mac", options={"parent": "eth0"}, subnets=(Subnet("192.0.2.0/24"),)),
        container("web"),
        container("old"),
        endpoint("old", "mac", ipv4="192.0.2.7", requested="192.0.2.7"),
    ]
    action = only(diff(spec, state(*parts)), ActionKind.REPLACE)
    assert [(e.container, e.ipv4_address) for e in action.attach] == [
        ("web", "192.0.2.7"),
        ("old", None),
    ]


def test_exclusive_replace_does_not_bring_back_unlisted_containers() -> None:
    spec = spec_from_yaml(
        """
        version: 1
        name: lab
        networks:
          mac: {driver: macvlan, parent: eth1, attachments: exclusive}
        """
    )
    parts: list[Part] = [
        network("mac", options={"parent": "eth0"}),
        container("old"),
        endpoint("old", "mac"),
    ]
    action = only(diff(spec, state(*parts)), ActionKind.REPLACE)
    assert [e.container for e in action.detach] == ["old"] and action.attach == ()


def test_several_networks_with_one_name_are_a_conflict() -> None:
    twin = LiveNetwork(id="id-mac-2", name="mac", driver="macvlan", labels={SPEC_LABEL: "lab"})
    plan = diff(SPEC, state(*converged(), twin))
    assert all(a.network != "mac" for a in plan.actions)
    assert any("2 networks named 'mac'" in m for m in notes_of(plan, NoteKind.CONFLICT))


def test_containers_without_a_network_namespace_of_their_own_are_not_connected() -> None:
    plan = diff(
        SPEC, state(container("web", mode="none"), container("worker", mode="container:abc"))
    )
    assert [a.kind for a in plan.actions] == [ActionKind.CREATE, ActionKind.CREATE]
    warnings = notes_of(plan, NoteKind.WARNING)
    assert len(warnings) == 2 and "'none'" in warnings[0] and "'container:abc'" in warnings[1]


def test_an_address_held_by_a_container_that_stays_is_warned_about() -> None:
    parts = converged()
    parts[4] = endpoint("stray", "mac", ipv4="192.0.2.10")
    plan = diff(SPEC, state(*parts, container("stray")))
    assert ("connect", "mac", "web") in kinds(plan)
    [warning] = notes_of(plan, NoteKind.WARNING)
    assert "192.0.2.10" in warning and "'stray'" in warning and "Address already in use" in warning


def test_actions_come_in_an_order_that_runs_one_by_one() -> None:
    spec = spec_from_yaml(
        """
        version: 1
        name: lab
        networks:
          a: {driver: macvlan, parent: eth0, attachments: exclusive}
          b: {driver: macvlan, parent: eth1}
          c: {driver: macvlan, parent: eth2, subnets: [{subnet: 192.0.2.0/24}]}
        containers:
          x: {networks: {a: {aliases: [y]}, c: {ipv4_address: 192.0.2.9}}}
          z: {networks: [a, c]}
        """
    )
    parts: list[Part] = [
        live_network(spec, "a"),
        network("b", options={"parent": "eth9"}),
        network("gone"),
        container("x"),
        container("z"),
        container("s"),
        endpoint("s", "a"),
        endpoint("x", "a", aliases=("old",)),
    ]
    plan = diff(spec, state(*parts))
    assert kinds(plan) == [
        ("disconnect", "a", "s"),
        ("delete", "gone", None),
        ("replace", "b", None),
        ("create", "c", None),
        ("reattach", "a", "x"),
        ("connect", "a", "z"),
        ("connect", "c", "x"),
        ("connect", "c", "z"),
    ]


def test_planning_is_deterministic_whatever_the_order_of_live_data() -> None:
    parts = [*converged(), network("old"), container("stray"), endpoint("stray", "mac")]
    parts[4] = endpoint("web", "mac", ipv4="192.0.2.12", requested="192.0.2.12")
    first = diff(SPEC, state(*parts))
    again = diff(SPEC, state(*reversed(parts)))
    assert first == again
    assert first.actions and first.notes


def test_fingerprint_label_of_a_created_network_matches_its_config() -> None:
    plan = diff(SPEC, state())
    create = plan.actions[0]
    assert create.config is not None
    assert (
        create.config.labels[FINGERPRINT_LABEL]
        == desired_config(SPEC.networks[0], "lab").labels[FINGERPRINT_LABEL]
    )


def test_ownership_is_the_spec_label_and_nothing_else() -> None:
    assert owned_by(network("n", spec="lab"), "lab")
    assert not owned_by(network("n", spec="other"), "lab")
    assert not owned_by(network("n", spec=None, labels={"owner": "lab"}), "lab")
    assert owner_of(network("n", spec=None, labels={SPEC_LABEL: ""})) is None
    assert owner_of(network("n", spec="other")) == "other"


ALIASES = spec_from_yaml(
    """
    version: 1
    name: lab
    networks:
      mac: {driver: macvlan, parent: eth0, subnets: [{subnet: 192.0.2.0/24}]}
    containers:
      free: {networks: {mac: {ipv4_address: 192.0.2.10}}}
      none: {networks: {mac: {ipv4_address: 192.0.2.11, aliases: []}}}
      moved: {networks: {mac: {ipv4_address: 192.0.2.12}}}
    """
)


def _aliased(moved_to: str = "192.0.2.12") -> list[Part]:
    return [
        live_network(ALIASES, "mac"),
        container("free"),
        container("none"),
        container("moved"),
        endpoint("free", "mac", ipv4="192.0.2.10", requested="192.0.2.10", aliases=("f",)),
        endpoint("none", "mac", ipv4="192.0.2.11", requested="192.0.2.11", aliases=("n",)),
        endpoint("moved", "mac", ipv4=moved_to, requested=moved_to, aliases=("m",)),
    ]


def test_aliases_are_managed_only_where_the_spec_declares_them() -> None:
    plan = diff(ALIASES, state(*_aliased()))
    # free: no aliases in the spec, so its "f" is left alone; none: [] asks for no aliases.
    assert kinds(plan) == [("reattach", "mac", "none")]
    [action] = plan.actions
    assert [(c.field, c.before, c.after) for c in action.changes] == [("aliases", "n", None)]
    assert action.reason == "aliases differ from the spec"
    assert action.endpoint == Endpoint("none", "mac", "192.0.2.11")


def test_a_reattach_keeps_the_aliases_the_spec_does_not_declare() -> None:
    plan = diff(ALIASES, state(*_aliased(moved_to="192.0.2.99")))
    [moved] = [a for a in plan.actions if a.container == "moved"]
    assert moved.kind is ActionKind.REATTACH
    assert moved.endpoint == Endpoint("moved", "mac", "192.0.2.12", aliases=("m",))


def test_a_replace_keeps_the_aliases_of_listed_containers_that_declare_none() -> None:
    parts = _aliased()
    parts[0] = network("mac", options={"parent": "eth0"}, subnets=(Subnet("192.0.2.0/25"),))
    [replace] = diff(ALIASES, state(*parts)).actions
    assert replace.kind is ActionKind.REPLACE
    assert replace.attach == (
        Endpoint("free", "mac", "192.0.2.10", aliases=("f",)),
        Endpoint("moved", "mac", "192.0.2.12", aliases=("m",)),
        Endpoint("none", "mac", "192.0.2.11"),
    )
