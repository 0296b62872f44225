"""Semantic checks of specs that JSON Schema cannot express (offline: no Docker needed).

:func:`check_spec` runs on every spec as it is loaded (``validate``, and before every plan);
:func:`check_specs` adds what only shows between the specs of a directory, which all describe
one Docker host. The checks themselves live in small modules by subject:

- :mod:`~vlanspec.spec.checks_subnets`: subnets, gateways, ranges, aux addresses, overlaps;
- :mod:`~vlanspec.spec.checks_attachments`: the networks and static addresses containers ask for;
- :mod:`~vlanspec.spec.checks_macs`: MAC addresses;
- :mod:`~vlanspec.spec.checks_parents`: parent interfaces and networks that cannot share one;
- :mod:`~vlanspec.spec.checks_fields`: options, labels and names.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from vlanspec.diagnostics import Diagnostic, sorted_diagnostics
from vlanspec.spec.checks_attachments import check_attachments
from vlanspec.spec.checks_common import Placed, mention, placed
from vlanspec.spec.checks_fields import check_fields
from vlanspec.spec.checks_macs import check_macs, duplicate_macs
from vlanspec.spec.checks_parents import check_parents, shared_parents
from vlanspec.spec.checks_subnets import check_subnets, overlapping_networks
from vlanspec.spec.model import Spec


def check_spec(spec: Spec) -> list[Diagnostic]:
    """Every problem in one spec that needs more than its schema to see."""
    return sorted_diagnostics(
        [
            *check_subnets(spec),
            *check_attachments(spec),
            *check_macs(spec),
            *check_parents(spec),
            *check_fields(spec),
            *_between_networks(placed([spec]), across_specs=False),
        ]
    )


def check_specs(specs: Sequence[Spec]) -> list[Diagnostic]:
    """Problems between specs meant for one host; each spec's own problems are not repeated.

    Two files with one spec name would each believe they own the other's networks; one network
    declared by two specs would be replaced back and forth; and overlapping subnets, shared
    parents and duplicate MACs fail the same way whichever file they are written in.
    """
    networks = placed(specs)
    return sorted_diagnostics(
        [
            *_same_spec_name(specs),
            *_same_network(networks),
            *_between_networks(networks, across_specs=True),
            *duplicate_macs(networks, only_across_specs=True),
        ]
    )


def _between_networks(networks: Sequence[Placed], *, across_specs: bool) -> Iterator[Diagnostic]:
    yield from overlapping_networks(networks, across_specs=across_specs)
    yield from shared_parents(networks, across_specs=across_specs)


def _same_spec_name(specs: Iterable[Spec]) -> Iterator[Diagnostic]:
    first_of: dict[str, Spec] = {}
    for spec in sorted(specs, key=lambda s: s.file):
        earlier = first_of.setdefault(spec.name, spec)
        if earlier is spec:
            continue
        where = spec.locate(("name",))
        yield Diagnostic.error(
            "spec.duplicate-name",
            f"spec name '{spec.name}' is also used by {earlier.file}",
            where,
            "give each spec its own name: a spec owns every network labelled with its name",
        )


def _same_network(networks: Sequence[Placed]) -> Iterator[Diagnostic]:
    first_of: dict[str, Placed] = {}
    for here in networks:
        earlier = first_of.setdefault(here.name, here)
        if earlier is here or earlier.spec is here.spec:
            continue
        where = here.spec.locate_key(here.network.path)
        there = earlier.spec.locate_key(earlier.network.path)
        yield Diagnostic.error(
            "spec.duplicate-network",
            f"network '{here.name}' is also declared by spec '{earlier.spec.name}' "
            f"({mention(there, where)})",
            where,
            "declare each network in one spec only; the two specs would replace it in turn",
        )
