"""Plans as text for a terminal, in the shape Terraform users already read.

``+`` create or connect, ``-`` delete or disconnect, ``-/+`` replace, ``~`` reattach; every
replace with its reason, each changed property ``before -> after`` and every container it
touches; notes after the actions; the summary line last. Plain text unless ``color`` is asked
for (the command decides, from whether it writes to a terminal).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

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
from vlanspec.plan.normalize import describe_subnet, reserved_options
from vlanspec.spec.model import FLAG_OPTION, MODE_OPTION

_RESET = "\033[0m"
_BOLD = "\033[1m"
_COLOURS = {"+": "\033[32m", "-": "\033[31m", "-/+": "\033[35m", "~": "\033[33m"}
_NOTE_COLOURS = {"conflict": "\033[31m", "engine-limit": "\033[33m", "warning": "\033[33m"}
_SYMBOL = {
    ActionKind.CREATE: "+",
    ActionKind.CONNECT: "+",
    ActionKind.DELETE: "-",
    ActionKind.DISCONNECT: "-",
    ActionKind.REPLACE: "-/+",
    ActionKind.REATTACH: "~",
}
_INDENT = "      "


class _Paint:
    """ANSI colour when asked for, nothing otherwise, so plain output has no escape codes."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if self.enabled and code else text


def addresses(endpoint: Endpoint) -> str:
    """``192.0.2.3``, ``192.0.2.3, 2001:db8::3`` or ``dynamic``."""
    found = [a for a in (endpoint.ipv4_address, endpoint.ipv6_address) if a]
    return ", ".join(found) if found else "dynamic"


def endpoint_summary(endpoint: Endpoint) -> str:
    """One line: address, then MAC and aliases when there are any."""
    parts = [addresses(endpoint)]
    if endpoint.mac_address:
        parts.append(f"mac {endpoint.mac_address}")
    if endpoint.aliases:
        parts.append(f"aliases {', '.join(endpoint.aliases)}")
    return "  ".join(parts)


