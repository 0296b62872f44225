"""Checks of a spec against a live engine, made before planning (the call site is fixed here).

STUB: the preflight checks (parents present on a local host, pools overlapping networks outside
the spec, shared parents the engine refuses, features the engine version lacks) are being
written separately; this returns no diagnostics until they land. Pure, like the rest of
:mod:`vlanspec.plan`: the host's interfaces are read by the caller
(:func:`vlanspec.engine.host_interfaces`) and passed in.
"""

from __future__ import annotations

from collections.abc import Set

from vlanspec.diagnostics import Diagnostic
from vlanspec.spec.model import Spec
from vlanspec.state import LiveState


def live_checks(
    spec: Spec, live: LiveState, interfaces: Set[str] | None = None
) -> list[Diagnostic]:
    """Every problem between ``spec`` and ``live`` that would make applying fail.

    ``interfaces`` are the host's interface names when the engine is local, None when it is
    remote (then no interface can be checked).
    """
    del spec, live, interfaces
    return []
