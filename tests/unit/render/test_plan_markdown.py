"""The Markdown plan: what a reviewer sees first, a real Mermaid diagram, and the size limit."""

from __future__ import annotations

import re
from pathlib import Path

from tests.mermaid.parser import parse_all
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
from vlanspec.render.plan_markdown import COMMENT_LIMIT, render_markdown
from vlanspec.spec import load_spec
from vlanspec.state import EngineInfo

ROOT = Path(__file__).resolve().parents[3]
ENGINE = EngineInfo("20.10.24", "1.41")


def lab_plan() -> Plan:
    web = Endpoint("lab-web", "lab_macvlan", "192.0.2.10", mac_address="02:42:c0:00:02:0a")
    db = Endpoint("lab-db", "lab_macvlan", "192.0.2.11")
    return Plan(
        spec="lab",
        engine=ENGINE,
        actions=(
            Action(ActionKind.CREATE, "lab_routed", config=NetworkConfig("lab_routed", "ipvlan")),
            Action(
                ActionKind.REPLACE,
                "lab_macvlan",
                reason="subnet changed",
                changes=(Change("subnets", "192.0.2.0/27", "192.0.2.0/26"),),
                detach=(web, db),
                attach=(web, db),
            ),
            Action(ActionKind.DELETE, "old_net", detach=(Endpoint("legacy", "old_net"),)),
            Action(ActionKind.CONNECT, "lab_routed", endpoint=Endpoint("lab-db", "lab_routed")),
        ),
        notes=(
            Note(NoteKind.PENDING, "container lab-worker does not exist yet", "lab_ipvlan"),
            Note(NoteKind.ENGINE_LIMIT, "engine 20.10 ignores a MAC on connect", hint="upgrade"),
        ),
    )


def test_reviewer_sees_summary_then_destructive_changes_first() -> None:
    spec = load_spec(str(ROOT / "specs" / "lab.yaml"), {})
    text = render_markdown(lab_plan(), spec, lambda p: "full text plan")
    assert text.startswith("### vlanspec plan: `lab`\n")
    assert "**Plan: 1 to create, 1 to replace, 1 to delete, 1 to connect" in text
    warning = text.index("Replaces network `lab_macvlan` because subnet changed")
    assert warning < text.index("Deletes network `old_net`") < text.index("| network |")
    assert "disconnects 2 container(s): lab-db, lab-web" in text
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert [r.split("|")[3].strip() for r in rows] == [
        "**replace**",
        "**delete**",
        "create",
        "connect",
    ]
    assert "**engine-limit**: engine 20.10 ignores a MAC on connect _upgrade_" in text
    assert "<details><summary>Full plan</summary>" in text and "full text plan" in text


def test_diagram_marks_changes_and_parses() -> None:
    spec = load_spec(str(ROOT / "specs" / "lab.yaml"), {})
    text = render_markdown(lab_plan(), spec)
    [diagram] = re.findall(r"```mermaid\n(.*?)```", text, re.S)
    assert "class n_lab_macvlan replace" in diagram and "class n_lab_routed create" in diagram
    assert parse_all([diagram]) == [None]


def test_no_changes() -> None:
    text = render_markdown(Plan("lab", ENGINE))
    assert "**No changes.**" in text and "| network |" not in text


def test_huge_plan_is_summarised_never_cut_mid_table() -> None:
    actions = tuple(
        Action(
            ActionKind.CONNECT,
            f"net{i % 40:02d}",
            endpoint=Endpoint(f"container-with-a-long-name-{i:05d}", f"net{i % 40:02d}"),
        )
        for i in range(5000)
    )
    plan = Plan("big", ENGINE, actions)
    text = render_markdown(plan, None, lambda p: "x" * 100_000)
    assert len(text) <= COMMENT_LIMIT
    assert "Plan: 0 to create, 0 to replace, 0 to delete, 5000 to connect" in text
    table = [line for line in text.splitlines() if line.startswith("|")]
    assert table and all(line.endswith("|") for line in table)
    assert len(table) == 2 + 40  # header, rule, and one grouped row per network
    assert "125 attachments" in text and "and 120 more" in text


def test_sample_plan_matches_the_golden_markdown() -> None:
    """The same fixed spec and live state as the text and JSON goldens."""
    from tests.helpers.plans import sample_case
    from tests.unit.render.golden_files import check_golden
    from vlanspec.plan.diff import diff
    from vlanspec.render.plan_text import render

    spec, live = sample_case()
    plan = diff(spec, live)
    text = render_markdown(plan, spec, render)
    check_golden("plan.md", text)
    [diagram] = re.findall(r"```mermaid\n(.*?)```", text, re.S)
    assert parse_all([diagram]) == [None]


def test_replace_says_who_is_not_reconnected() -> None:
    web, stray = Endpoint("web", "lan", "192.0.2.10"), Endpoint("stray", "lan")
    plan = Plan(
        "lab",
        ENGINE,
        (Action(ActionKind.REPLACE, "lan", reason="x", detach=(stray, web), attach=(web,)),),
    )
    assert "> 1 of 2 reconnected; not reconnected: stray." in render_markdown(plan)
