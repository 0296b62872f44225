"""The real Mermaid parser (npm ``mermaid`` under node with jsdom), for checking diagrams.

The first use installs the pinned packages from ``package-lock.json`` with ``npm ci``. A missing
node is a failure, not a skip: CI must check every diagram vlanspec writes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent


def ensure_installed() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise RuntimeError(
            "node and npm are needed to check Mermaid diagrams (apt-get install nodejs npm)"
        )
    if not (HERE / "node_modules" / "mermaid").is_dir():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=HERE,
            check=True,
            timeout=600,
        )


def parse_all(diagrams: list[str]) -> list[str | None]:
    """For each diagram, None when Mermaid accepts it, else the parser's error."""
    ensure_installed()
    done = subprocess.run(
        ["node", str(HERE / "check.mjs")],
        input=json.dumps(diagrams),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return [None if r["ok"] else str(r["error"]) for r in json.loads(done.stdout)]
