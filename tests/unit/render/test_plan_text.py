"""The text view of plans: Terraform-like, complete, plain unless colour is asked for."""

from __future__ import annotations

import re

from tests.helpers.plans import engine, sample_case
from tests.unit.render.golden_files import check_golden
from vlanspec.plan.diff import diff
from vlanspec.plan.model import Action, ActionKind, Endpoint, Plan
from vlanspec.render.plan_text import render

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def sample() -> Plan:
    return diff(*sample_case())


def test_sample_plan_matches_the_golden_text() -> None:
    check_golden("plan.txt", render(sample()))


def test_every_kind_of_action_has_its_symbol_and_the_summary_comes_last() -> None:
    lines = render(sample()).splitlines()
    heads = [line.strip() for line in lines if re.match(r"^  (\+|-|-/\+|~) ", line)]
    assert heads == [
        "- disconnect stray from storage",
        "- delete network old",
        "-/+ replace network lan",
        "+ create network v6",
        "~ reattach db to storage",
        "+ connect web to storage",
        "+ connect db to v6",
    ]
    assert lines[0] == "Plan for spec 'lab' on Docker Engine 27.3.1 (API 1.47)"
    assert lines[-1] == sample().summary()


def test_replace_shows_reason_changes_and_every_container_it_touches() -> None:
    text = render(sample())
    block = text.split("-/+ replace network lan\n", 1)[1].split("\n\n", 1)[0]
    assert "reason: subnets and labels differ from the spec" in block
    assert "~ labels.owner: (none) -> netops" in block
    assert re.search(r"legacy +192\.0\.2\.50 .*\(not in the spec: the settings it had\)", block)
    assert re.search(r"web +192\.0\.2\.10 +aliases www", block)
    assert re.search(r"worker +dynamic", block)


def test_notes_carry_location_and_hint() -> None:
    text = render(sample())
    notes = text.split("\nNotes:\n", 1)[1]
    assert "conflict: network 'taken'" in notes
    assert "at lab.yaml:20:3" in notes
    assert "hint: upgrade to Docker Engine 29.3 or newer" in notes


def test_plain_by_default_and_colour_only_when_asked() -> None:
    plan = sample()
    plain = render(plan)
    coloured = render(plan, color=True)
    assert "\x1b" not in plain
    assert "\x1b[32m+\x1b[0m" in coloured and "\x1b[35m-/+\x1b[0m" in coloured
    assert ANSI.sub("", coloured) == plain


def test_empty_plan_says_no_changes() -> None:
    text = render(Plan(spec="lab", engine=engine()))
    assert text.splitlines() == [
        "Plan for spec 'lab' on Docker Engine 27.3.1 (API 1.47)",
        "",
        "No changes. The live state matches the spec.",
    ]


def test_replace_that_brings_nobody_back_says_so() -> None:
    gone = Endpoint("old", "n", "192.0.2.5")
    plan = Plan(
        spec="lab",
        engine=engine(),
        actions=(Action(ActionKind.REPLACE, "n", reason="r", detach=(gone,)),),
    )
    assert "old  disconnected, not connected again" in render(plan)
