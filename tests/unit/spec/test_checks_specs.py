"""Specs of one directory checked against each other, by the function and by ``validate``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tests.unit.spec.checks_support import spec_of, summary
from vlanspec.cli import cli
from vlanspec.spec.checks import check_spec, check_specs

LAB = """\
name: lab
networks:
  lan:
    driver: macvlan
    parent: eth0
    subnets: [{subnet: 192.0.2.0/24}]
containers:
  web:
    networks:
      lan: {mac_address: "02:00:00:00:00:01"}
"""

EDGE = """\
name: edge
networks:
  wan:
    driver: macvlan
    parent: eth1
    subnets: [{subnet: 198.51.100.0/24}]
"""


def test_independent_specs_have_no_findings() -> None:
    assert check_specs([spec_of(LAB, "a.yaml"), spec_of(EDGE, "b.yaml")]) == []


def test_same_spec_name_in_two_files() -> None:
    found = check_specs([spec_of(LAB, "a.yaml"), spec_of(EDGE.replace("edge", "lab"), "b.yaml")])
    assert summary(found) == [("error", "spec.duplicate-name", 1, 7)]
    assert found[0].location.file == "b.yaml" and "a.yaml" in found[0].message


def test_network_declared_by_two_specs() -> None:
    found = check_specs([spec_of(LAB, "a.yaml"), spec_of(EDGE.replace("wan", "lan"), "b.yaml")])
    assert summary(found) == [("error", "spec.duplicate-network", 3, 3)]
    assert "a.yaml:3:3" in found[0].message


def test_overlapping_subnets_across_specs() -> None:
    other = EDGE.replace("198.51.100.0/24", "192.0.2.128/25")
    found = check_specs([spec_of(LAB, "a.yaml"), spec_of(other, "b.yaml")])
    assert summary(found) == [("error", "address.network-overlap", 6, 24)]
    assert "a.yaml:6:24" in found[0].message


def test_parent_conflict_across_specs() -> None:
    other = EDGE.replace("macvlan", "ipvlan").replace("eth1", "eth0")
    found = check_specs([spec_of(LAB, "a.yaml"), spec_of(other, "b.yaml")])
    assert summary(found) == [("error", "parent.mixed-drivers", 5, 13)]


def test_duplicate_mac_across_specs() -> None:
    other = EDGE.replace("eth1", "eth0") + (
        "containers:\n  db:\n    networks:\n      wan: {mac_address: '02:00:00:00:00:01'}\n"
    )
    found = check_specs([spec_of(LAB, "a.yaml"), spec_of(other, "b.yaml")])
    assert summary(found) == [("error", "mac.duplicate", 10, 26)]


def test_problems_inside_one_spec_are_not_repeated() -> None:
    inner = LAB.replace(
        "networks:\n  lan:", "networks:\n  dup: {driver: ipvlan, parent: eth0}\n  lan:"
    )
    spec = spec_of(inner, "a.yaml")
    assert {d.code for d in check_spec(spec)} == {"parent.mixed-drivers"}
    assert check_specs([spec, spec_of(EDGE, "b.yaml")]) == []


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_validate_checks_a_directory_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(LAB)
    (tmp_path / "b.yaml").write_text(EDGE.replace("edge", "lab"))
    code, out = run("validate", str(tmp_path))
    assert code == 1
    assert f"{tmp_path / 'b.yaml'}:1:7: error: spec name 'lab' is also used by" in out


def test_validate_does_not_count_a_file_named_twice(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(LAB)
    code, out = run("validate", str(tmp_path), str(tmp_path / "a.yaml"))
    assert code == 0, out


def test_warnings_pass_unless_strict(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(LAB.replace("02:00:00:00:00:01", "00:1b:21:00:00:01"))
    code, out = run("validate", str(path))
    assert code == 0 and "1 warning(s)" in out
    code, out = run("validate", "--strict", str(path))
    assert code == 1 and f"{path}:10:26: warning: MAC 00:1b:21:00:00:01" in out


def test_json_output_carries_the_check_codes(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(LAB.replace("192.0.2.0/24", "192.0.2.7/24"))
    code, out = run("validate", "--format", "json", str(path))
    assert code == 1
    [item] = json.loads(out)
    assert item["code"] == "address.host-bits" and (item["line"], item["column"]) == (6, 24)
    assert item["hint"] == "did you mean 192.0.2.0/24?" and item["severity"] == "error"
