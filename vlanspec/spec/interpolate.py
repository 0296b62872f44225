"""Compose-style variable interpolation in spec values: one spec, several hosts.

``${VAR}`` and ``$VAR`` take the variable's value; ``${VAR:-default}`` (unset or empty) and
``${VAR-default}`` (unset) give a default; ``${VAR:?message}`` and ``${VAR?message}`` make a missing
variable an error with that message; ``$$`` is a literal ``$``. A variable that is unset and has no
default is an error at the value's line and column, so a typo never becomes an empty parent name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from vlanspec.diagnostics import Diagnostic, Location

_PATTERN = re.compile(
    r"""
    \$(?:
        (?P<escaped>\$)
      | \{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}
      | (?P<named>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<invalid>\{[^}]*\}?)
    )
    """,
    re.VERBOSE,
)


def interpolate(text: str, env: Mapping[str, str], where: Location) -> tuple[str, list[Diagnostic]]:
    """``text`` with its variables replaced, and a diagnostic for each one that cannot be."""
    problems: list[Diagnostic] = []

    def replace(match: re.Match[str]) -> str:
        if match.group("escaped"):
            return "$"
        if match.group("invalid") is not None:
            problems.append(
                Diagnostic.error(
                    "interpolation.syntax",
                    f"invalid variable reference '${match.group('invalid')}'",
                    where,
                    "write ${NAME}, ${NAME:-default} or ${NAME:?message}; $$ for a literal $",
                )
            )
            return ""
        name = match.group("braced") or match.group("named")
        op, arg = match.group("op"), match.group("arg") or ""
        value = env.get(name)
        missing = value is None or (value == "" and op is not None and op.startswith(":"))
        if not missing:
            return value or ""
        if op in ("-", ":-"):
            return arg
        if op in ("?", ":?"):
            message = arg or "is required"
            problems.append(
                Diagnostic.error("interpolation.required", f"variable {name}: {message}", where)
            )
            return ""
        if value is None:
            problems.append(
                Diagnostic.error(
                    "interpolation.unset",
                    f"variable {name} is not set",
                    where,
                    f"set {name} in the environment or an --env-file, or give a default: "
                    f"${{{name}:-value}}",
                )
            )
        return ""

    return _PATTERN.sub(replace, text), problems


def read_env_file(path: str) -> tuple[dict[str, str], list[Diagnostic]]:
    """Variables from a Compose-style ``.env`` file: ``NAME=value`` lines, ``#`` comments."""
    values: dict[str, str] = {}
    problems: list[Diagnostic] = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        return {}, [
            Diagnostic.error("env-file.unreadable", f"cannot read: {reason}", Location(path))
        ]
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("export "):
            stripped = stripped[len("export ") :].lstrip()
        name, sep, value = stripped.partition("=")
        name = name.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            problems.append(
                Diagnostic.error(
                    "env-file.syntax",
                    "expected NAME=value",
                    Location(path, number, 1),
                )
            )
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name] = value
    return values, problems
