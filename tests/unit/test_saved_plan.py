"""Saved plans: the document and its schema, what the fingerprints see, why a plan is stale."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from tests.helpers.plans import (
    container,
    endpoint,
    network,
    sample_case,
    spec_from_yaml,
    state,
)
from vlanspec.plan.diff import diff
from vlanspec.plan.serialize import PlanFormatError, plan_to_json
from vlanspec.saved_plan import (
    Fingerprint,
    SavedPlan,
    digest,
    live_fingerprint,
    plan_document,
    saved_from_dict,
    saved_from_json,
    saved_to_dict,
    saved_to_json,
    spec_digest,
    what_changed,
)
from vlanspec.spec.model import Subnet
from vlanspec.state import EngineInfo, LiveState

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))

SPEC = """
version: 1
name: lab
networks:
  lan:
    driver: macvlan
    parent: eth9
    subnets: [{subnet: 192.0.2.0/24}]
containers:
  web:
    networks:
      lan: {ipv4_address: 192.0.2.10}
"""
POOL = (Subnet("192.0.2.0/24"),)


def live(address: str = "192.0.2.10", *, running: bool = True) -> LiveState:
    return state(
        network("lan", options={"parent": "eth9"}, subnets=POOL),
        network("bridge", "bridge", spec=None),
        container("web", running=running),
        container("other"),
        endpoint("web", "lan", ipv4=address, requested=address, aliases=("web",)),
    )


def saved(live: Fingerprint | None = None) -> SavedPlan:
    spec, live_state = sample_case()
    return SavedPlan(
        plan=diff(spec, live_state),
        spec_path="lab.yaml",
        spec_file=digest(b"the spec"),
        spec=spec_digest(spec),
        live=live or live_fingerprint(live_state, spec),
        vlanspec_version="0.1.0",
        created="2026-12-03T13:50:01Z",
        env_files=("site.env",),
        adopt=("old-lan",),
    )


def test_a_saved_plan_validates_against_the_published_schema_and_reads_back() -> None:
    document = saved_to_dict(saved())
    Draft202012Validator.check_schema(SCHEMA)
    Draft202012Validator(SCHEMA).validate(document)
    assert document["saved"]["kind"] == "vlanspec-saved-plan"
    assert saved_from_json(saved_to_json(saved())) == saved()


def test_a_broken_envelope_fails_the_schema_and_the_reader() -> None:
    document = saved_to_dict(saved())
    del document["saved"]["fingerprints"]["live"]
    assert list(Draft202012Validator(SCHEMA).iter_errors(document))
    with pytest.raises(PlanFormatError, match=r"fingerprints\.live"):
        saved_from_dict(document)


def test_a_plan_without_envelope_is_refused_with_the_reason() -> None:
    plain = json.loads(plan_to_json(saved().plan))
    with pytest.raises(PlanFormatError, match="plan --format json"):
        saved_from_dict(plain)


def test_saved_plans_are_recognised_by_content_not_by_name(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(saved_to_json(saved()))
    json_spec = tmp_path / "spec.json"
    json_spec.write_text(json.dumps({"version": 1, "name": "lab", "networks": {}}))
    yaml_spec = tmp_path / "spec.yaml"
    yaml_spec.write_text(SPEC)
    assert plan_document(str(plan)) == json.loads(plan.read_text())
    assert plan_document(str(json_spec)) is None
    assert plan_document(str(yaml_spec)) is None
    assert plan_document(str(tmp_path)) is None
    assert plan_document(str(tmp_path / "missing.json")) is None


def test_the_live_fingerprint_ignores_order_ids_states_and_other_drivers() -> None:
    spec = spec_from_yaml(SPEC)
    before = live_fingerprint(live(), spec)
    shuffled = live(running=False)
    shuffled = dataclasses.replace(
        shuffled,
        networks=(*reversed(shuffled.networks), network("compose_default", "bridge", spec=None)),
        containers=(*shuffled.containers, container("unrelated")),
    )
    assert live_fingerprint(shuffled, spec) == before
    assert set(before.parts) == {"network lan", "container web"}


def check(
    plan: SavedPlan,
    *,
    version: str = "0.1.0",
    engine: EngineInfo | None = None,
    spec_file: str | None = None,
    spec: str | None = None,
    live: Fingerprint | None = None,
) -> list[str]:
    """Why ``plan`` is stale when the present differs from it only in what is given."""
    return what_changed(
        plan,
        version=version,
        engine=engine or plan.plan.engine,
        spec_file=spec_file or plan.spec_file,
        spec=spec or plan.spec,
        live=live or plan.live,
    )


def test_the_live_fingerprint_names_what_changed() -> None:
    spec = spec_from_yaml(SPEC)
    before = live_fingerprint(live(), spec)
    moved = live_fingerprint(live("192.0.2.20"), spec)
    gone = live_fingerprint(dataclasses.replace(live(), containers=()), spec)
    assert moved.digest != before.digest and gone.digest != before.digest
    plan = saved(live=before)
    assert check(plan) == []
    assert check(plan, live=moved) == [
        "the live state changed since the plan was made: network lan changed"
    ]
    assert "container web changed" in check(plan, live=gone)[0]


def test_spec_edits_and_variables_are_told_apart() -> None:
    plan = saved()
    edited = check(plan, spec_file=digest(b"edited"))
    assert edited == ["the spec file lab.yaml changed since the plan was made"]
    other = spec_digest(spec_from_yaml(SPEC.replace("192.0.2.10", "192.0.2.11")))
    resolved = check(plan, spec=other)
    assert len(resolved) == 1 and "resolves differently" in resolved[0]


def test_the_resolved_spec_digest_ignores_where_things_are_written() -> None:
    spec = spec_from_yaml(SPEC)
    assert spec_digest(spec) == spec_digest(spec_from_yaml("\n\n" + SPEC, file="elsewhere.yaml"))


def test_another_engine_or_vlanspec_version_is_named() -> None:
    plan = saved()
    upgraded = dataclasses.replace(plan.plan.engine, version="29.3.0")
    elsewhere = dataclasses.replace(plan.plan.engine, host="tcp://192.0.2.5:2376")
    reasons = check(plan, version="0.2.0", engine=upgraded)
    assert reasons[0] == "it was made by vlanspec 0.1.0, and this is vlanspec 0.2.0"
    assert "is now Docker 29.3.0" in reasons[1]
    (moved,) = check(plan, engine=elsewhere)
    assert "tcp://192.0.2.5:2376" in moved
