"""Golden files: expected renderer output kept readable in tests/unit/render/golden/.

Set ``VLANSPEC_UPDATE_GOLDEN=1`` to rewrite them from the current output after a deliberate
change, then review the difference in version control like any other change.
"""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"


def check_golden(name: str, actual: str) -> None:
    """Fail with a readable difference when ``actual`` differs from the golden file ``name``."""
    path = GOLDEN / name
    text = actual if actual.endswith("\n") else actual + "\n"
    if os.environ.get("VLANSPEC_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{path} differs (VLANSPEC_UPDATE_GOLDEN=1 rewrites it)"
