"""Loading specs: file or directory in, typed :class:`Spec` or located diagnostics out."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path as FsPath

from vlanspec.diagnostics import Diagnostic, Location, SpecError, has_errors, sorted_diagnostics
from vlanspec.spec import schema
from vlanspec.spec.build import build_spec
from vlanspec.spec.checks import check_spec
from vlanspec.spec.model import Spec
from vlanspec.spec.yaml_source import load_document

SPEC_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Loaded:
    """The outcome of reading one spec file: the spec when it is usable, and what was found."""

    path: str
    spec: Spec | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        return self.spec is not None and not has_errors(self.diagnostics)


def read_spec(path: str, env: Mapping[str, str] | None = None) -> Loaded:
    """Read, validate and check one spec file; user mistakes come back as diagnostics.

    ``${VAR}`` references are interpolated from ``env`` (the process environment by default).
    """
    try:
        document = load_document(path, os.environ if env is None else env)
    except SpecError as exc:
        return Loaded(path, None, tuple(exc.diagnostics))
    if not isinstance(document.data, dict):
        kind = "empty" if document.data is None else type(document.data).__name__
        words = {"list": "a list", "str": "a single value", "empty": "empty"}.get(kind, kind)
        return Loaded(
            path,
            None,
            (
                Diagnostic.error(
                    "spec.not-mapping",
                    f"a spec must be a mapping with 'version', 'name', 'networks' and "
                    f"'containers', but this document is {words}",
                    document.source.value(()),
                ),
            ),
        )
    problems = schema.validate(document.data, document.source)
    if problems:
        return Loaded(path, None, tuple(sorted_diagnostics(problems)))
    spec = build_spec(document.data, document.source)
    return Loaded(path, spec, tuple(sorted_diagnostics(check_spec(spec))))


def load_spec(path: str, env: Mapping[str, str] | None = None) -> Spec:
    """The spec in ``path``; raises :class:`SpecError` with every error found (warnings pass)."""
    loaded = read_spec(path, env)
    if loaded.spec is None or has_errors(loaded.diagnostics):
        raise SpecError(list(loaded.diagnostics))
    return loaded.spec


def unique_files(files: Iterable[str]) -> list[str]:
    """Each file once, even when named twice (a directory and a file in it): not a conflict."""
    seen: dict[str, str] = {}
    for path in files:
        seen.setdefault(os.path.realpath(path), path)
    return list(seen.values())


def expand_paths(arguments: Iterable[str]) -> tuple[list[str], list[Diagnostic]]:
    """Spec files named by the arguments: files as given, directories by their *.yaml/*.yml."""
    files: list[str] = []
    problems: list[Diagnostic] = []
    for argument in arguments:
        path = FsPath(argument)
        if path.is_dir():
            found = sorted(
                str(p) for p in path.iterdir() if p.is_file() and p.suffix in SPEC_SUFFIXES
            )
            if not found:
                problems.append(
                    Diagnostic.error(
                        "file.no-specs",
                        "directory holds no *.yaml or *.yml files",
                        Location(argument),
                    )
                )
            files.extend(found)
        elif path.exists():
            files.append(argument)
        else:
            problems.append(
                Diagnostic.error("file.missing", "no such file or directory", Location(argument))
            )
    return files, problems
