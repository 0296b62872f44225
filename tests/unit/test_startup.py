"""Start-up imports only what the command being run needs.

A no-change ``vlanspec plan`` has a time budget, and importing structlog (with rich and asyncio),
jsonschema or docker-py for nothing is a large part of it. Each case runs in a fresh interpreter
and looks at ``sys.modules``; no timings, so no flakiness.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

import vlanspec.commands
from vlanspec.commands import COMMANDS

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("docker", "rich", "structlog", "jsonschema", "ruamel", "asyncio", "requests")
NO_ENGINE = "unix:///nonexistent/vlanspec-test.sock"


def loaded_after(code: str) -> set[str]:
    """The top-level packages of :data:`HEAVY` imported by ``code`` in a fresh interpreter."""
    script = (
        "import json, sys\n"
        f"{code}\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True
    )
    found: list[str] = json.loads(run.stdout.splitlines()[-1])
    return set(found)


def cli_run(*argv: str) -> str:
    """Code that runs the CLI with ``argv`` as the console script would, keeping the process."""
    return (
        "from vlanspec.cli import main\n"
        "try:\n"
        f"    main({list(argv)!r})\n"
        "except SystemExit:\n"
        "    pass\n"
    )


def test_importing_the_cli_imports_no_command_and_no_heavy_library() -> None:
    assert loaded_after("import vlanspec.cli") == set()


@pytest.mark.parametrize(
    "argv", [["--version"], ["plan", "--version"], ["nosuch"], ["--help"], ["graph", "--help"]]
)
def test_version_help_and_usage_errors_import_nothing_heavy(argv: list[str]) -> None:
    assert loaded_after(cli_run(*argv)) == set()


def test_validate_reads_specs_without_the_engine_or_logging_libraries() -> None:
    assert loaded_after(cli_run("validate", "specs/lab.yaml")) == {"ruamel", "jsonschema"}


def test_plan_without_v_emits_no_log_so_imports_no_structlog() -> None:
    loaded = loaded_after(cli_run("plan", "-H", NO_ENGINE, "specs/lab.yaml"))
    assert "docker" in loaded  # it did get as far as connecting
    assert not loaded & {"structlog", "rich", "asyncio"}


def test_an_event_below_the_level_is_dropped_without_structlog() -> None:
    code = (
        "from vlanspec import logs\n"
        "logs.configure('text', 1)\n"
        "logs.get_logger('vlanspec.x').debug('hidden', n=1)\n"
        "logs.get_event_logger('vlanspec.apply').debug('hidden')\n"
    )
    assert loaded_after(code) == set()


def test_an_emitted_event_is_rendered_as_configured_at_the_time() -> None:
    code = (
        "import io, sys\n"
        "from vlanspec import logs\n"
        "sys.stderr, real = io.StringIO(), sys.stderr\n"
        "logs.configure('text', 0)\n"
        "captured, sys.stderr = sys.stderr, real\n"  # the stream is the one configure saw
        "logs.get_logger('vlanspec.x').warning('careful', n=1)\n"
        "print(captured.getvalue().split(' ', 1)[1], end='')\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout == "[warning  ] careful                        module=vlanspec.x n=1\n"
    assert run.stderr == ""


def test_every_command_module_is_registered_under_its_command_name() -> None:
    modules = {
        info.name: importlib.import_module(f"vlanspec.commands.{info.name}")
        for info in pkgutil.iter_modules(vlanspec.commands.__path__)
    }
    defined = {
        module.command.name: f"vlanspec.commands.{name}"
        for name, module in modules.items()
        if isinstance(getattr(module, "command", None), click.Command)
    }
    assert defined == COMMANDS


def test_a_bound_logger_follows_the_configuration_made_after_it() -> None:
    code = (
        "import io, sys\n"
        "from vlanspec import logs\n"
        "bound = logs.get_logger('m').bind(spec='lab')\n"  # before configure, as at import time
        "sys.stderr = io.StringIO()\n"
        "logs.configure('json', 1)\n"
        "bound.debug('hidden')\n"
        "bound.info('shown')\n"
        "sys.__stdout__.write(sys.stderr.getvalue())\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    [line] = run.stdout.splitlines()
    event = json.loads(line)
    assert (event["event"], event["spec"], event["module"]) == ("shown", "lab", "m")
