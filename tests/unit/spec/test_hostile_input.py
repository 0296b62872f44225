"""Hostile and broken files: one clear diagnostic each, exit 1, no traceback, hang or memory spike.

Each file is generated here (none is stored) and checked the way a user meets it: ``vlanspec
validate`` in a process of its own must exit 1 with exactly one error of the expected code, no
traceback, within a time bound and a bound on the process's peak memory.
"""

from __future__ import annotations

import copy
import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from vlanspec.spec import read_spec
from vlanspec.spec.yaml_limits import MAX_DEPTH, MAX_FILE_BYTES, MAX_LINES, MAX_NODES
from vlanspec.spec.yaml_source import parse

#: Far above the slowest case on a loaded CI machine (a few seconds), far below a hang.
SECONDS = 30.0
#: Peak resident memory of one ``vlanspec validate`` (about 60 MB of it is Python and imports).
PEAK_BYTES = 200 * 1024 * 1024


def alias_bomb(levels: int = 9, width: int = 10) -> bytes:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return ("\n".join(lines) + "\nname: lab\n").encode()


def deep_block(levels: int) -> bytes:
    return "".join(f"{'  ' * i}k{i}:\n" for i in range(levels)).encode() + b"  " * levels + b"x\n"


def just_under_limit(unit: str, head: str = "name: lab\nnetworks: [") -> bytes:
    count = (MAX_FILE_BYTES - len(head) - 10) // len(unit)
    return (head + unit * count + "]\n").encode()


