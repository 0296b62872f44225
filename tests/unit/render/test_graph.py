"""Topology pictures: what they contain, and that the real Mermaid parser accepts them."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tests.mermaid.parser import parse_all
from vlanspec.cli import cli
from vlanspec.render.graph import to_dot, to_mermaid, topology
from vlanspec.spec import load_spec

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((ROOT / "specs").glob("*.yaml"))

AWKWARD = """\
name: awkward
networks:
  lab-db: {driver: macvlan, parent: eth0.20, subnets: [{subnet: 192.0.2.0/24}]}
  lab_db: {driver: ipvlan}
containers:
  web.1: {networks: {lab-db: {ipv4_address: 192.0.2.9, mac_address: "02:00:00:00:00:09"}}}
  lab-db: {networks: [lab_db]}
"""


def test_lab_topology() -> None:
    topo = topology(load_spec(str(ROOT / "specs" / "lab.yaml")))
    assert topo.parents == ("vlab0", "vlab1", "vlab2")
    text = to_mermaid(topo)
    assert text.startswith("flowchart LR\n")
    assert 'n_lab_macvlan -->|"192.0.2.10 02:42:c0:00:02:0a"| c_lab_web' in text
    assert "p_vlab2 --> n_lab_routed" in text
    dot = to_dot(topo)
    assert dot.startswith("digraph vlanspec {") and "n_lab_routed -> c_lab_db" in dot


def test_marks_and_unique_ids(tmp_path: Path) -> None:
    path = tmp_path / "awkward.yaml"
    path.write_text(AWKWARD)
    topo = topology(load_spec(str(path), {}), {("network", "lab-db"): "replace"})
    text = to_mermaid(topo)
    # Network "lab-db", network "lab_db" and container "lab-db" are three distinct nodes.
    assert "n_lab_db(" in text and "n_lab_db_2(" in text and 'c_lab_db["lab-db"]' in text
    assert 'n_lab_db_2 -->|"dynamic"| c_lab_db' in text
    assert "classDef replace" in text and "class n_lab_db replace" in text
    assert "(internal) lab_db" in text and "c_web_1" in text


def test_every_diagram_parses_with_the_real_mermaid(tmp_path: Path) -> None:
    awkward = tmp_path / "awkward.yaml"
    awkward.write_text(AWKWARD)
    diagrams = [to_mermaid(topology(load_spec(str(p), {}))) for p in [*EXAMPLES, awkward]]
    diagrams.append(
        to_mermaid(topology(load_spec(str(awkward), {}), {("container", "lab-db"): "delete"}))
    )
    assert parse_all(diagrams) == [None] * len(diagrams)
    # The parser really checks: a broken flowchart is refused.
    [error] = parse_all(["flowchart LR\n  a -->> b[[\n"])
    assert error is not None and "Parse error" in error


def test_graph_command() -> None:
    result = CliRunner().invoke(cli, ["graph", "--format", "dot", str(ROOT / "specs" / "lab.yaml")])
    assert result.exit_code == 0 and result.output.startswith("digraph vlanspec {")
