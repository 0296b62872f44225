"""Plans as JSON documents and back: one shape for ``plan --format json`` and saved plans.

The shape is published as ``schemas/plan.schema.json``; ``format_version`` changes only when a
reader of the old shape would misread the new one. Reading is strict and says what is wrong
(a saved plan that cannot be read exactly must not be applied approximately). Pure: strings and
dicts in and out, the caller does any file I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from vlanspec.diagnostics import Location
from vlanspec.plan.model import (
    Action,
    ActionKind,
    Change,
    Endpoint,
    NetworkConfig,
    Note,
    NoteKind,
    Plan,
)
from vlanspec.spec.model import Subnet
from vlanspec.state import EngineInfo

FORMAT_VERSION = 1
_COUNTED = (
    ActionKind.CREATE,
    ActionKind.REPLACE,
    ActionKind.DELETE,
    ActionKind.CONNECT,
    ActionKind.REATTACH,
    ActionKind.DISCONNECT,
)

Json = dict[str, Any]


class PlanFormatError(ValueError):
    """A JSON document that is not a plan this version of vlanspec can read."""


# -- writing ---------------------------------------------------------------------------------


def _location(location: Location | None) -> Json | None:
    if location is None:
        return None
    return {"file": location.file, "line": location.line, "column": location.column}


def _config(config: NetworkConfig | None) -> Json | None:
    if config is None:
        return None
    return {
        "name": config.name,
        "driver": config.driver,
        "options": dict(sorted(config.options.items())),
        "subnets": [s.as_dict() for s in config.subnets],
        "ipv6": config.ipv6,
        "internal": config.internal,
        "labels": dict(sorted(config.labels.items())),
    }


def _endpoint(endpoint: Endpoint) -> Json:
    return {
        "container": endpoint.container,
        "network": endpoint.network,
        "ipv4_address": endpoint.ipv4_address,
        "ipv6_address": endpoint.ipv6_address,
        "mac_address": endpoint.mac_address,
        "aliases": list(endpoint.aliases),
    }


def _action(action: Action) -> Json:
    return {
        "kind": action.kind.value,
        "network": action.network,
        "container": action.container,
        "reason": action.reason,
        "config": _config(action.config),
        "endpoint": _endpoint(action.endpoint) if action.endpoint else None,
        "detach": [_endpoint(e) for e in action.detach],
        "attach": [_endpoint(e) for e in action.attach],
        "changes": [
            {"field": c.field, "before": c.before, "after": c.after} for c in action.changes
        ],
        "location": _location(action.location),
    }


def _note(note: Note) -> Json:
    return {
        "kind": note.kind.value,
        "message": note.message,
        "network": note.network,
        "container": note.container,
        "hint": note.hint,
        "location": _location(note.location),
    }


def plan_to_dict(plan: Plan) -> Json:
    """The plan as plain JSON data (``summary`` is derived, for readers that want only counts)."""
    summary: Json = {kind.value: plan.count(kind) for kind in _COUNTED}
    summary["total"] = len(plan.actions)
    return {
        "format_version": FORMAT_VERSION,
        "spec": plan.spec,
        "engine": {
            "version": plan.engine.version,
            "api_version": plan.engine.api_version,
            "local": plan.engine.local,
            "host": plan.engine.host,
        },
        "summary": summary,
        "actions": [_action(a) for a in plan.actions],
        "notes": [_note(n) for n in plan.notes],
    }


def plan_to_json(plan: Plan) -> str:
    """The plan as an indented JSON document with a stable key order."""
    return json.dumps(plan_to_dict(plan), indent=2)


# -- reading ---------------------------------------------------------------------------------


def _field(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in data:
        raise PlanFormatError(f"{where}: '{key}' is missing")
    value = data[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise PlanFormatError(f"{where}.{key}: unexpected value {value!r}")
    return value


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    value: str = _field(data, key, str, where)
    return value


def _optional(data: Mapping[str, Any], key: str, where: str) -> str | None:
    value: str | None = _field(data, key, (str, type(None)), where)
    return value


def _object(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value: Mapping[str, Any] = _field(data, key, dict, where)
    return value


def _list(data: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value: list[Any] = _field(data, key, list, where)
    return value


def _strings(data: Mapping[str, Any], key: str, where: str) -> dict[str, str]:
    mapping = _object(data, key, where)
    for name, value in mapping.items():
        if not isinstance(value, str):
            raise PlanFormatError(f"{where}.{key}.{name}: expected a string, got {value!r}")
    return dict(mapping)


def _mapping(item: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(item, dict):
        raise PlanFormatError(f"{where}: expected an object, got {item!r}")
    return item


def _read_location(data: Mapping[str, Any], where: str) -> Location | None:
    raw = _field(data, "location", (dict, type(None)), where)
    if raw is None:
        return None
    here = f"{where}.location"
    return Location(
        _text(raw, "file", here), _field(raw, "line", int, here), _field(raw, "column", int, here)
    )


def _read_subnet(raw: Any, where: str) -> Subnet:
    data = _mapping(raw, where)
    return Subnet(
        subnet=_text(data, "subnet", where),
        gateway=_optional(data, "gateway", where),
        ip_range=_optional(data, "ip_range", where),
        aux_addresses=dict(sorted(_strings(data, "aux_addresses", where).items())),
    )


def _read_config(data: Mapping[str, Any], where: str) -> NetworkConfig | None:
    raw = _field(data, "config", (dict, type(None)), where)
    if raw is None:
        return None
    here = f"{where}.config"
    return NetworkConfig(
        name=_text(raw, "name", here),
        driver=_text(raw, "driver", here),
        options=dict(sorted(_strings(raw, "options", here).items())),
        subnets=tuple(
            _read_subnet(s, f"{here}.subnets[{i}]")
            for i, s in enumerate(_list(raw, "subnets", here))
        ),
        ipv6=_field(raw, "ipv6", bool, here),
        internal=_field(raw, "internal", bool, here),
        labels=dict(sorted(_strings(raw, "labels", here).items())),
    )


def _read_endpoint(raw: Any, where: str) -> Endpoint:
    data = _mapping(raw, where)
    aliases = _list(data, "aliases", where)
    if not all(isinstance(a, str) for a in aliases):
        raise PlanFormatError(f"{where}.aliases: expected strings")
    return Endpoint(
        container=_text(data, "container", where),
        network=_text(data, "network", where),
        ipv4_address=_optional(data, "ipv4_address", where),
        ipv6_address=_optional(data, "ipv6_address", where),
        mac_address=_optional(data, "mac_address", where),
        aliases=tuple(aliases),
    )


def _endpoints(data: Mapping[str, Any], key: str, where: str) -> tuple[Endpoint, ...]:
    return tuple(
        _read_endpoint(e, f"{where}.{key}[{i}]") for i, e in enumerate(_list(data, key, where))
    )


def _read_change(raw: Any, where: str) -> Change:
    data = _mapping(raw, where)
    return Change(
        _text(data, "field", where),
        _optional(data, "before", where),
        _optional(data, "after", where),
    )


def _read_action(raw: Any, where: str) -> Action:
    data = _mapping(raw, where)
    kind = _text(data, "kind", where)
    try:
        action_kind = ActionKind(kind)
    except ValueError:
        raise PlanFormatError(f"{where}.kind: unknown action kind {kind!r}") from None
    endpoint = _field(data, "endpoint", (dict, type(None)), where)
    return Action(
        kind=action_kind,
        network=_text(data, "network", where),
        reason=_text(data, "reason", where),
        config=_read_config(data, where),
        endpoint=_read_endpoint(endpoint, f"{where}.endpoint") if endpoint is not None else None,
        detach=_endpoints(data, "detach", where),
        attach=_endpoints(data, "attach", where),
        changes=tuple(
            _read_change(c, f"{where}.changes[{i}]")
            for i, c in enumerate(_list(data, "changes", where))
        ),
        location=_read_location(data, where),
    )


def _read_note(raw: Any, where: str) -> Note:
    data = _mapping(raw, where)
    kind = _text(data, "kind", where)
    try:
        note_kind = NoteKind(kind)
    except ValueError:
        raise PlanFormatError(f"{where}.kind: unknown note kind {kind!r}") from None
    return Note(
        kind=note_kind,
        message=_text(data, "message", where),
        network=_optional(data, "network", where),
        container=_optional(data, "container", where),
        hint=_optional(data, "hint", where),
        location=_read_location(data, where),
    )


def plan_from_dict(data: Any) -> Plan:
    """The plan in JSON data written by :func:`plan_to_dict`; :class:`PlanFormatError` if not."""
    document = _mapping(data, "plan")
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise PlanFormatError(
            f"plan: format_version {version!r} is not {FORMAT_VERSION}, the one this vlanspec reads"
        )
    engine = _object(document, "engine", "plan")
    return Plan(
        spec=_text(document, "spec", "plan"),
        engine=EngineInfo(
            version=_text(engine, "version", "plan.engine"),
            api_version=_text(engine, "api_version", "plan.engine"),
            local=_field(engine, "local", bool, "plan.engine"),
            host=_text(engine, "host", "plan.engine"),
        ),
        actions=tuple(
            _read_action(a, f"plan.actions[{i}]")
            for i, a in enumerate(_list(document, "actions", "plan"))
        ),
        notes=tuple(
            _read_note(n, f"plan.notes[{i}]")
            for i, n in enumerate(_list(document, "notes", "plan"))
        ),
    )


def plan_from_json(text: str) -> Plan:
    """The plan in a JSON document written by :func:`plan_to_json`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise PlanFormatError(f"plan: not JSON ({error})") from None
    return plan_from_dict(data)
