"""The files users copy into their own repositories: well-formed, and true to the CLI.

Each ``vlanspec`` command line in them is checked against the real ``--help`` of that command,
so an example can never name an option that does not exist.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from ruamel.yaml import YAML

from vlanspec.cli import cli

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "examples" / "github-actions" / "vlanspec.yml"


def load(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text())


def vlanspec_invocations(text: str) -> list[list[str]]:
    """Every ``vlanspec ...`` command line in shell snippets (continuations joined)."""
    joined = re.sub(r"\\\n\s*", " ", text)
    found = []
    for line in joined.splitlines():
        if line.lstrip().startswith("#"):
            continue  # prose, not a command
        match = re.search(r"(?:^|[\s/])vlanspec (\w+[^|>;&]*)", line)
        if match and "pip install" not in line:
            found.append(shlex.split(match.group(1)))
    return found


def assert_options_exist(argv: list[str]) -> None:
    command = argv[0]
    help_text = CliRunner().invoke(cli, [command, "--help"]).output
    assert f"Usage: vlanspec {command}" in help_text or "Usage: cli " + command in help_text, (
        f"no command {command!r}"
    )
    for word in argv[1:]:
        if word.startswith("--"):
            assert re.search(rf"{re.escape(word)}\b", help_text), f"{command}: no option {word}"


def test_pre_commit_hook() -> None:
    [hook] = load(ROOT / ".pre-commit-hooks.yaml")
    assert hook["id"] == "vlanspec-validate" and hook["language"] == "python"
    assert hook["entry"].split()[:2] == ["vlanspec", "validate"]
    assert re.search(hook["files"], "specs/lab.yaml")
    assert not re.search(hook["files"], "docker-compose.yml")
    assert_options_exist(hook["entry"].split()[1:])


def test_github_workflow_is_well_formed() -> None:
    workflow = load(WORKFLOW)
    assert set(workflow["on"]) == {"pull_request", "push"}
    jobs = workflow["jobs"]
    assert set(jobs) == {"validate", "plan", "apply"}
    for name, job in jobs.items():
        assert "runs-on" in job, name
        for need in [job["needs"]] if isinstance(job.get("needs"), str) else job.get("needs", []):
            assert need in jobs, f"{name} needs unknown job {need}"
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), f"{name}: a step needs uses or run"
    assert jobs["apply"]["concurrency"]["cancel-in-progress"] is False
    assert "self-hosted" in jobs["apply"]["runs-on"]


def test_github_workflow_uses_real_options() -> None:
    invocations = vlanspec_invocations(WORKFLOW.read_text())
    assert {argv[0] for argv in invocations} == {"validate", "plan", "apply"}
    for argv in invocations:
        assert_options_exist(argv)
