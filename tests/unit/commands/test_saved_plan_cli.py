"""``apply FILE`` with a saved plan: what is refused before any engine is contacted."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tests.unit.test_saved_plan import saved
from vlanspec.cli import cli
from vlanspec.saved_plan import saved_to_dict, saved_to_json

NO_ENGINE = "unix:///nonexistent/vlanspec-test.sock"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout + result.stderr


def test_adopt_cannot_be_given_with_a_saved_plan(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(saved_to_json(saved()))
    code, output = run("apply", str(plan), "--adopt", "lan", "--docker-host", NO_ENGINE)
    assert code == 1
    assert "--adopt cannot be given with a saved plan" in output
    assert "the plan adopts: old-lan" in output


def test_a_damaged_saved_plan_is_refused_with_what_is_wrong(tmp_path: Path) -> None:
    document = saved_to_dict(saved())
    document["actions"][0]["kind"] = "explode"
    plan = tmp_path / "plan"
    plan.write_text(json.dumps(document))
    code, output = run("apply", str(plan), "--docker-host", NO_ENGINE)
    assert code == 1
    assert f"{plan} is not a saved plan this vlanspec can apply" in output
    assert "unknown action kind 'explode'" in output
    assert "Traceback" not in output


def test_a_missing_spec_file_is_named(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(saved_to_json(saved()).replace('"lab.yaml"', '"gone.yaml"'))
    code, output = run("apply", str(plan), "--docker-host", NO_ENGINE)
    assert code == 1
    assert "cannot read the spec file gone.yaml" in output
