"""The engine commands without an engine: connection failures, confirmation, options."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from vlanspec.cli import cli
from vlanspec.commands.live import confirm
from vlanspec.engine import connect
from vlanspec.engine.client import _unreachable
from vlanspec.engine.errors import EngineUnreachable
from vlanspec.errors import UserError

SPEC = {
    "version": 1,
    "name": "offline",
    "networks": {
        "lan": {"driver": "macvlan", "parent": "eth9", "subnets": [{"subnet": "192.0.2.0/24"}]}
    },
}


@pytest.fixture
def spec_file(tmp_path: Path) -> str:
    path = tmp_path / "spec.yaml"
    path.write_text(json.dumps(SPEC))
    return str(path)


@pytest.mark.parametrize("command", ["plan", "apply", "destroy", "status"])
def test_no_engine_is_a_message_with_a_hint(command: str, spec_file: str, tmp_path: Path) -> None:
    url = f"unix://{tmp_path}/nothing.sock"
    result = CliRunner().invoke(
        cli, [command, spec_file, "--docker-host", url], catch_exceptions=False
    )
    assert result.exit_code == 1
    assert f"cannot reach the Docker engine at {url}: no such socket" in result.stderr
    assert "hint: is the Docker daemon running?" in result.stderr
    assert "Traceback" not in result.output


def test_docker_host_comes_from_the_environment(
    spec_file: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"unix://{tmp_path}/env.sock"
    monkeypatch.setenv("DOCKER_HOST", url)
    result = CliRunner().invoke(cli, ["plan", spec_file], catch_exceptions=False)
    assert result.exit_code == 1
    assert url in result.stderr


def test_tls_variables_apply_and_bad_certificates_are_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    monkeypatch.setenv("DOCKER_CERT_PATH", str(tmp_path / "no-certs"))
    with pytest.raises(EngineUnreachable) as caught:
        connect("tcp://127.0.0.1:2376")
    assert "tcp://127.0.0.1:2376" in caught.value.message
    assert caught.value.hint and "DOCKER_TLS" in caught.value.hint


def test_permission_denied_says_what_to_do() -> None:
    error = _unreachable("unix:///var/run/docker.sock", PermissionError(13, "Permission denied"))
    assert error.reason == "permission denied"
    assert error.hint and "'docker' group" in error.hint


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_confirmation_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    confirm("Apply?", auto_approve=True)  # never asks
    with pytest.raises(UserError, match="not a terminal") as caught:
        confirm("Apply?", auto_approve=False)
    assert caught.value.hint and "--auto-approve" in caught.value.hint

    monkeypatch.setattr("sys.stdin", _Terminal("yes\n"))
    confirm("Apply?", auto_approve=False)
    monkeypatch.setattr("sys.stdin", _Terminal("y\n"))
    with pytest.raises(UserError, match="cancelled"):
        confirm("Apply?", auto_approve=False)
