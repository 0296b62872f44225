"""YAML reading: positions kept, and every YAML-level problem a located diagnostic."""

from __future__ import annotations

import pytest

from vlanspec.diagnostics import SpecError
from vlanspec.spec.yaml_source import decode, parse


def codes_at(text: str) -> list[tuple[str, int, int]]:
    with pytest.raises(SpecError) as caught:
        parse("f.yaml", text)
    return [(d.code, d.location.line, d.location.column) for d in caught.value.diagnostics]


def test_positions_of_keys_and_values() -> None:
    doc = parse(
        "f.yaml",
        "name: lab\nnetworks:\n  lan:\n    driver: macvlan\n    subnets:\n"
        "      - subnet: 192.0.2.0/24\n",
    )
    assert doc.data["networks"]["lan"]["subnets"][0]["subnet"] == "192.0.2.0/24"
    value = doc.source.value(("networks", "lan", "subnets", 0, "subnet"))
    assert (value.line, value.column) == (6, 17)
    key = doc.source.key(("networks", "lan", "driver"))
    assert (key.line, key.column) == (4, 5)
    # A path that does not exist falls back to its nearest ancestor.
    assert doc.source.value(("networks", "lan", "nope")).line == 4


def test_duplicate_key_is_located_at_the_second_one() -> None:
    assert codes_at("name: a\nnetworks: {}\nname: b\n") == [("yaml.duplicate-key", 3, 1)]


def test_syntax_error_is_located() -> None:
    [(code, line, _col)] = codes_at("name: lab\nnetworks:\n  lan: [1, 2\n")
    assert code == "yaml.syntax" and line >= 3


def test_unknown_tags_are_refused_core_tags_accepted() -> None:
    assert codes_at("name: !secret lab\n") == [("yaml.tag", 1, 7)]
    assert codes_at("a: !!python/object:os.system x\n")[0][0] == "yaml.tag"
    assert parse("f.yaml", "name: !!str 1\n").data == {"name": "1"}


def test_multiple_documents_refused() -> None:
    assert codes_at("name: a\n---\nname: b\n")[0][0] == "yaml.multiple-documents"


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    assert codes_at("\n".join(lines) + "\n")[0][0] == "yaml.too-large"


def test_binary_and_bad_encoding() -> None:
    with pytest.raises(SpecError) as caught:
        decode("f.yaml", b"name: a\n\x00\x01")
    assert caught.value.diagnostics[0].code == "file.binary"
    with pytest.raises(SpecError) as caught:
        decode("f.yaml", b"name: a\nparent: \xff\n")
    d = caught.value.diagnostics[0]
    assert (d.code, d.location.line, d.location.column) == ("file.encoding", 2, 9)
    assert decode("f.yaml", "\ufeffname: é\n".encode()) == "name: é\n"
