"""Host interfaces, for the parent checks that only a local engine allows."""

from __future__ import annotations

from pathlib import Path

from vlanspec.engine.host import host_interfaces


def test_interfaces_are_the_entries_of_sys_class_net(tmp_path: Path) -> None:
    for name in ("lo", "eth0", "vs12ab"):
        (tmp_path / name).mkdir()
    assert host_interfaces(tmp_path) == {"lo", "eth0", "vs12ab"}


def test_unreadable_directory_means_no_interfaces(tmp_path: Path) -> None:
    assert host_interfaces(tmp_path / "missing") == frozenset()
