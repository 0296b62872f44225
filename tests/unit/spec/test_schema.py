"""Schema validation speaks a person's language and reports every violation at once."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from vlanspec.diagnostics import Diagnostic
from vlanspec.spec import schema
from vlanspec.spec.yaml_source import parse

ROOT = Path(__file__).resolve().parents[3]


def problems(text: str) -> list[Diagnostic]:
    doc = parse("f.yaml", text)
    return schema.validate(doc.data, doc.source)


def test_shipped_schema_is_the_repository_schema_and_valid() -> None:
    shipped = json.loads(schema.schema_text())
    assert shipped == json.loads((ROOT / "schemas" / "vlanspec.schema.json").read_text())
    Draft202012Validator.check_schema(shipped)


def test_every_property_has_a_description() -> None:
    missing: list[str] = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                if not isinstance(sub, dict):
                    continue
                if "description" not in sub:
                    missing.append(f"{where}.{name}")
            for key, sub in node.items():
                walk(sub, f"{where}.{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{where}[{i}]")

    walk(json.loads(schema.schema_text())["$defs"]["network"], "network")
    walk(json.loads(schema.schema_text())["$defs"]["attachment"], "attachment")
    walk(json.loads(schema.schema_text()), "spec")
    assert not [m for m in missing if ".allOf" not in m]


def test_unknown_key_with_suggestion_at_the_key() -> None:
    [d] = problems("name: lab\nnetworks:\n  n:\n    driver: macvlan\n    subnet: []\n")
    assert d.code == "schema.unknown-key" and "'subnet'" in d.message
    assert (d.location.line, d.location.column) == (5, 5)
    assert d.hint == "did you mean 'subnets'?"


def test_all_violations_reported_not_just_the_first() -> None:
    found = problems(
        "name: lab\nnetworks:\n  a: {driver: bridge}\n  b: {driver: macvlan, internal: 'yes'}\n"
        "  c: {driver: ipvlan, mode: passthru}\n"
    )
    assert [(d.code, d.location.line) for d in found] == [
        ("schema.enum", 3),
        ("schema.type", 4),
        ("schema.enum", 5),
    ]
    assert "must be true or false, not the string 'yes'" in found[1].message


def test_per_driver_rules() -> None:
    [flag] = problems("name: x\nnetworks:\n  a: {driver: macvlan, flag: private}\n")
    assert flag.code == "schema.not-allowed" and "flag" in flag.message
    [mode] = problems("name: x\nnetworks:\n  a: {driver: macvlan, mode: l3}\n")
    assert "bridge, private, vepa, passthru" in mode.message
    assert problems("name: x\nnetworks:\n  a: {driver: ipvlan, mode: l3s, flag: vepa}\n") == []


def test_addresses_and_cidrs() -> None:
    found = problems(
        "name: x\nnetworks:\n  a:\n    driver: macvlan\n    subnets:\n"
        "      - {subnet: 192.0.2.0, gateway: 192.0.2.1.1}\n"
        "containers:\n  c: {networks: {a: {ipv4_address: '2001:db8::1', mac_address: zz}}}\n"
    )
    assert [d.code for d in found] == ["schema.format"] * 3 + ["schema.pattern"]
    assert "CIDR" in found[0].message and "IP address" in found[1].message


def test_wrong_types_everywhere_are_one_diagnostic_each() -> None:
    found = problems("name: 5\nnetworks: []\ncontainers: {c: {networks: 7}}\n")
    assert [d.code for d in found] == ["schema.type"] * 3
    assert "must be a list or a mapping" in found[2].message


def test_names_must_be_docker_names() -> None:
    [d] = problems("name: x\nnetworks:\n  'bad name': {driver: macvlan}\n")
    assert d.code == "schema.name" and (d.location.line, d.location.column) == (3, 3)


def test_short_form_and_null_attachment_are_valid() -> None:
    assert (
        problems(
            "name: x\nnetworks: {a: {driver: macvlan}}\ncontainers:\n"
            "  c1: {networks: [a]}\n  c2: {networks: {a: }}\n"
        )
        == []
    )
