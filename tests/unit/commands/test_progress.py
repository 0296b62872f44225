"""Apply's progress: structured events off a terminal, a progress bar on one."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from vlanspec import logs
from vlanspec.apply import Step, StepKind, StepResult
from vlanspec.cli import cli
from vlanspec.commands import progress as progress_module
from vlanspec.commands.progress import step_display
from vlanspec.plan.model import Action, ActionKind, NetworkConfig

CREATE = Action(ActionKind.CREATE, "lan", config=NetworkConfig("lan", "macvlan"))
STEP = Step(StepKind.CREATE, "lan", CREATE, config=CREATE.config)


def test_off_a_terminal_each_step_is_one_event_whatever_the_verbosity(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logs.configure("json", verbosity=0)
    with step_display(2, terminal=False) as progress:
        progress(StepResult(STEP, ok=True, seconds=0.0123))
        progress(StepResult(STEP, ok=False, error="pool overlaps", seconds=0.5))
    captured = capsys.readouterr()
    assert captured.out == ""
    events = [json.loads(line) for line in captured.err.splitlines()]
    assert [(e["event"], e["n"], e["of"]) for e in events] == [
        ("step done", 1, 2),
        ("step failed", 2, 2),
    ]
    assert events[0]["step"] == "create network lan"
    assert events[0]["seconds"] == 0.012
    assert events[1]["error"] == "pool overlaps"
    assert events[1]["level"] == "info"


def test_on_a_terminal_a_bar_and_failures_above_it(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = io.StringIO()

    def console(**_kwargs: object) -> Console:
        return Console(file=screen, force_terminal=True, width=100)

    monkeypatch.setattr("rich.console.Console", console)
    with step_display(2, terminal=True) as progress:
        progress(StepResult(STEP, ok=True))
        progress(StepResult(STEP, ok=False, error="pool overlaps"))
    shown = screen.getvalue()
    assert "FAILED" in shown
    assert "create network lan: pool overlaps" in shown
    assert "Applying" in shown


def test_no_bar_without_a_terminal_or_with_logs(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert not progress_module.use_terminal_display()
    monkeypatch.setattr("sys.stderr", Tty())
    monkeypatch.setenv("TERM", "xterm")
    assert progress_module.use_terminal_display()
    monkeypatch.setenv("TERM", "dumb")
    assert not progress_module.use_terminal_display()


@pytest.mark.parametrize("command", ["apply", "destroy"])
def test_parallelism_is_an_option_of_at_least_one(command: str, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("version: 1\nname: p\nnetworks: {}\n")
    runner = CliRunner()
    shown = runner.invoke(cli, [command, "--help"])
    assert "--parallelism N" in shown.output
    refused = runner.invoke(cli, [command, str(spec), "--parallelism", "0"])
    assert refused.exit_code == 1  # a usage error, like every error (exit 2 means changes)
    assert "0 is not in the range x>=1" in refused.output
