"""Compose-style ``${VAR}`` interpolation: values from the environment, errors where they stand."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from vlanspec.cli import cli
from vlanspec.diagnostics import Location
from vlanspec.spec import load_spec, read_spec
from vlanspec.spec.interpolate import interpolate, read_env_file

HERE = Location("f.yaml", 4, 13)


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        ("${P}", {"P": "eth1"}, "eth1"),
        ("$P.20", {"P": "eth1"}, "eth1.20"),
        ("${P:-eth0}", {}, "eth0"),
        ("${P:-eth0}", {"P": ""}, "eth0"),
        ("${P-eth0}", {"P": ""}, ""),
        ("${P:?needed}", {"P": "x"}, "x"),
        ("cost $$5", {}, "cost $5"),
        ("${A}-${B:-b}", {"A": "a"}, "a-b"),
    ],
)
def test_values(text: str, env: dict[str, str], expected: str) -> None:
    assert interpolate(text, env, HERE) == (expected, [])


def test_unset_and_required_are_errors_at_the_value() -> None:
    _, [unset] = interpolate("${PARENT}", {}, HERE)
    assert unset.code == "interpolation.unset" and unset.location == HERE
    assert "${PARENT:-value}" in (unset.hint or "")
    _, [required] = interpolate("${PARENT:?set it per host}", {"PARENT": ""}, HERE)
    assert required.message == "variable PARENT: set it per host"
    _, [bad] = interpolate("${oops", {}, HERE)
    assert bad.code == "interpolation.syntax"


SPEC = """\
name: site
networks:
  lan:
    driver: macvlan
    parent: ${LAN_PARENT:?set LAN_PARENT to the host interface}
    internal: ${INTERNAL:-false}
    subnets: [{subnet: "${SUBNET}"}]
"""


def test_spec_with_variables(tmp_path: Path) -> None:
    path = tmp_path / "site.yaml"
    path.write_text(SPEC)
    spec = load_spec(str(path), {"LAN_PARENT": "eth3", "SUBNET": "192.0.2.0/24"})
    lan = spec.networks[0]
    assert (lan.parent, lan.internal, lan.subnets[0].subnet) == ("eth3", False, "192.0.2.0/24")
    problems = read_spec(str(path), {}).diagnostics
    assert [(d.code, d.location.line, d.location.column) for d in problems] == [
        ("interpolation.required", 5, 13),
        ("interpolation.unset", 7, 24),
    ]


def test_env_file_and_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LAN_PARENT", raising=False)
    monkeypatch.delenv("SUBNET", raising=False)
    (tmp_path / "site.yaml").write_text(SPEC)
    env = tmp_path / "host-a.env"
    env.write_text("# host A\nexport LAN_PARENT=eth3\nSUBNET='192.0.2.0/24'\n")
    assert read_env_file(str(env)) == ({"LAN_PARENT": "eth3", "SUBNET": "192.0.2.0/24"}, [])
    runner = CliRunner()
    ok = runner.invoke(cli, ["validate", "--env-file", str(env), str(tmp_path / "site.yaml")])
    assert ok.exit_code == 0, ok.output
    failed = runner.invoke(cli, ["validate", str(tmp_path / "site.yaml")])
    assert failed.exit_code == 1
    assert f"{tmp_path / 'site.yaml'}:5:13: error: variable LAN_PARENT" in failed.output
    (tmp_path / "bad.env").write_text("not a line\n")
    broken = runner.invoke(
        cli, ["validate", "--env-file", str(tmp_path / "bad.env"), str(tmp_path / "site.yaml")]
    )
    assert broken.exit_code == 1 and "bad.env:1:1: error: expected NAME=value" in broken.output