def _pairs(mapping: Mapping[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(mapping.items())) or "(none)"


def _table(rows: Iterable[tuple[str, str]], indent: str = _INDENT) -> list[str]:
    rows = list(rows)
    width = max((len(key) for key, _ in rows), default=0) + 1
    return [f"{indent}{(key + ':').ljust(width)} {value}" for key, value in rows]


def _config_lines(config: NetworkConfig) -> list[str]:
    options = config.options
    rows: list[tuple[str, str]] = [("driver", config.driver)]
    rows.append(("parent", options.get("parent") or "(none: internal, Docker makes a dummy)"))
    mode_key = MODE_OPTION.get(config.driver)
    if mode_key and mode_key in options:
        rows.append(("mode", options[mode_key]))
    if FLAG_OPTION in options and config.driver == "ipvlan":
        rows.append(("flag", options[FLAG_OPTION]))
    rows.extend(("subnet", describe_subnet(s)) for s in config.subnets)
    if not config.subnets:
        rows.append(("subnet", "(chosen by Docker)"))
    rows.append(("ipv6", "true" if config.ipv6 else "false"))
    rows.append(("internal", "true" if config.internal else "false"))
    rows.append(("labels", _pairs(config.labels)))
    user_options = {k: v for k, v in options.items() if k not in reserved_options(config.driver)}
    if user_options:
        rows.append(("options", _pairs(user_options)))
    return _table(rows)


def _change_lines(changes: Iterable[Change], paint: _Paint) -> list[str]:
    changes = list(changes)
    width = max((len(c.field) for c in changes), default=0) + 1
    mark = paint("~", _COLOURS["~"])
    return [
        f"{_INDENT}{mark} {(c.field + ':').ljust(width)} "
        f"{c.before if c.before is not None else '(none)'} -> "
        f"{c.after if c.after is not None else '(none)'}"
        for c in changes
    ]


def _containers(endpoints: Iterable[tuple[str, str]]) -> list[str]:
    rows = list(endpoints)
    width = max((len(name) for name, _ in rows), default=0)
    return [f"{_INDENT}  {name.ljust(width)}  {what}".rstrip() for name, what in rows]


def _replace_lines(action: Action, unlisted: set[str]) -> list[str]:
    before = {e.container: e for e in action.detach}
    after = {e.container: e for e in action.attach}
    if not before and not after:
        return [f"{_INDENT}containers: none attached"]
    rows: list[tuple[str, str]] = []
    for name in sorted(set(before) | set(after)):
        if name not in after:
            rows.append((name, "disconnected, not connected again"))
            continue
        what = endpoint_summary(after[name])
        if name not in before:
            what += "  (newly connected)"
        elif name in unlisted:
            what += "  (not in the spec: the settings it had)"
        rows.append((name, what))
    return [f"{_INDENT}containers (disconnected, then connected with):", *_containers(rows)]


def _unlisted(plan: Plan, network: str) -> set[str]:
    """Containers the plan notes as not in the spec on ``network``."""
    return {
        n.container
        for n in plan.notes
        if n.kind is NoteKind.UNMANAGED and n.network == network and n.container
    }


def _body(action: Action, plan: Plan, paint: _Paint) -> list[str]:
    lines = [f"{_INDENT}reason: {action.reason}"] if action.reason else []
    kind = action.kind
    if kind is ActionKind.CREATE and action.config is not None:
        lines += _config_lines(action.config)
    elif kind is ActionKind.DELETE:
        if action.detach:
            lines.append(f"{_INDENT}disconnects first:")
            lines += _containers((e.container, endpoint_summary(e)) for e in action.detach)
        else:
            lines.append(f"{_INDENT}containers: none attached")
    elif kind is ActionKind.REPLACE:
        lines += _change_lines(action.changes, paint)
        lines += _replace_lines(action, _unlisted(plan, action.network))
    elif action.endpoint is not None:
        endpoint = action.endpoint
        if kind is ActionKind.REATTACH:
            lines += _change_lines(action.changes, paint)
        rows = [("address", addresses(endpoint))]
        if endpoint.mac_address:
            rows.append(("mac", endpoint.mac_address))
        if endpoint.aliases:
            rows.append(("aliases", ", ".join(endpoint.aliases)))
        lines += _table(rows)
    return lines


def _title(action: Action) -> str:
    kind = action.kind
    if kind in (ActionKind.CREATE, ActionKind.DELETE, ActionKind.REPLACE):
        return f"{kind.value} network {action.network}"
    preposition = "from" if kind is ActionKind.DISCONNECT else "to"
    return f"{kind.value} {action.container} {preposition} {action.network}"


def _action_lines(action: Action, plan: Plan, paint: _Paint) -> list[str]:
    symbol = _SYMBOL[action.kind]
    head = f"  {paint(symbol, _COLOURS[symbol])} {paint(_title(action), _BOLD)}"
    return [head, *_body(action, plan, paint)]


def _note_lines(note: Note, paint: _Paint) -> list[str]:
    kind = paint(note.kind.value, _NOTE_COLOURS.get(note.kind.value, ""))
    lines = [f"  {kind}: {note.message}"]
    if note.location is not None:
        lines.append(f"{_INDENT}at {note.location}")
    if note.hint:
        lines.append(f"{_INDENT}hint: {note.hint}")
    return lines


def notes_text(notes: Iterable[Note], *, color: bool = False) -> str:
    """Notes as the plan shows them, under a ``Notes:`` line; empty when there are none."""
    paint = _Paint(color)
    lines = [line for n in notes for line in _note_lines(n, paint)]
    return "\n".join(["Notes:", *lines]) if lines else ""


def header(plan: Plan) -> str:
    """``Plan for spec 'lab' on Docker Engine 27.3.1 (API 1.47)``."""
    engine = plan.engine
    return (
        f"Plan for spec '{plan.spec}' on Docker Engine {engine.version} (API {engine.api_version})"
    )


def render(plan: Plan, *, color: bool = False) -> str:
    """The whole plan as text: header, actions, notes, summary line (no trailing newline)."""
    paint = _Paint(color)
    blocks: list[list[str]] = [[paint(header(plan), _BOLD)]]
    blocks += [_action_lines(a, plan, paint) for a in plan.actions]
    if plan.notes:
        blocks.append([notes_text(plan.notes, color=color)])
    blocks.append([paint(plan.summary(), _BOLD)])
    return "\n\n".join("\n".join(block) for block in blocks)
