"""The corpus of broken specs: each file holds one mistake and names the diagnostic it must get.

Every file in ``broken/`` starts with a comment saying what is wrong, then a line

    # expect: <severity> <code> at <line>:<column>: <fragment of the message>

The line and column are where the offending value (or key) is written, counted in the file as it
stands. Each file must produce exactly that one diagnostic through ``read_spec``, and ``vlanspec
validate`` must exit 1 with it (warnings with ``--strict``) and print no traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from vlanspec.cli import cli
from vlanspec.spec import read_spec

BROKEN = Path(__file__).parent / "broken"
EXPECT = re.compile(
    r"^# expect: (?P<severity>error|warning) (?P<code>[a-z0-9.-]+) "
    r"at (?P<line>\d+):(?P<column>\d+): (?P<fragment>.+)$",
    re.MULTILINE,
)


@dataclass(frozen=True)
class Expected:
    severity: str
    code: str
    line: int
    column: int
    fragment: str


def expected(path: Path) -> Expected:
    match = EXPECT.search(path.read_text(encoding="utf-8"))
    assert match, f"{path.name} has no '# expect:' line"
    return Expected(
        match["severity"],
        match["code"],
        int(match["line"]),
        int(match["column"]),
        match["fragment"],
    )


FILES = sorted(BROKEN.glob("*.yaml"))


def test_the_corpus_is_large_and_covers_every_kind_of_check() -> None:
    assert len(FILES) >= 60
    families = {expected(path).code.split(".")[0] for path in FILES}
    assert {"yaml", "schema", "spec", "address", "attachment", "mac", "parent"} <= families


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_broken_spec_gets_its_diagnostic(path: Path) -> None:
    want = expected(path)
    loaded = read_spec(str(path), {})
    found = [
        (d.severity.value, d.code, d.location.line, d.location.column) for d in loaded.diagnostics
    ]
    assert found == [(want.severity, want.code, want.line, want.column)]
    assert want.fragment in loaded.diagnostics[0].message
    assert loaded.diagnostics[0].hint is None or loaded.diagnostics[0].hint.strip()

    strict = ["--strict"] if want.severity == "warning" else []
    result = CliRunner().invoke(cli, ["validate", *strict, str(path)], env={})
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert f"{path}:{want.line}:{want.column}: {want.severity}: " in result.output
