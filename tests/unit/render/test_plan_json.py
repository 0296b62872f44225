"""The JSON view of plans: schema-valid, complete, and read back into the same plan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.helpers.plans import sample_case
from tests.unit.render.golden_files import check_golden
from vlanspec.plan.diff import diff
from vlanspec.plan.model import ActionKind, NoteKind, Plan
from vlanspec.plan.serialize import PlanFormatError, plan_from_json, plan_to_dict
from vlanspec.render.plan_json import render
from vlanspec.spec.schema import schema_text

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = json.loads((ROOT / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))


def sample() -> Plan:
    return diff(*sample_case())


def test_sample_plan_matches_the_golden_json() -> None:
    check_golden("plan.json", render(sample()))


def test_output_matches_the_published_schema() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    data = json.loads(render(sample()))
    Draft202012Validator(SCHEMA).validate(data)
    assert data["format_version"] == 1 and data["spec"] == "lab"
    assert data["engine"]["version"] == "27.3.1" and data["engine"]["api_version"] == "1.47"


def test_the_schema_ships_in_the_package_and_lists_every_kind() -> None:
    assert json.loads(schema_text("plan.schema.json")) == SCHEMA
    defs = SCHEMA["$defs"]
    assert sorted(defs["action"]["properties"]["kind"]["enum"]) == sorted(
        k.value for k in ActionKind
    )
    assert sorted(defs["note"]["properties"]["kind"]["enum"]) == sorted(k.value for k in NoteKind)


def test_every_schema_property_has_a_description() -> None:
    missing: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                if isinstance(sub, dict) and "description" not in sub and where != "$.allOf":
                    missing.append(f"{where}.{name}")
            for key, sub in node.items():
                if key != "allOf":
                    walk(sub, f"{where}.{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{where}[{i}]")

    walk(SCHEMA, "$")
    assert missing == []


def test_summary_counts_every_kind() -> None:
    plan = sample()
    summary = json.loads(render(plan))["summary"]
    assert summary == {
        "create": 1,
        "replace": 1,
        "delete": 1,
        "connect": 2,
        "reattach": 1,
        "disconnect": 1,
        "total": len(plan.actions),
    }


def test_round_trip_gives_the_same_plan() -> None:
    plan = sample()
    again = plan_from_json(render(plan))
    assert again == plan
    assert render(again) == render(plan)


def _broken(change: Any) -> str:
    data = plan_to_dict(sample())
    change(data)
    return json.dumps(data)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d.update(format_version=2), "format_version 2"),
        (lambda d: d["engine"].pop("version"), "plan.engine: 'version' is missing"),
        (lambda d: d["actions"][0].update(kind="explode"), "plan.actions[0].kind"),
        (lambda d: d["actions"][2]["config"].update(ipv6="yes"), "plan.actions[2].config.ipv6"),
        (lambda d: d["notes"][0].update(location={"file": "f", "line": True, "column": 1}), "line"),
    ],
)
def test_reading_a_broken_plan_says_where(change: Any, words: str) -> None:
    with pytest.raises(PlanFormatError, match=words.replace("[", r"\[").replace("]", r"\]")):
        plan_from_json(_broken(change))


def test_reading_something_that_is_not_json() -> None:
    with pytest.raises(PlanFormatError, match="not JSON"):
        plan_from_json("{")
