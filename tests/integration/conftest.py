"""Every integration test gets the network cleanup, whether or not it asks for a factory."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _remove_test_networks(clean_networks: None) -> None:
    """Pull in ``clean_networks`` (tests/conftest.py) for each test in this directory."""
