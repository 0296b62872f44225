"""Who owns a live network: the one rule that decides what vlanspec may change or delete.

vlanspec only ever touches networks that carry its own spec's label. Keeping the rule in one
place means the planner, destroy and any later watch mode cannot disagree about it.
"""

from __future__ import annotations

from vlanspec.spec.model import SPEC_LABEL
from vlanspec.state import LiveNetwork


def owner_of(network: LiveNetwork) -> str | None:
    """The spec name in the network's ``io.vlanspec.spec`` label, None when it has none."""
    owner = network.labels.get(SPEC_LABEL)
    return owner if owner else None


def owned_by(network: LiveNetwork, spec_name: str) -> bool:
    """True when the network carries ``io.vlanspec.spec=<spec_name>``: only then may it change."""
    return owner_of(network) == spec_name
