"""vlanspec: declarative Docker macvlan and ipvlan networks, reconciled from YAML specs.

The library is usable without the CLI. Names are imported lazily so that ``vlanspec validate``
does not pay for importing docker-py.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_PUBLIC = {
    "load_spec": "vlanspec.spec",
    "read_spec": "vlanspec.spec",
    "Spec": "vlanspec.spec",
    "Diagnostic": "vlanspec.diagnostics",
    "SpecError": "vlanspec.diagnostics",
    # Talking to an engine; plan() and apply() are in vlanspec.api (their names are modules).
    "connect": "vlanspec.engine",
    "read_live": "vlanspec.api",
    "Engine": "vlanspec.engine",
    "EngineError": "vlanspec.engine",
    "ApplyResult": "vlanspec.apply",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'vlanspec' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
