"""Loading specs end to end: the model built from valid files, located errors from broken ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from vlanspec.diagnostics import SpecError
from vlanspec.spec import expand_paths, load_spec, read_spec

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((ROOT / "specs").glob("*.yaml"))


def write(tmp_path: Path, text: str, name: str = "spec.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_example_is_valid_and_has_the_schema_modeline(example: Path) -> None:
    loaded = read_spec(str(example))
    assert loaded.ok, [str(d.location) + " " + d.message for d in loaded.diagnostics]
    assert loaded.spec is not None and loaded.spec.networks
    assert "yaml-language-server: $schema=../schemas/vlanspec.schema.json" in example.read_text()


def test_examples_cover_the_three_setups() -> None:
    specs = [load_spec(str(p)) for p in EXAMPLES]
    kinds = {(n.driver, n.effective_mode) for s in specs for n in s.networks}
    assert {("macvlan", "bridge"), ("ipvlan", "l2"), ("ipvlan", "l3")} <= kinds
    macs = [a.mac_address for s in specs for a in s.attachments if a.mac_address]
    assert macs, "the macvlan example pins a MAC per container"


def test_model_of_the_lab_spec() -> None:
    spec = load_spec(str(ROOT / "specs" / "lab.yaml"))
    assert spec.name == "lab"
    mac = spec.network("lab_macvlan")
    assert mac is not None and mac.parent == "vlab0" and mac.labels == {"owner": "netops"}
    assert mac.subnets[0].gateway == "192.0.2.1"
    assert dict(mac.subnets[0].aux_addresses) == {"router": "192.0.2.62"}
    routed = spec.network("lab_routed")
    assert routed is not None and routed.effective_mode == "l3" and len(routed.subnets) == 2
    worker = [a for a in spec.attachments if a.container == "lab-worker"]
    assert len(worker) == 1 and worker[0].ipv4_address is None and not worker[0].is_static
    db = [a for a in spec.attachments if a.container == "lab-db" and a.network == "lab_routed"]
    assert db[0].aliases == ("db",)
    # Positions are kept for every value: the parent of lab_ipvlan is on line 23, column 13.
    where = spec.locate(("networks", "lab_ipvlan", "parent"))
    assert (where.line, where.column) == (23, 13)


def test_model_is_frozen(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, "name: x\nnetworks: {n: {driver: macvlan, parent: veth0}}\n"))
    with pytest.raises(AttributeError):
        spec.name = "y"  # type: ignore[misc]


def test_ipv6_subnet_turns_ipv6_on(tmp_path: Path) -> None:
    spec = load_spec(
        write(
            tmp_path,
            "name: x\nnetworks:\n  n:\n    driver: macvlan\n    parent: veth0\n"
            "    subnets: [{subnet: '2001:db8::/64'}]\n",
        )
    )
    assert spec.networks[0].effective_ipv6 and not spec.networks[0].ipv6


def test_issue_examples_each_reported_at_line_and_column(tmp_path: Path) -> None:
    """The foundation issue's list: typo in a key, bad CIDR, MAC on ipvlan (and a syntax error)."""
    text = (
        "name: lab\n"  # 1
        "networks:\n"  # 2
        "  lan:\n"  # 3
        "    driver: macvlan\n"  # 4
        "    parnet: eth0\n"  # 5
        "    subnets: [{subnet: 192.0.2.0/33}]\n"  # 6
        "  ipv:\n"  # 7
        "    driver: ipvlan\n"  # 8
        "    parent: eth1\n"  # 9
        "containers:\n"  # 10
        "  c1:\n"  # 11
        "    networks:\n"  # 12
        "      ipv: {mac_address: '02:00:00:00:00:01'}\n"  # 13
    )
    got = {
        (d.location.line, d.location.column, d.code)
        for d in read_spec(write(tmp_path, text)).diagnostics
    }
    assert (5, 5, "schema.unknown-key") in got
    assert (6, 24, "schema.format") in got
    # Schema errors come first; the MAC check needs a valid document, so fix the others.
    fixed = text.replace("parnet", "parent").replace("/33", "/24")
    got = {
        (d.location.line, d.location.column, d.code)
        for d in read_spec(write(tmp_path, fixed)).diagnostics
    }
    assert (13, 13, "mac.ipvlan") in got


def test_load_spec_raises_with_every_error(tmp_path: Path) -> None:
    path = write(tmp_path, "name: Bad Name\nversion: 2\nextra: 1\n")
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    codes = sorted(d.code for d in caught.value.diagnostics)
    assert codes == ["schema.const", "schema.pattern", "schema.unknown-key"]


def test_expand_paths(tmp_path: Path) -> None:
    write(tmp_path, "name: a\n", "a.yaml")
    write(tmp_path, "name: b\n", "b.yml")
    write(tmp_path, "not a spec", "notes.txt")
    files, problems = expand_paths([str(tmp_path), str(tmp_path / "missing.yaml")])
    assert [Path(f).name for f in files] == ["a.yaml", "b.yml"]
    assert [p.code for p in problems] == ["file.missing"]
