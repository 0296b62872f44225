"""``vlanspec validate`` as a user runs it: exit codes, output formats, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from vlanspec.cli import cli

ROOT = Path(__file__).resolve().parents[3]

BROKEN = """\
name: lab
networks:
  lan:
    driver: macvlan
    parnet: eth0
    subnets: [{subnet: 192.0.2.0/33}]
  lan:
    driver: ipvlan
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_examples_directory_is_valid() -> None:
    code, out = run("validate", str(ROOT / "specs"))
    assert code == 0
    assert out.startswith("OK: 4 specs valid")


def test_broken_spec_reports_file_line_column(tmp_path: Path) -> None:
    path = tmp_path / "lab.yaml"
    path.write_text(BROKEN)
    code, out = run("validate", str(path))
    assert code == 1
    assert f"{path}:7:3: error: duplicate key 'lan'" in out


def test_every_problem_listed(tmp_path: Path) -> None:
    path = tmp_path / "lab.yaml"
    path.write_text(BROKEN.replace("  lan:\n    driver: ipvlan\n", ""))
    code, out = run("validate", str(path))
    assert code == 1
    assert f"{path}:5:5: error: unknown key 'parnet'" in out
    assert f"{path}:6:24: error:" in out and "CIDR" in out
    assert "hint: did you mean 'parent'?" in out


def test_json_format(tmp_path: Path) -> None:
    path = tmp_path / "lab.yaml"
    path.write_text("name: lab\nnetworks: {n: {driver: macvlan, mode: l2}}\n")
    code, out = run("validate", "--format", "json", str(path))
    assert code == 1
    [item] = json.loads(out)
    assert item["code"] == "schema.enum" and (item["line"], item["column"]) == (2, 39)


def test_github_format(tmp_path: Path) -> None:
    path = tmp_path / "lab.yaml"
    path.write_text("name: lab\nbogus: 1\n")
    code, out = run("validate", "--format", "github", str(path))
    assert code == 1
    assert out.startswith(f"::error file={path},line=2,col=1,")


def test_missing_file_and_syntax_error(tmp_path: Path) -> None:
    code, out = run("validate", str(tmp_path / "nope.yaml"))
    assert code == 1 and "no such file" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [lab\n")
    code, out = run("validate", str(bad))
    assert code == 1 and f"{bad}:2:1: error: YAML syntax error" in out


def test_version_and_help_on_every_command() -> None:
    assert run("--version") == (0, "vlanspec 0.1.0\n")
    for command in ("validate", "schema"):
        code, out = run(command, "--help")
        assert code == 0 and "--verbose" in out and "--log-format" in out and "--version" in out
        assert run(command, "--version")[1] == "vlanspec 0.1.0\n"


def test_schema_command_prints_the_schema() -> None:
    code, out = run("schema")
    assert code == 0 and json.loads(out)["title"] == "vlanspec spec"
