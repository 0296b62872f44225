"""Finding overlapping address pools without comparing every pool with every other.

A spec may declare thousands of subnets (a hostile one does), and comparing each pair would take
quadratic time. CIDR blocks either nest or are disjoint, so one sweep in address order finds,
for each pool, the blocks that contain it (the open ones on a stack: at most 129 deep, since
identical blocks are bucketed first), and each block learns of the blocks inside it as they
pass. Each pool is reported once, against the first pool written before it that overlaps it and
belongs elsewhere (another network, another spec: the ``key``), which keeps the output short and
the time linear in the number of pools times the nesting depth.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from vlanspec.diagnostics import Location
from vlanspec.spec.checks_common import IPNetwork

T = TypeVar("T")


@dataclass(frozen=True)
class Pool(Generic[T]):
    """One address block, where it is written, whose it is (``key``), and what it stands for."""

    net: IPNetwork
    order: Location
    key: Hashable
    item: T


def _merge(*groups: tuple[Pool[T], ...]) -> tuple[Pool[T], ...]:
    """The earliest pool, and the earliest with another key than that one: enough to answer
    "the earliest pool whose key differs from mine" for any key."""
    pools = sorted((p for group in groups for p in group), key=lambda p: p.order)
    if not pools:
        return ()
    first = pools[0]
    other = next((p for p in pools if p.key != first.key), None)
    return (first,) if other is None else (first, other)


def _pick(candidates: tuple[Pool[T], ...], pool: Pool[T]) -> Pool[T] | None:
    for candidate in candidates:
        if candidate.key != pool.key:
            return candidate if candidate.order < pool.order else None
    return None


def first_overlaps(pools: Iterable[Pool[T]]) -> Iterator[tuple[Pool[T], Pool[T]]]:
    """``(earlier, pool)`` for each pool that overlaps an earlier-written pool of another key."""
    buckets: dict[IPNetwork, list[Pool[T]]] = defaultdict(list)
    for pool in pools:
        buckets[pool.net].append(pool)
    own = {net: _merge(tuple(members)) for net, members in buckets.items()}
    above: dict[IPNetwork, tuple[Pool[T], ...]] = {}
    below: dict[IPNetwork, tuple[Pool[T], ...]] = {net: () for net in buckets}
    stack: list[IPNetwork] = []
    for net in sorted(buckets, key=lambda n: (n.version, n.network_address, n.prefixlen)):
        while stack and not (
            stack[-1].version == net.version and net.subnet_of(stack[-1])  # type: ignore[arg-type]
        ):
            stack.pop()
        above[net] = _merge(above[stack[-1]], own[stack[-1]]) if stack else ()
        for outer in stack:
            below[outer] = _merge(below[outer], own[net])
        stack.append(net)
    for net, members in buckets.items():
        candidates = _merge(own[net], above[net], below[net])
        for pool in members:
            earlier = _pick(candidates, pool)
            if earlier is not None:
                yield earlier, pool
