"""Helpers for the reconciler's integration tests: write a spec, run the CLI, read containers.

The CLI runs in-process through click's runner against :data:`vlanspec.cli.cli`, with its
standard input not a terminal (so apply and destroy need ``--auto-approve``, as in CI).
Exceptions are not caught by the runner: a traceback fails the test that caused it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from docker.models.containers import Container

from vlanspec.cli import cli


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def __str__(self) -> str:  # shown by pytest when an assertion about a run fails
        return f"exit {self.code}\n--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"


def write_spec(
    directory: Path,
    name: str,
    networks: Mapping[str, Any],
    containers: Mapping[str, Any] | None = None,
    file: str = "spec.yaml",
) -> str:
    """A spec file (JSON is YAML) in ``directory``; returns its path."""
    path = directory / file
    document = {"version": 1, "name": name, "networks": dict(networks)}
    if containers:
        document["containers"] = dict(containers)
    path.write_text(json.dumps(document, indent=2))
    return str(path)


def vlanspec(docker_host: str, *args: str, stdin: str | None = None) -> Run:
    """Run ``vlanspec ARGS --docker-host URL`` in-process."""
    command, *rest = args
    result = CliRunner().invoke(
        cli, [command, "--docker-host", docker_host, *rest], input=stdin, catch_exceptions=False
    )
    return Run(result.exit_code, result.stdout, result.stderr)


def name(container: Container) -> str:
    """A container's name (docker-py types it as optional; ours always have one)."""
    assert container.name, container
    return container.name


def endpoint(container: Container, network: str) -> dict[str, Any] | None:
    """The container's endpoint on ``network`` as the engine reports it now, or None."""
    container.reload()
    networks: dict[str, Any] = container.attrs["NetworkSettings"]["Networks"] or {}
    return networks.get(network)


def address(container: Container, network: str) -> str | None:
    found = endpoint(container, network)
    return found["IPAddress"] if found else None


def execute(container: Container, *command: str) -> tuple[int | None, str]:
    result = container.exec_run(list(command))
    output = result.output if isinstance(result.output, bytes) else b"".join(result.output)
    return result.exit_code, output.decode(errors="replace")


def macvlan(parent: str, subnet: str, gateway: str | None = None, **extra: Any) -> dict[str, Any]:
    """A spec network: macvlan on ``parent`` with one subnet."""
    pool: dict[str, Any] = {"subnet": subnet}
    if gateway:
        pool["gateway"] = gateway
    return {"driver": "macvlan", "parent": parent, "subnets": [pool], **extra}


def on(network: str, **settings: str) -> dict[str, Any]:
    """A spec container entry attached to one network: ``on("lan", ipv4_address="...")``."""
    return {"networks": {network: settings}}
