"""Saved plans: ``vlanspec plan SPEC -o FILE`` writes one, ``vlanspec apply FILE`` applies it.

A saved plan is the plan document of ``plan --format json`` (:mod:`vlanspec.plan.serialize`)
with one more member, ``saved``, that says what the plan was made from: the spec file (its
path, a hash of its bytes and a hash of the spec it resolved to, ``${VAR}`` substituted), the
options that shaped the plan (``--env-file``, ``--adopt``), the vlanspec version, and a
fingerprint of the live state. Apply reads the live state again and refuses when any of it
changed, saying what, so a plan is applied only to the state it was reviewed against (as
Terraform does).

The live fingerprint covers what a plan for this spec can depend on, normalized so that only
a real change moves it: every macvlan and ipvlan network, and any network the spec declares,
owns or adopts (driver, options, labels, pools, IPv6, internal), each with its endpoints
(container, addresses, MAC, aliases without the names the engine adds), and for each container
the spec names, whether it exists and its network mode. Ids, container states and networks of
other drivers are left out: a container stopping or a compose project's bridge network coming
and going does not make a saved plan stale (the live checks that apply runs again still see
pool overlaps with them). Each network and container has its own hash, so a refusal can name
what changed.

Pure apart from :func:`plan_document`, which reads a file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vlanspec.plan.model import Plan
from vlanspec.plan.serialize import (
    FORMAT_VERSION,
    PlanFormatError,
    plan_from_dict,
    plan_to_dict,
)
from vlanspec.spec.model import SPEC_LABEL, Spec
from vlanspec.state import EngineInfo, LiveEndpoint, LiveNetwork, LiveState, user_aliases

KIND = "vlanspec-saved-plan"
SAVED_KEY = "saved"
#: Drivers whose networks are always part of the live fingerprint.
PLANNED_DRIVERS = frozenset({"macvlan", "ipvlan"})
#: A file larger than this is not a plan (keeps :func:`plan_document` cheap).
MAX_PLAN_BYTES = 64 * 1024 * 1024

Json = dict[str, Any]


@dataclass(frozen=True)
class Fingerprint:
    """A hash of the whole, and one per network and container, for naming what changed."""

    digest: str
    parts: Mapping[str, str]


@dataclass(frozen=True)
class SavedPlan:
    """A plan and everything apply needs to check it still holds."""

    plan: Plan
    spec_path: str
    spec_file: str  # digest of the spec file's bytes
    spec: str  # digest of the resolved spec
    live: Fingerprint
    vlanspec_version: str
    created: str
    env_files: tuple[str, ...] = ()
    adopt: tuple[str, ...] = ()


# -- fingerprints ----------------------------------------------------------------------------


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _digest_of(value: Any) -> str:
    return digest(json.dumps(value, sort_keys=True, separators=(",", ":")).encode())


def _canonical(value: Any) -> Any:
    """Plain JSON data for a spec's model, without where each value was written."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _canonical(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in ("path", "source")
        }
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda i: str(i[0]))}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def spec_digest(spec: Spec) -> str:
    """A hash of the resolved spec: what it declares, not where in the file."""
    return _digest_of(_canonical(spec))


def _endpoint(endpoint: LiveEndpoint) -> Json:
    aliases = (
        None
        if endpoint.aliases is None
        else list(user_aliases(endpoint.aliases, endpoint.container, endpoint.container_id))
    )
    return {
        "container": endpoint.container,
        "ipv4_address": endpoint.ipv4_address,
        "ipv6_address": endpoint.ipv6_address,
        "mac_address": (endpoint.mac_address or "").lower() or None,
        "requested_ipv4": endpoint.requested_ipv4,
        "requested_ipv6": endpoint.requested_ipv6,
        "aliases": aliases,
    }


def _network(network: LiveNetwork, endpoints: Iterable[LiveEndpoint]) -> Json:
    return {
        "driver": network.driver,
        "options": dict(sorted(network.options.items())),
        "labels": dict(sorted(network.labels.items())),
        "subnets": [s.as_dict() for s in network.subnets],
        "ipv6": network.ipv6,
        "internal": network.internal,
        "scope": network.scope,
        "endpoints": sorted(
            (_endpoint(e) for e in endpoints), key=lambda e: json.dumps(e, sort_keys=True)
        ),
    }


def live_fingerprint(live: LiveState, spec: Spec, adopt: Iterable[str] = ()) -> Fingerprint:
    """The fingerprint of the parts of ``live`` a plan for ``spec`` can depend on."""
    adopted = set(adopt)

    def relevant(network: LiveNetwork) -> bool:
        return (
            network.driver in PLANNED_DRIVERS
            or spec.network(network.name) is not None
            or network.name in adopted
            or network.labels.get(SPEC_LABEL) == spec.name
        )

    networks: dict[str, list[Json]] = {}
    for network in live.networks:
        if relevant(network):
            found = _network(network, (e for e in live.endpoints if e.is_on(network)))
            networks.setdefault(network.name, []).append(found)
    parts: dict[str, str] = {}
    for name, found_networks in networks.items():
        found_networks.sort(key=lambda n: json.dumps(n, sort_keys=True))
        parts[f"network {name}"] = _digest_of(found_networks)
    for name in spec.containers:
        container = live.container(name)
        state = None if container is None else {"network_mode": container.network_mode}
        parts[f"container {name}"] = _digest_of(state)
    parts = dict(sorted(parts.items()))
    return Fingerprint(_digest_of(parts), parts)


# -- reading and writing ---------------------------------------------------------------------


