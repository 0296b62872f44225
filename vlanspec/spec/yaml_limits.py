"""Limits that keep hostile YAML cheap, enforced while ruamel.yaml parses.

ruamel.yaml's round-trip loader is pure Python: about 50 µs per node, and its scanner is
quadratic in the number of unclosed ``[``/``{``. Checking the size of the tree only after it was
built would let a 1 MiB file of ``[a, a, a, ...]`` take half a minute, and 5,000 ``[`` take
seconds before a ``RecursionError``. So the parser and scanner used here count as they go and stop
at the first node past a limit, which bounds time and memory by the limits, not by the file.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    ScalarEvent,
)
from ruamel.yaml.parser import RoundTripParser
from ruamel.yaml.scanner import RoundTripScanner

#: Specs are small; anything bigger than this is a mistake (or an attack), not a spec.
MAX_FILE_BYTES = 1024 * 1024
#: Lines a file may have. ruamel.yaml keeps a token per comment line (about 500 bytes each),
#: so 1 MiB of ``#`` lines would cost 250 MB and seconds; the node budget below needs no more.
MAX_LINES = 50_000
#: Values a document may hold, aliases counted each time they are used (stops alias bombs).
#: Keys and values as written are limited to twice this while parsing.
MAX_NODES = 20_000
#: How deep mappings and lists may nest.
MAX_DEPTH = 32


def count_lines(text: str) -> int:
    """Lines as YAML counts them (``\\n``, ``\\r\\n``, lone ``\\r``, NEL, LS, PS), quickly."""
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    return breaks + text.count("\x85") + text.count("\u2028") + text.count("\u2029") + 1


class LimitExceeded(Exception):
    """Parsing stopped at a limit; ``mark`` is ruamel's position of the offending node."""

    def __init__(self, code: str, message: str, hint: str, mark: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint
        self.mark = mark


class ValueUnreadable(ConstructorError):
    """A scalar YAML resolved to a type whose value Python cannot build (a 5,000-digit int)."""


def too_deep(mark: Any) -> LimitExceeded:
    return LimitExceeded(
        "yaml.too-deep",
        f"the document nests more than {MAX_DEPTH} levels deep",
        "a spec needs a handful of levels; look for unbalanced '[' or '{' or runaway indentation",
        mark,
    )


def too_large(mark: Any) -> LimitExceeded:
    return LimitExceeded(
        "yaml.too-large",
        f"the document has more than {2 * MAX_NODES} keys and values",
        "a spec this large is not a spec; split it into several files in one directory",
        mark,
    )


class _BoundedScanner(RoundTripScanner):
    """Refuses flow collections nested past the depth limit before its lookahead goes quadratic."""

    def fetch_flow_collection_start(self, TokenClass: Any, to_push: str) -> None:
        if self.flow_level >= MAX_DEPTH:
            raise too_deep(self.reader.get_mark())
        super().fetch_flow_collection_start(TokenClass, to_push)


class _BoundedParser(RoundTripParser):
    """Counts nodes and nesting as events go to the composer; stops at the first one too many."""

    nodes = 0
    depth = 0
    #: Where the document's first node starts: ruamel keeps no position on a scalar document.
    root_mark: Any = None

    def get_event(self) -> Any:
        event = super().get_event()
        if isinstance(event, ScalarEvent | AliasEvent | CollectionStartEvent):
            if self.nodes == 0:
                self.root_mark = event.start_mark
            self.nodes += 1
            if self.nodes > 2 * MAX_NODES:
                raise too_large(event.start_mark)
            # A node inside ``depth`` open collections: the same count the tree walker uses.
            if self.depth > MAX_DEPTH:
                raise too_deep(event.start_mark)
            if isinstance(event, CollectionStartEvent):
                self.depth += 1
        elif isinstance(event, CollectionEndEvent):
            self.depth -= 1
        return event


class _CheckedConstructor(RoundTripConstructor):
    """Turns a value Python cannot build (``ValueError`` and kin) into a located YAML error."""

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ArithmeticError, AttributeError, LookupError, TypeError, ValueError) as exc:
            reason = str(exc).split(";")[0].split(":")[0].strip()
            if isinstance(exc, LookupError) or not reason:
                reason = "not a value of the type its tag or spelling gives it"
            raise ValueUnreadable(
                None, None, f"this value cannot be read ({reason})", node.start_mark
            ) from None


def bounded_yaml() -> YAML:
    """A round-trip YAML loader with the limits above; duplicate keys are errors."""
    yaml = YAML(typ="rt")
    yaml.Scanner = _BoundedScanner
    yaml.Parser = _BoundedParser
    yaml.Constructor = _CheckedConstructor
    yaml.allow_duplicate_keys = False
    return yaml
