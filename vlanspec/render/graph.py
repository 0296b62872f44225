"""The topology of a spec as a picture source: parents -> networks -> containers.

Mermaid renders inline in GitHub comments and Markdown; DOT is for Graphviz. Both come from the
same :class:`Topology`, and a plan can mark what changes (``marks``: node name -> action word).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from vlanspec.spec.model import Spec

#: A node: its kind ("parent", "network" or "container") and its name.
Node = tuple[str, str]


@dataclass(frozen=True)
class Edge:
    source: Node
    target: Node
    label: str = ""


@dataclass(frozen=True)
class Topology:
    """Nodes by kind, and the edges between them, in a stable order."""

    parents: tuple[str, ...]
    networks: tuple[tuple[str, str], ...]  # (name, description)
    containers: tuple[str, ...]
    edges: tuple[Edge, ...]
    marks: Mapping[Node, str] = field(default_factory=dict)


def topology(spec: Spec, marks: Mapping[Node, str] | None = None) -> Topology:
    """The spec's desired topology; ``marks`` names nodes a plan changes (e.g. "replace")."""
    parents = sorted({n.parent or f"(internal) {n.name}" for n in spec.networks})
    networks = []
    edges = []
    for net in spec.networks:
        subnets = ", ".join(s.subnet for s in net.subnets)
        networks.append((net.name, f"{net.driver} {net.effective_mode}  {subnets}".strip()))
        edges.append(
            Edge(("parent", net.parent or f"(internal) {net.name}"), ("network", net.name))
        )
    for att in spec.attachments:
        address = att.ipv4_address or att.ipv6_address or "dynamic"
        label = address + (f" {att.mac_address}" if att.mac_address else "")
        edges.append(Edge(("network", att.network), ("container", att.container), label))
    return Topology(
        parents=tuple(parents),
        networks=tuple(networks),
        containers=spec.containers,
        edges=tuple(edges),
        marks=dict(marks or {}),
    )


def _node_id(kind: str, name: str) -> str:
    return f"{kind}_" + re.sub(r"[^A-Za-z0-9_]", "_", name)


def _mermaid_text(text: str) -> str:
    """Text inside a quoted Mermaid label: quotes and markup characters as entities."""
    return (
        text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    )


def _ids(topo: Topology) -> dict[Node, str]:
    """A unique identifier per node ("lab-db" and "lab_db" must not become one node)."""
    ids: dict[Node, str] = {}
    nodes: list[Node] = [("parent", p) for p in topo.parents]
    nodes += [("network", n) for n, _ in topo.networks]
    nodes += [("container", c) for c in topo.containers]
    taken: set[str] = set()
    for node in nodes:
        kind, name = node
        candidate = base = _node_id(kind[0], name)
        suffix = 1
        while candidate in taken:
            suffix += 1
            candidate = f"{base}_{suffix}"
        taken.add(candidate)
        ids[node] = candidate
    return ids


def to_mermaid(topo: Topology) -> str:
    """A Mermaid flowchart, left to right; changed nodes get a class per action."""
    ids = _ids(topo)
    lines = ["flowchart LR"]
    for parent in topo.parents:
        lines.append(f'    {ids["parent", parent]}[["{_mermaid_text(parent)}"]]')
    for name, description in topo.networks:
        label = f"{_mermaid_text(name)}<br/>{_mermaid_text(description)}"
        lines.append(f'    {ids["network", name]}(["{label}"])')
    for container in topo.containers:
        lines.append(f'    {ids["container", container]}["{_mermaid_text(container)}"]')
    for edge in topo.edges:
        label = f'|"{_mermaid_text(edge.label)}"|' if edge.label else ""
        lines.append(f"    {ids[edge.source]} -->{label} {ids[edge.target]}")
    styles = {
        "create": "fill:#e6ffed,stroke:#22863a",
        "replace": "fill:#fff5b1,stroke:#b08800",
        "delete": "fill:#ffeef0,stroke:#cb2431",
        "change": "fill:#f1f8ff,stroke:#0366d6",
    }
    used = sorted({mark for mark in topo.marks.values() if mark in styles})
    for mark in used:
        members = sorted(ids[n] for n, m in topo.marks.items() if m == mark and n in ids)
        if members:  # a deleted network is not in the resulting topology
            lines.append(f"    classDef {mark} {styles[mark]}")
            lines.append(f"    class {','.join(members)} {mark}")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def to_dot(topo: Topology) -> str:
    """A Graphviz digraph, left to right; changed nodes are coloured by action."""
    ids = _ids(topo)
    colours = {"create": "darkgreen", "replace": "darkgoldenrod", "delete": "red3"}
    lines = ["digraph vlanspec {", "  rankdir=LR;", '  node [fontname="Helvetica"];']

    def attrs(node: Node, shape: str, *label: str) -> str:
        colour = colours.get(topo.marks.get(node, ""), "")
        extra = f', color="{colour}", penwidth=2' if colour else ""
        text = "\\n".join(_dot_text(part) for part in label)  # DOT's own line break
        return f'  {ids[node]} [shape={shape}, label="{text}"{extra}];'

    lines += [attrs(("parent", p), "cds", p) for p in topo.parents]
    lines += [attrs(("network", n), "ellipse", n, d) for n, d in topo.networks]
    lines += [attrs(("container", c), "box", c) for c in topo.containers]
    for edge in topo.edges:
        label = f' [label="{_dot_text(edge.label)}"]' if edge.label else ""
        lines.append(f"  {ids[edge.source]} -> {ids[edge.target]}{label};")
    lines.append("}")
    return "\n".join(lines) + "\n"
