"""The overlap sweep finds exactly what comparing every pair of pools would find."""

from __future__ import annotations

import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st

from vlanspec.diagnostics import Location
from vlanspec.spec.checks_common import IPNetwork
from vlanspec.spec.overlaps import Pool, first_overlaps


@st.composite
def pools(draw: st.DrawFn) -> list[Pool[int]]:
    """Up to 30 blocks, many nested or identical, in a shuffled written order."""
    count = draw(st.integers(0, 30))
    found: list[Pool[int]] = []
    lines = draw(st.permutations(range(count)))
    for index in range(count):
        if draw(st.booleans()):
            prefix = draw(st.integers(20, 32))
            net: IPNetwork = ipaddress.ip_network(
                (draw(st.integers(0, 2**12 - 1)) << 20 | 0x0A000000, prefix), strict=False
            )
        else:
            prefix = draw(st.integers(116, 128))
            net = ipaddress.ip_network((draw(st.integers(0, 2**12 - 1)), prefix), strict=False)
        key = draw(st.integers(0, 3))
        found.append(Pool(net, Location("f", lines[index] + 1), key, index))
    return found


def brute_force(all_pools: list[Pool[int]]) -> dict[int, int]:
    """For each pool, the earliest earlier-written pool that overlaps it with another key."""
    result: dict[int, int] = {}
    for pool in all_pools:
        earlier = [
            other
            for other in all_pools
            if other.key != pool.key
            and other.order < pool.order
            and other.net.version == pool.net.version
            and other.net.overlaps(pool.net)
        ]
        if earlier:
            result[pool.item] = min(earlier, key=lambda p: p.order).item
    return result


@settings(max_examples=300, deadline=None)
@given(pools())
def test_sweep_matches_brute_force(all_pools: list[Pool[int]]) -> None:
    found = {later.item: earlier.item for earlier, later in first_overlaps(all_pools)}
    assert found == brute_force(all_pools)


def test_many_identical_pools_take_linear_time() -> None:
    net = ipaddress.ip_network("192.0.2.0/24")
    many = [Pool(net, Location("f", i + 1), i % 2, i) for i in range(20_000)]
    found = list(first_overlaps(many))
    assert len(found) == 19_999
    assert found[0][0].item == 0 and all(earlier.item in (0, 1) for earlier, _ in found)