CASES: dict[str, tuple[Callable[[], bytes], str]] = {
    "empty": (lambda: b"", "spec.not-mapping"),
    "only-whitespace": (lambda: b"  \n\n\t\n", "spec.not-mapping"),
    "only-comments": (lambda: b"# a spec\n# nothing else\n", "spec.not-mapping"),
    "top-level-list": (lambda: b"- name: lab\n- networks: {}\n", "spec.not-mapping"),
    "top-level-scalar": (lambda: b"lab\n", "spec.not-mapping"),
    "top-level-number": (lambda: b"42\n", "spec.not-mapping"),
    "binary": (lambda: bytes(range(256)) * 4, "file.binary"),
    "nul-in-text": (lambda: b"name: lab\nnetworks: {}\x00\n", "file.binary"),
    "utf-16": (lambda: "name: lab\n".encode("utf-16"), "file.binary"),
    "latin-1": (lambda: "name: café\n".encode("latin-1"), "file.encoding"),
    "over-the-size-limit": (lambda: b"#" * (MAX_FILE_BYTES + 1), "file.too-large"),
    "alias-bomb": (alias_bomb, "yaml.too-large"),
    "wide-alias-bomb": (
        lambda: b"a: &a [x, x, x, x, x, x, x, x]\nb: [" + b"*a, " * 30_000 + b"]\n",
        "yaml.too-large",
    ),
    "deep-flow-sequences": (lambda: b"[" * 200_000 + b"]" * 200_000, "yaml.too-deep"),
    "deep-flow-mappings": (lambda: b"{a: " * 100_000 + b"1" + b"}" * 100_000, "yaml.too-deep"),
    "deep-block-mappings": (lambda: deep_block(MAX_DEPTH + 5), "yaml.too-deep"),
    "deep-block-sequences": (lambda: b"- " * 100_000 + b"x\n", "yaml.too-deep"),
    "deep-complex-keys": (lambda: b"? " * 100_000 + b"x\n", "yaml.too-deep"),
    "many-values": (lambda: just_under_limit("a,"), "yaml.too-large"),
    "many-mappings": (lambda: just_under_limit("{a: 1},"), "yaml.too-large"),
    "many-keys": (
        lambda: (
            b"name: lab\nnetworks:\n"
            + b"".join(b"  n%d: 1\n" % i for i in range(2 * MAX_NODES + 10))
        ),
        "yaml.too-large",
    ),
    "comment-lines-to-the-size-limit": (
        lambda: b"#\n" * (MAX_FILE_BYTES // 2 - 10),
        "file.too-large",
    ),
    "carriage-returns-past-the-line-limit": (lambda: b"#\r" * (MAX_LINES + 1), "file.too-large"),
    "comment-lines-to-the-line-limit": (lambda: b"#\n" * (MAX_LINES - 10), "spec.not-mapping"),
    "one-long-line": (lambda: b"name: " + b"a" * (MAX_FILE_BYTES - 100) + b"\n", "schema.length"),
    "control-character": (lambda: b"name: lab\x07\n", "yaml.character"),
    "huge-integer": (lambda: b"name: lab\nversion: " + b"9" * 5000 + b"\n", "yaml.value"),
    "impossible-date": (lambda: b"name: 2001-13-45\n", "yaml.value"),
    "impossible-bool": (lambda: b"name: !!bool maybe\n", "yaml.value"),
    "custom-tag": (lambda: b"name: !secret lab\n", "yaml.tag"),
    "python-tag": (lambda: b"name: !!python/object/apply:os.system [id]\n", "yaml.tag"),
    "binary-tag": (lambda: b"name: !!binary bGFi\n", "yaml.tag"),
    "set-tag": (lambda: b"name: lab\nnetworks: !!set {a, b}\n", "yaml.tag"),
    "list-as-key": (lambda: b"name: lab\n? [a, b]\n: 1\n", "yaml.key"),
    "mapping-as-key": (lambda: b"name: lab\n{a: 1}: 2\n", "yaml.key"),
    "null-key": (lambda: b"name: lab\n~: 1\n", "yaml.key"),
    "duplicate-key": (lambda: b"name: a\nname: b\n", "yaml.duplicate-key"),
    "two-documents": (lambda: b"name: a\n---\nname: b\n", "yaml.multiple-documents"),
    "unclosed-bracket": (lambda: b"name: lab\nnetworks: [\n", "yaml.syntax"),
    "tab-indentation": (lambda: b"name: lab\nnetworks:\n\tlan: {}\n", "yaml.syntax"),
}


# Runs the CLI and, at exit, writes the process's own peak resident memory (VmHWM, in kB) to the
# file named by the environment. Not ru_maxrss: Linux carries the forking parent's high-water
# mark into the child's, so after a big test (a pip install, hypothesis) every child would seem
# to peak at the parent's size.
_MEASURED_CLI = """
import atexit, os

def _peak() -> None:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                with open(os.environ["VLANSPEC_TEST_PEAK_FILE"], "w") as out:
                    out.write(line.split()[1])

atexit.register(_peak)
from vlanspec.cli import main
main()
"""


def run_validate(path: Path) -> tuple[int, str, str, float, int]:
    """``vlanspec validate --format json`` in a process of its own.

    Returns exit code, standard output, standard error, seconds, and the peak resident memory
    of that process in bytes (its own VmHWM, so it is this run's and nothing else's).
    """
    out, err = path.with_suffix(".out"), path.with_suffix(".err")
    peak_file = path.with_suffix(".peak")
    command = [sys.executable, "-c", _MEASURED_CLI]
    env = {**os.environ, "VLANSPEC_TEST_PEAK_FILE": str(peak_file)}
    started = time.monotonic()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [*command, "validate", "--format", "json", str(path)],
            stdout=stdout,
            stderr=stderr,
            env=env,
        )
        try:
            process.wait(timeout=SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            pytest.fail(f"validate {path.name} still ran after {SECONDS}s")
    seconds = time.monotonic() - started
    return (
        process.returncode,
        out.read_text(errors="replace"),
        err.read_text(errors="replace"),
        seconds,
        int(peak_file.read_text()) * 1024,
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_file_gets_one_clear_error(tmp_path: Path, case: str) -> None:
    make, code = CASES[case]
    path = tmp_path / f"{case}.yaml"
    path.write_bytes(make())

    exit_code, out, err, seconds, peak = run_validate(path)

    assert exit_code == 1, err
    assert "Traceback" not in out + err and "internal error" not in err
    found = json.loads(out)
    assert [(d["code"], d["severity"]) for d in found] == [(code, "error")], found
    assert found[0]["file"] == str(path) and found[0]["line"] >= 1 and found[0]["column"] >= 1
    assert seconds < SECONDS, f"{case} took {seconds:.1f}s"
    assert peak < PEAK_BYTES, f"{case} peaked at {peak / 1e6:.0f} MB"


BASE: dict[str, Any] = {
    "version": 1,
    "name": "lab",
    "networks": {
        "lan": {
            "driver": "macvlan",
            "parent": "eth0",
            "mode": "bridge",
            "subnets": [
                {
                    "subnet": "192.0.2.0/24",
                    "gateway": "192.0.2.1",
                    "ip_range": "192.0.2.128/25",
                    "aux_addresses": {"router": "192.0.2.254"},
                },
                {"subnet": "2001:db8::/64"},
            ],
            "ipv6": True,
            "internal": False,
            "labels": {"owner": "netops"},
            "options": {"mtu": "1500"},
            "attachments": "additive",
        },
        "vl": {"driver": "ipvlan", "parent": "eth1", "mode": "l2", "flag": "bridge"},
    },
    "containers": {
        "web": {
            "networks": {
                "lan": {
                    "ipv4_address": "192.0.2.10",
                    "ipv6_address": "2001:db8::10",
                    "mac_address": "02:00:00:00:00:01",
                    "aliases": ["www"],
                }
            }
        },
        "worker": {"networks": ["vl"]},
    },
}


def every_path(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    if path:
        yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from every_path(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from every_path(value, (*path, index))


def wrong_type_for(value: Any) -> Any:
    """A value of another type than ``value``'s, that no rule of the field accepts."""
    if isinstance(value, bool):
        return "yes"
    if isinstance(value, str | int):
        return ["x"]
    if isinstance(value, list):
        return "text"
    return 7


def dump(data: Any) -> str:
    yaml = YAML()
    yaml.default_flow_style = False
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def test_the_base_spec_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "base.yaml"
    path.write_text(dump(BASE))
    assert read_spec(str(path), {}).diagnostics == ()


@pytest.mark.parametrize("path", list(every_path(BASE)), ids=lambda p: ".".join(map(str, p)))
def test_every_field_of_the_wrong_type(tmp_path: Path, path: tuple[str | int, ...]) -> None:
    data = copy.deepcopy(BASE)
    node: Any = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = wrong_type_for(node[path[-1]])
    text = dump(data)
    file = tmp_path / "wrong.yaml"
    file.write_text(text)

    [diagnostic] = read_spec(str(file), {}).diagnostics
    assert diagnostic.is_error and diagnostic.code.startswith("schema.")
    assert diagnostic.location == parse(str(file), text).source.value(path)
    assert f"'{path[0]}" in diagnostic.message  # it names the field
