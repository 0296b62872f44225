"""Types of the factory fixtures in ``tests/conftest.py``, for annotating test functions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from docker.models.containers import Container


class MakeParent(Protocol):
    def __call__(self) -> str:
        """Create a veth pair (both ends up) and return the name to use as a parent."""
        ...


class MakeContainer(Protocol):
    def __call__(self, *, start: bool = True, labels: Mapping[str, str] | None = None) -> Container:
        """Create (and by default start) a ``sleep`` container on the holding network."""
        ...
