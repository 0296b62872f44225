"""Saved plans on the command line: ``plan SPEC -o FILE`` and ``apply FILE``.

What a saved plan holds and when it is stale is :mod:`vlanspec.saved_plan`; this module does the
file I/O and runs the same sequence as ``apply SPEC`` (lock, read, check, plan, apply, verify),
except that the plan applied is the saved one, and only when nothing it was made from changed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from vlanspec import __version__
from vlanspec.commands.live import Session, load, make_plan, open_session, show_and_apply
from vlanspec.errors import UserError
from vlanspec.plan.model import Plan
from vlanspec.plan.serialize import PlanFormatError, plan_to_dict
from vlanspec.saved_plan import (
    SavedPlan,
    digest,
    live_fingerprint,
    saved_from_dict,
    saved_to_json,
    spec_digest,
    what_changed,
)

F = TypeVar("F", bound=Callable[..., Any])


def out_option(function: F) -> F:
    """``-o/--out FILE``: save the plan for ``vlanspec apply FILE``."""
    decorated: F = click.option(
        "-o",
        "--out",
        "out",
        metavar="FILE",
        type=click.Path(dir_okay=False, writable=True),
        default=None,
        help="Also save the plan to FILE, with fingerprints of the spec and of the live state; "
        "'vlanspec apply FILE' then applies exactly this plan, or refuses if either changed.",
    )(function)
    return decorated


def spec_bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise UserError(f"cannot read the spec file {path}: {error.strerror or error}") from None


def save(
    out: str,
    *,
    session: Session,
    plan: Plan,
    spec_path: str,
    spec_file: bytes,
    env_files: tuple[str, ...],
    adopt: tuple[str, ...],
) -> None:
    """Write ``plan`` to ``out`` as a saved plan (replacing the file in one step)."""
    saved = SavedPlan(
        plan=plan,
        spec_path=spec_path,
        spec_file=digest(spec_file),
        spec=spec_digest(session.spec),
        live=live_fingerprint(session.live, session.spec, adopt),
        vlanspec_version=__version__,
        created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        env_files=env_files,
        adopt=adopt,
    )
    target = Path(out)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=directory)
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(saved_to_json(saved))
        os.replace(temporary, target)
    except OSError as error:
        raise UserError(f"cannot write the plan to {out}: {error.strerror or error}") from None


def parse_saved(path: str, document: dict[str, Any]) -> SavedPlan:
    """The saved plan in ``document`` (read from ``path``), or a user error saying why not."""
    try:
        return saved_from_dict(document)
    except PlanFormatError as error:
        raise UserError(
            f"{path} is not a saved plan this vlanspec can apply: {error}",
            "make one with 'vlanspec plan SPEC -o FILE'",
        ) from None


def apply_saved(
    path: str,
    document: dict[str, Any],
    *,
    docker_host: str | None,
    env_files: tuple[str, ...],
    adopt: tuple[str, ...],
    lock_timeout: float,
    parallelism: int | None,
) -> None:
    """Apply the plan saved in ``path`` if nothing it was made from changed; else exit 1.

    A saved plan is applied without asking: it was reviewed when it was saved, and it is
    applied only as it was reviewed.
    """

    saved = parse_saved(path, document)
    if adopt:
        raise UserError(
            "--adopt cannot be given with a saved plan: what to adopt was fixed when it was saved",
            f"the plan adopts: {', '.join(saved.adopt) or 'nothing'}",
        )
    spec_file = spec_bytes(saved.spec_path)
    spec = load(saved.spec_path, env_files or saved.env_files)
    session = open_session(
        spec, docker_host or saved.plan.engine.host or None, lock_timeout=lock_timeout
    )
    try:
        fresh = make_plan(session, saved.adopt)
        reasons = what_changed(
            saved,
            version=__version__,
            engine=session.live.engine,
            spec_file=digest(spec_file),
            spec=spec_digest(spec),
            live=live_fingerprint(session.live, spec, saved.adopt),
        )
        if not reasons and plan_to_dict(fresh) != plan_to_dict(saved.plan):
            reasons.append("planning again now gives a different plan")
        if reasons:
            raise UserError(
                f"the saved plan {path} is stale, nothing was changed: " + "; ".join(reasons),
                f"run 'vlanspec plan {saved.spec_path} -o {path}' again, review it, and apply it",
            )
        click.echo(f"Applying the plan saved in {path} ({saved.created}).")
        show_and_apply(session, saved.plan, auto_approve=True, parallelism=parallelism)
    finally:
        session.finish()
