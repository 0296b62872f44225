"""The only code that talks to Docker: read live state, perform one action, know the engine.

Names are loaded lazily, so that importing :mod:`vlanspec.engine.capabilities` or
:mod:`vlanspec.engine.host` (offline checks use them) does not import docker-py.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vlanspec.engine.client import connect as connect
    from vlanspec.engine.engine import Engine as Engine
    from vlanspec.engine.errors import EngineError as EngineError
    from vlanspec.engine.errors import EngineUnreachable as EngineUnreachable
    from vlanspec.engine.host import host_interfaces as host_interfaces

_PUBLIC = {
    "connect": "vlanspec.engine.client",
    "Engine": "vlanspec.engine.engine",
    "EngineError": "vlanspec.engine.errors",
    "EngineUnreachable": "vlanspec.engine.errors",
    "host_interfaces": "vlanspec.engine.host",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'vlanspec.engine' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
