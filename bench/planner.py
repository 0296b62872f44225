"""Planner micro-benchmark: 1,000 networks and 10,000 attachments, planned from a synthetic
live state, without Docker. Prints one JSON object with CPU seconds (process time).

Two plans are timed: *cold* (nothing exists yet: 1,000 creates and 10,000 connects) and
*no-op* (the live state is exactly what the spec asks for: the plan is empty). The no-op live
state is built from the cold plan's own actions, so it is what the engine would report after
applying them.

    python bench/planner.py [NETWORKS] [ATTACHMENTS]
"""

from __future__ import annotations

import ipaddress
import json
import sys
import time
from typing import Any

from vlanspec.plan.diff import diff
from vlanspec.plan.model import ActionKind, Plan
from vlanspec.spec.model import Attachment, Network, SourceMap, Spec, Subnet
from vlanspec.state import EngineInfo, LiveContainer, LiveEndpoint, LiveNetwork, LiveState

ENGINE = EngineInfo("20.10.24", "1.41", local=False, host="synthetic")


def synthetic_spec(networks: int, attachments: int) -> Spec:
    """``networks`` macvlan networks on parents p0..pN, each a /24 of 10.0.0.0/8 (the planner
    never talks to anything, so any range will do), and ``attachments`` containers spread
    evenly, one network each, half with a static address."""
    nets = []
    for i in range(networks):
        block = ipaddress.ip_network(f"10.{i // 256}.{i % 256}.0/24")
        nets.append(
            Network(
                name=f"net{i:04d}",
                driver="macvlan",
                parent=f"p{i}",
                subnets=(Subnet(str(block), gateway=str(block[1])),),
            )
        )
    per_network = max(1, attachments // networks)
    atts = []
    for j in range(attachments):
        i = min(j // per_network, networks - 1)
        block = ipaddress.ip_network(f"10.{i // 256}.{i % 256}.0/24")
        static = str(block[2 + j % per_network]) if j % 2 == 0 else None
        atts.append(Attachment(container=f"c{j:05d}", network=f"net{i:04d}", ipv4_address=static))
    return Spec(name="bench", networks=tuple(nets), attachments=tuple(atts), source=SourceMap("x"))


def live_after(spec: Spec, plan: Plan) -> LiveState:
    """The live state once ``plan`` (creates and connects only) has been applied."""
    networks = []
    subnets = {n.name: n.subnets for n in spec.networks}
    for action in plan.actions:
        if action.kind is ActionKind.CREATE and action.config is not None:
            c = action.config
            networks.append(
                LiveNetwork(
                    id=f"id-{c.name}",
                    name=c.name,
                    driver=c.driver,
                    options=dict(c.options),
                    labels=dict(c.labels),
                    subnets=subnets[c.name],
                )
            )
    endpoints = []
    containers = []
    for n, att in enumerate(spec.attachments):
        containers.append(LiveContainer(id=f"cid{n:059d}", name=att.container))
        block = ipaddress.ip_network(spec.networks[int(att.network[3:])].subnets[0].subnet)
        endpoints.append(
            LiveEndpoint(
                container=att.container,
                container_id=f"cid{n:059d}",
                network=att.network,
                network_id=f"id-{att.network}",
                ipv4_address=att.ipv4_address or str(block[200]),
                requested_ipv4=att.ipv4_address,
                mac_address="02:42:0a:00:00:02",
                aliases=(),
            )
        )
    return LiveState(
        engine=ENGINE,
        networks=tuple(networks),
        containers=tuple(containers),
        endpoints=tuple(endpoints),
    )


def cpu(function: Any, *args: Any) -> tuple[Any, float]:
    started = time.process_time()
    result = function(*args)
    return result, time.process_time() - started


def main(argv: list[str]) -> None:
    networks = int(argv[0]) if argv else 1000
    attachments = int(argv[1]) if len(argv) > 1 else 10_000
    spec = synthetic_spec(networks, attachments)
    containers = tuple(
        LiveContainer(id=f"cid{n:059d}", name=a.container) for n, a in enumerate(spec.attachments)
    )
    empty = LiveState(engine=ENGINE, containers=containers)
    cold, cold_cpu = cpu(diff, spec, empty)
    live = live_after(spec, cold)
    noop, noop_cpu = cpu(diff, spec, live)
    print(
        json.dumps(
            {
                "networks": networks,
                "attachments": attachments,
                "cold_actions": len(cold.actions),
                "cold_cpu": cold_cpu,
                "noop_actions": len(noop.actions),
                "noop_cpu": noop_cpu,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
