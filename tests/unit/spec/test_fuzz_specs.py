"""Mutated valid specs never get past vlanspec's diagnostics: no exception, no traceback.

Hypothesis starts from the valid specs (``specs/`` and ``tests/corpus/valid/``) and breaks them
the ways files really break: keys deleted, values replaced by random YAML, the file cut off at a
random place, random bytes flipped, YAML syntax dropped in at random. Whatever comes out,
``read_spec`` must return diagnostics (never raise), the checks of a spec that did load must run,
and ``vlanspec validate`` must exit 0 or 1 without a traceback or an internal error.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from vlanspec.cli import cli
from vlanspec.plan.preflight import live_checks
from vlanspec.spec import read_spec
from vlanspec.spec.checks import check_specs
from vlanspec.spec.model import Subnet
from vlanspec.state import EngineInfo, LiveEndpoint, LiveNetwork, LiveState

ROOT = Path(__file__).resolve().parents[3]
SEEDS = sorted([*(ROOT / "specs").glob("*.yaml"), *(ROOT / "tests/corpus/valid").glob("*.yaml")])
TEXTS = [path.read_text(encoding="utf-8") for path in SEEDS]
ENV = {"X": "1", "PARENT": "eth0"}

#: Fragments that YAML treats specially, for dropping into a file at random places.
SYNTAX = [
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ": ",
    "- ",
    "? ",
    "&a ",
    "*a",
    "!!str ",
    "!x ",
    "!!binary ",
    "'",
    '"',
    "#",
    "\t",
    "\n",
    "\r",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "<<: *a\n",
    "|\n",
    ">-\n",
    "${X}",
    "${NOPE}",
    "$$",
    "${",
    "~",
    "null",
    "0x1F",
    "1e999",
    "2001-13-45",
    "\x07",
    "\ufeff",
    "\u2028",
    "9" * 5000,
]

LIVE = LiveState(
    EngineInfo("20.10.24", "1.41"),
    (
        LiveNetwork("b1", "bridge", "bridge", subnets=(Subnet("172.17.0.0/16"),)),
        LiveNetwork("m1", "other", "macvlan", {"parent": "eth0"}, subnets=(Subnet("10.0.0.0/8"),)),
    ),
    endpoints=(LiveEndpoint("web", "c1", "lan", "n1", mac_address="02:00:00:00:00:01"),),
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["192.0.2.1", "192.0.2.0/24", "2001:db8::/64", "eth0.20", "02:00:00:00:00:01"]),
)
yaml_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def load(text: str) -> Any:
    return YAML(typ="rt").load(text)


def dump(data: Any) -> str:
    out = io.StringIO()
    YAML(typ="rt").dump(data, out)
    return out.getvalue()


def containers(node: Any) -> list[tuple[Any, Any]]:
    """Every (mapping or list, key or index) in the tree, for picking a place to mutate."""
    found: list[tuple[Any, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append((node, key))
            found.extend(containers(value))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.append((node, index))
            found.extend(containers(value))
    return found


@st.composite
def structural(draw: st.DrawFn) -> bytes:
    """A seed with one key deleted or one value replaced by random YAML."""
    data = load(draw(st.sampled_from(TEXTS)))
    places = containers(data)
    parent, key = draw(st.sampled_from(places))
    if draw(st.booleans()):
        del parent[key]
    else:
        parent[key] = draw(yaml_values)
    return dump(data).encode("utf-8", errors="surrogatepass")


@st.composite
def textual(draw: st.DrawFn) -> bytes:
    """A seed cut off, with bytes flipped, or with YAML syntax inserted, at random places."""
    raw = draw(st.sampled_from(TEXTS)).encode()
    kind = draw(st.sampled_from(["truncate", "truncate-lines", "flip", "insert"]))
    if kind == "truncate":
        return raw[: draw(st.integers(0, len(raw)))]
    if kind == "truncate-lines":
        lines = raw.splitlines(keepends=True)
        return b"".join(lines[: draw(st.integers(0, len(lines)))])
    data = bytearray(raw)
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data)))
        if kind == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        else:
            data[at:at] = draw(st.sampled_from(SYNTAX)).encode("utf-8", errors="surrogatepass")
    return bytes(data)


def never_fails_badly(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "spec.yaml"
        path.write_bytes(content)
        loaded = read_spec(str(path), ENV)
        for d in loaded.diagnostics:
            assert d.location.file == str(path) and d.message
            assert d.location.line >= 1 and d.location.column >= 1
        if loaded.spec is not None:
            assert isinstance(check_specs([loaded.spec, loaded.spec]), list)
            assert isinstance(live_checks(loaded.spec, LIVE, frozenset({"lo", "eth0"})), list)
        result = CliRunner().invoke(cli, ["validate", str(path)], env=ENV)
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output and "internal error" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


FUZZ = settings(
    max_examples=int(os.environ.get("VLANSPEC_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def test_the_seeds_are_valid() -> None:
    assert len(TEXTS) >= 5
    for path in SEEDS:
        assert read_spec(str(path), ENV).diagnostics == (), path


@FUZZ
@given(structural())
def test_structural_mutations_never_escape(content: bytes) -> None:
    never_fails_badly(content)


@FUZZ
@given(textual())
def test_textual_mutations_never_escape(content: bytes) -> None:
    never_fails_badly(content)


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_never_escape(content: bytes) -> None:
    never_fails_badly(content)
