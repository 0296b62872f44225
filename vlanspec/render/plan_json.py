"""Plans as JSON for tools: the shape published in ``schemas/plan.schema.json``.

The document is the same one a saved plan uses (:mod:`vlanspec.plan.serialize`), so a tool that
reads ``plan --format json`` output reads saved plans too.
"""

from __future__ import annotations

from vlanspec.plan.model import Plan
from vlanspec.plan.serialize import plan_to_json


def render(plan: Plan) -> str:
    """The plan as an indented JSON document (no trailing newline)."""
    return plan_to_json(plan)
