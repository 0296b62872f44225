"""Reading specs: YAML with positions, schema validation, semantic checks, the typed model."""

from vlanspec.spec.load import Loaded, expand_paths, load_spec, read_spec
from vlanspec.spec.model import Attachment, Network, Spec, Subnet

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
