"""Reading a spec file into plain data while remembering where every value stands.

ruamel.yaml's round-trip loader keeps line and column on each mapping and sequence; this module
turns its tree into plain ``dict``/``list``/scalars (what JSON Schema validates) plus a
:class:`SourceMap`, and turns everything YAML can throw at a user into diagnostics.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

from vlanspec.diagnostics import Diagnostic, Location, SpecError
from vlanspec.spec.interpolate import interpolate
from vlanspec.spec.model import Path, SourceMap
from vlanspec.spec.yaml_limits import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_LINES,
    MAX_NODES,
    LimitExceeded,
    ValueUnreadable,
    bounded_yaml,
    count_lines,
)

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_LINES",
    "MAX_NODES",
    "Document",
    "load_document",
    "parse",
]

_CORE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")
)


@dataclass(frozen=True)
class Document:
    """A parsed YAML document: plain data, and where each part of it was written."""

    data: Any
    source: SourceMap


def read_text(path: str) -> str:
    """Read a spec file as UTF-8, refusing what cannot be a spec with one clear diagnostic."""
    where = Location(path, 1, 1)
    try:
        fs_path = FsPath(path)
        size = fs_path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SpecError(
                [
                    Diagnostic.error(
                        "file.too-large",
                        f"file is {size} bytes; specs may be at most {MAX_FILE_BYTES} bytes",
                        where,
                        "split the spec into several files in one directory",
                    )
                ]
            )
        raw = fs_path.read_bytes()
    except OSError as exc:
        raise SpecError(
            [Diagnostic.error("file.unreadable", f"cannot read file: {exc.strerror}", where)]
        ) from None
    return decode(path, raw)


def decode(path: str, raw: bytes) -> str:
    """UTF-8 text of a file's bytes; binary or wrongly encoded files get a located diagnostic."""
    if b"\0" in raw:
        line = raw[: raw.index(b"\0")].count(b"\n") + 1
        raise SpecError(
            [
                Diagnostic.error(
                    "file.binary", "file is binary, not a YAML spec", Location(path, line)
                )
            ]
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise SpecError(
            [
                Diagnostic.error(
                    "file.encoding",
                    f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                    Location(path, line, column),
                    "save the file as UTF-8",
                )
            ]
        ) from None


def parse(path: str, text: str, env: Mapping[str, str] | None = None) -> Document:
    """Parse one YAML document; every YAML-level problem becomes a :class:`SpecError`.

    With ``env``, ``${VAR}`` references in values are interpolated (see interpolate.py).
    """
    lines = count_lines(text)
    if lines > MAX_LINES:
        raise SpecError(
            [
                Diagnostic.error(
                    "file.too-large",
                    f"file has {lines} lines; specs may have at most {MAX_LINES}",
                    Location(path, MAX_LINES + 1),
                    "split the spec into several files in one directory",
                )
            ]
        )
    yaml = bounded_yaml()
    yaml.preserve_quotes = True  # so a quoted "${N}" stays a string, a plain ${N} may be a number
    try:
        tree = yaml.load(text)
    except LimitExceeded as exc:
        where = _mark_location(path, exc.mark)
        raise SpecError([Diagnostic.error(exc.code, exc.message, where, exc.hint)]) from None
    except ValueUnreadable as exc:
        where = _mark_location(path, exc.problem_mark)
        problem = str(exc.problem)
        raise SpecError(
            [Diagnostic.error("yaml.value", problem, where, "quote it to make it a string")]
        ) from None
    except MarkedYAMLError as exc:
        raise SpecError([_marked_error(path, exc)]) from None
    except ReaderError as exc:
        raise SpecError([_reader_error(path, text, exc)]) from None
    except YAMLError as exc:
        raise SpecError([Diagnostic.error("yaml.syntax", str(exc), Location(path))]) from None
    except RecursionError:  # the limits above stop nesting first; this is a last resort
        raise SpecError(
            [Diagnostic.error("yaml.too-deep", "the document nests too deeply", Location(path))]
        ) from None
    root_mark = getattr(yaml.parser, "root_mark", None) if tree is not None else None
    walker = _Walker(path, env)
    data = walker.walk(tree, (), _mark_location(path, root_mark), 0)
    if walker.diagnostics:
        raise SpecError(walker.diagnostics)
    return Document(data, SourceMap(path, walker.values, walker.keys))


def load_document(path: str, env: Mapping[str, str] | None = None) -> Document:
    """Read and parse a spec file, interpolating variables from ``env`` when given."""
    return parse(path, read_text(path), env)


def _mark_location(path: str, mark: Any) -> Location:
    line, column = getattr(mark, "line", None), getattr(mark, "column", None)
    if not isinstance(line, int) or not isinstance(column, int):
        return Location(path)
    return Location(path, line + 1, column + 1)


def _reader_error(path: str, text: str, exc: ReaderError) -> Diagnostic:
    """A character YAML does not allow (a control character, say), at its line and column."""
    position = exc.position if isinstance(exc.position, int) else 0
    before = text[:position]
    line = before.count("\n") + 1
    column = position - (before.rfind("\n") + 1) + 1
    character = exc.character if isinstance(exc.character, int) else 0
    escape = f"\\x{character:02x}" if character <= 0xFF else f"\\u{character:04x}"
    return Diagnostic.error(
        "yaml.character",
        f"the file contains the character U+{character:04X}, which YAML does not allow",
        Location(path, line, column),
        f'remove it, or write it as an escape ("{escape}") inside double quotes',
    )


def _marked_error(path: str, exc: MarkedYAMLError) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    where = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
    problem = (exc.problem or exc.context or "invalid YAML").strip()
    if "duplicate key" in problem:
        key = problem.split('"')[1] if '"' in problem else "?"
        return Diagnostic.error(
            "yaml.duplicate-key",
            f"duplicate key '{key}'",
            where,
            "each key may appear once in a mapping; remove or rename one of them",
        )
    if "expected a single document" in str(exc.context or ""):
        return Diagnostic.error(
            "yaml.multiple-documents",
            "a spec file holds one YAML document, but this one has more",
            where,
            "put each spec in a file of its own",
        )
    context = f" ({exc.context.strip()})" if exc.context and exc.problem else ""
    return Diagnostic.error("yaml.syntax", f"YAML syntax error: {problem}{context}", where)


class _Walker:
    """Turns ruamel's round-trip tree into plain data, recording positions on the way."""

    def __init__(self, path: str, env: Mapping[str, str] | None) -> None:
        self.path = path
        self.env = env
        self.values: dict[Path, Location] = {}
        self.keys: dict[Path, Location] = {}
        self.diagnostics: list[Diagnostic] = []
        self.nodes = 0
        self.stopped = False

    def _at(self, line: int | None, column: int | None, fallback: Location) -> Location:
        if line is None or column is None:
            return fallback
        return Location(self.path, line + 1, column + 1)

    def walk(self, node: Any, path: Path, where: Location, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES or depth > MAX_DEPTH:
            self._stop(where, too_many=self.nodes > MAX_NODES)
            return None
        self.values.setdefault(path, where)
        tag = getattr(getattr(node, "tag", None), "value", None)
        if tag is not None and tag not in _CORE_TAGS:
            self.diagnostics.append(
                Diagnostic.error(
                    "yaml.tag",
                    f"YAML tag '{tag}' is not supported",
                    where,
                    "remove the tag; specs use plain YAML values only",
                )
            )
            return None
        if isinstance(node, bytes | AbstractSet):  # ``!!binary`` and ``!!set``
            kind = "binary" if isinstance(node, bytes) else "set"
            self.diagnostics.append(
                Diagnostic.error(
                    "yaml.tag",
                    f"YAML type '!!{kind}' is not supported",
                    where,
                    "remove the tag; specs use plain YAML values only",
                )
            )
            return None
        if isinstance(node, CommentedMap):
            return self._mapping(node, path, where, depth)
        if isinstance(node, CommentedSeq):
            return self._sequence(node, path, where, depth)
        if self.env is not None and isinstance(node, str) and "$" in node:
            return self._interpolated(node, where)
        return _scalar(node)

    def _stop(self, where: Location, *, too_many: bool) -> None:
        """Report the first value past a limit once; what aliases expand to got there."""
        if self.stopped:
            return
        self.stopped = True
        if too_many:
            code, message = "yaml.too-large", f"the document expands to over {MAX_NODES} values"
        else:
            code, message = "yaml.too-deep", f"the document nests more than {MAX_DEPTH} levels deep"
        self.diagnostics.append(
            Diagnostic.error(
                code,
                message,
                where,
                "YAML aliases that refer to each other can expand enormously; write the values out",
            )
        )

    def _interpolated(self, node: str, where: Location) -> Any:
        value, problems = interpolate(str(node), self.env or {}, where)
        self.diagnostics.extend(problems)
        if type(node) is str and _WHOLE_REFERENCE.fullmatch(node):
            return _plain_scalar(value)  # an unquoted ${PORT} may stand for a number or boolean
        return value

    def _mapping(self, node: CommentedMap, path: Path, where: Location, depth: int) -> Any:
        self.values[path] = self._at(node.lc.line, node.lc.col, where)
        result: dict[str, Any] = {}
        for key, value in node.items():
            child: Path = (*path, str(key))
            try:
                kline, kcol = node.lc.key(key)
                vline, vcol = node.lc.value(key)
            except (KeyError, TypeError):
                kline = kcol = vline = vcol = None
            key_at = self._at(kline, kcol, where)
            if not isinstance(key, str | int | float | bool) or key is None:
                self.diagnostics.append(
                    Diagnostic.error("yaml.key", "mapping keys must be plain strings", key_at)
                )
                continue
            self.keys[child] = key_at
            value_at = self._at(vline, vcol, key_at)
            if value is None and value_at.line != key_at.line:
                value_at = key_at  # ``key:`` with nothing after it: ruamel points at what follows
            self.values[child] = value_at
            result[str(key)] = self.walk(value, child, value_at, depth + 1)
        return result

    def _sequence(self, node: CommentedSeq, path: Path, where: Location, depth: int) -> Any:
        self.values[path] = self._at(node.lc.line, node.lc.col, where)
        result: list[Any] = []
        for index, item in enumerate(node):
            child: Path = (*path, index)
            try:
                line, col = node.lc.item(index)
            except (KeyError, TypeError):
                line = col = None
            item_at = self._at(line, col, where)
            self.values[child] = item_at
            result.append(self.walk(item, child, item_at, depth + 1))
        return result


_WHOLE_REFERENCE = re.compile(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*")


def _plain_scalar(text: str) -> Any:
    """What an unquoted YAML scalar with this text would be (core schema: bool, int, string)."""
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if re.fullmatch(r"[-+]?[0-9]{1,100}", text):  # longer: Python refuses, no spec needs it
        return int(text)
    return text


def _scalar(node: Any) -> Any:
    """A plain JSON-like scalar; YAML-only types become strings so the schema can judge them."""
    if isinstance(node, TaggedScalar):  # only core tags reach here, e.g. ``!!str 1``
        return str(node.value)
    if node is None or isinstance(node, bool):
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, datetime.date | datetime.datetime):
        return node.isoformat()
    return str(node)