def saved_to_dict(saved: SavedPlan) -> Json:
    """The plan document with the ``saved`` member added (see ``schemas/plan.schema.json``)."""
    document = plan_to_dict(saved.plan)
    document[SAVED_KEY] = {
        "kind": KIND,
        "vlanspec_version": saved.vlanspec_version,
        "created": saved.created,
        "spec_path": saved.spec_path,
        "env_files": list(saved.env_files),
        "adopt": list(saved.adopt),
        "fingerprints": {
            "spec_file": saved.spec_file,
            "spec": saved.spec,
            "live": saved.live.digest,
            "live_parts": dict(saved.live.parts),
        },
    }
    return document


def saved_to_json(saved: SavedPlan) -> str:
    return json.dumps(saved_to_dict(saved), indent=2) + "\n"


def _strings(data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PlanFormatError(f"{where}.{key}: expected a list of strings, got {value!r}")
    return tuple(value)


def _string(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise PlanFormatError(f"{where}.{key}: expected a string, got {value!r}")
    return value


def saved_from_dict(data: Any) -> SavedPlan:
    """The saved plan in ``data``; :class:`PlanFormatError` saying what is wrong if it is not."""
    if not isinstance(data, dict):
        raise PlanFormatError(f"plan: expected an object, got {data!r}")
    saved = data.get(SAVED_KEY)
    if saved is None:
        raise PlanFormatError(
            "this plan has no 'saved' member (it is what 'plan --format json' prints): it does "
            "not record what it was made from, so it cannot be checked before applying"
        )
    if not isinstance(saved, dict) or saved.get("kind") != KIND:
        raise PlanFormatError(f"plan.saved: expected an object with kind {KIND!r}")
    plan = plan_from_dict({k: v for k, v in data.items() if k != SAVED_KEY})
    where = "plan.saved"
    prints = saved.get("fingerprints")
    if not isinstance(prints, dict):
        raise PlanFormatError(f"{where}.fingerprints: expected an object")
    parts = prints.get("live_parts")
    if not isinstance(parts, dict) or not all(isinstance(v, str) for v in parts.values()):
        raise PlanFormatError(f"{where}.fingerprints.live_parts: expected strings by name")
    here = f"{where}.fingerprints"
    return SavedPlan(
        plan=plan,
        spec_path=_string(saved, "spec_path", where),
        spec_file=_string(prints, "spec_file", here),
        spec=_string(prints, "spec", here),
        live=Fingerprint(_string(prints, "live", here), dict(parts)),
        vlanspec_version=_string(saved, "vlanspec_version", where),
        created=_string(saved, "created", where),
        env_files=_strings(saved, "env_files", where),
        adopt=_strings(saved, "adopt", where),
    )


def saved_from_json(text: str) -> SavedPlan:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise PlanFormatError(f"plan: not JSON ({error})") from None
    return saved_from_dict(data)


def plan_document(path: str) -> dict[str, Any] | None:
    """The JSON object in ``path`` if it is a plan document (has a ``format_version``), else None.

    Specs may be JSON too (JSON is YAML), but a spec has ``version``, never ``format_version``.
    A plan without the ``saved`` member counts, so that apply can say why it cannot use it. The
    document is returned, not just recognised, so that apply parses the file once.
    """
    file = Path(path)
    try:
        if not file.is_file() or file.stat().st_size > MAX_PLAN_BYTES:
            return None
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if not text.lstrip().startswith("{"):
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) and "format_version" in data else None


# -- is it still valid? ----------------------------------------------------------------------


def _changed_parts(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    words: list[str] = []
    for key in sorted(set(before) | set(after)):
        if key not in after:
            words.append(f"{key} is gone")
        elif key not in before:
            words.append(f"{key} appeared")
        elif before[key] != after[key]:
            words.append(f"{key} changed")
    return words


def what_changed(
    saved: SavedPlan,
    *,
    version: str,
    engine: EngineInfo,
    spec_file: str,
    spec: str,
    live: Fingerprint,
) -> list[str]:
    """Why ``saved`` no longer holds, one reason a line; empty when it may be applied."""
    reasons: list[str] = []
    if saved.vlanspec_version != version:
        reasons.append(
            f"it was made by vlanspec {saved.vlanspec_version}, and this is vlanspec {version}"
        )
    made = saved.plan.engine
    if made.host and engine.host and made.host != engine.host:
        reasons.append(f"it was made for the engine at {made.host}, not {engine.host}")
    elif (made.version, made.api_version) != (engine.version, engine.api_version):
        reasons.append(
            f"the engine was Docker {made.version} (API {made.api_version}) and is now "
            f"Docker {engine.version} (API {engine.api_version})"
        )
    if saved.spec_file != spec_file:
        reasons.append(f"the spec file {saved.spec_path} changed since the plan was made")
    elif saved.spec != spec:
        reasons.append(
            f"the spec {saved.spec_path} resolves differently now "
            "(an environment variable or an --env-file it uses changed)"
        )
    if saved.live.digest != live.digest:
        changed = _changed_parts(saved.live.parts, live.parts)
        detail = ": " + ", ".join(changed) if changed else ""
        reasons.append(f"the live state changed since the plan was made{detail}")
    return reasons


__all__ = [
    "FORMAT_VERSION",
    "KIND",
    "Fingerprint",
    "SavedPlan",
    "digest",
    "live_fingerprint",
    "plan_document",
    "saved_from_dict",
    "saved_from_json",
    "saved_to_dict",
    "saved_to_json",
    "spec_digest",
    "what_changed",
]
