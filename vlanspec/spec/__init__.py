"""Reading specs: YAML with positions, schema validation, semantic checks, the typed model.

Names are imported lazily: modules that only need the model (state, plan, engine) should not pay
for ruamel.yaml and jsonschema.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vlanspec.spec.load import Loaded, expand_paths, load_spec, read_spec
    from vlanspec.spec.model import Attachment, Network, Spec, Subnet

_PUBLIC = {
    "Loaded": "vlanspec.spec.load",
    "expand_paths": "vlanspec.spec.load",
    "load_spec": "vlanspec.spec.load",
    "read_spec": "vlanspec.spec.load",
    "Attachment": "vlanspec.spec.model",
    "Network": "vlanspec.spec.model",
    "Spec": "vlanspec.spec.model",
    "Subnet": "vlanspec.spec.model",
}

__all__ = [
    "Attachment",
    "Loaded",
    "Network",
    "Spec",
    "Subnet",
    "expand_paths",
    "load_spec",
    "read_spec",
]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'vlanspec.spec' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
