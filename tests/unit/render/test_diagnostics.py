"""Rendering diagnostics: the text people read, the JSON tools parse, GitHub annotations."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from vlanspec.diagnostics import Diagnostic, Location
from vlanspec.render.diagnostics import as_github, as_json, as_text

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = [
    Diagnostic.error("a.b", "gateway outside subnet", Location("s.yaml", 3, 7), "use 192.0.2.1"),
    Diagnostic.warning("c.d", "MAC is not local, 50%", Location("dir/s,1.yaml", 9, 1)),
]


def test_text() -> None:
    assert as_text(SAMPLE) == (
        "s.yaml:3:7: error: gateway outside subnet\n"
        "    hint: use 192.0.2.1\n"
        "dir/s,1.yaml:9:1: warning: MAC is not local, 50%"
    )


def test_json_matches_its_published_schema() -> None:
    data = json.loads(as_json(SAMPLE))
    schema = json.loads((ROOT / "schemas" / "diagnostics.schema.json").read_text())
    Draft202012Validator(schema).validate(data)
    assert data[0]["line"] == 3 and data[1]["severity"] == "warning"


def test_github_escapes_properties_and_message() -> None:
    lines = as_github(SAMPLE).splitlines()
    assert lines[0] == (
        "::error file=s.yaml,line=3,col=7,title=vlanspec a.b::gateway outside subnet "
        "(hint: use 192.0.2.1)"
    )
    assert lines[1].startswith("::warning file=dir/s%2C1.yaml,line=9,col=1,")
    assert lines[1].endswith("::MAC is not local, 50%25")
