"""A plan as a pull-request comment: understood in ten seconds, details one click away.

Order of the comment: the summary counts; replaces and deletes called out first (they disconnect
containers); a table of every change (network, action, why, containers affected); the resulting
topology as a Mermaid diagram with what changes marked; notes; then the full details folded in
``<details>``. GitHub refuses comments over 65,536 characters, so when the comment would be
longer it is *summarised* (details dropped, the diagram replaced by its size, table rows grouped
by action), never cut in the middle of a table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from vlanspec.plan.model import Action, ActionKind, NoteKind, Plan
from vlanspec.render.graph import Node, to_mermaid, topology
from vlanspec.spec.model import Spec

#: GitHub's limit for a comment body, with room for a marker line the workflow adds.
COMMENT_LIMIT = 65_536
BUDGET = COMMENT_LIMIT - 1_024

_VERB = {
    ActionKind.CREATE: "create",
    ActionKind.DELETE: "**delete**",
    ActionKind.REPLACE: "**replace**",
    ActionKind.CONNECT: "connect",
    ActionKind.DISCONNECT: "disconnect",
    ActionKind.REATTACH: "reattach",
}
_ICON = {  # Terraform's symbols, as in the text plan
    ActionKind.CREATE: "`+`",
    ActionKind.DELETE: "`-`",
    ActionKind.REPLACE: "`-/+`",
    ActionKind.CONNECT: "`+`",
    ActionKind.DISCONNECT: "`-`",
    ActionKind.REATTACH: "`~`",
}
_ORDER = [
    ActionKind.REPLACE,
    ActionKind.DELETE,
    ActionKind.CREATE,
    ActionKind.DISCONNECT,
    ActionKind.REATTACH,
    ActionKind.CONNECT,
]


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ").strip() or " "


def _affected(action: Action) -> list[str]:
    if action.kind in (ActionKind.REPLACE, ActionKind.DELETE):
        names = {e.container for e in (*action.detach, *action.attach)}
        return sorted(names)
    return [action.container] if action.container else []


def _why(action: Action) -> str:
    if action.reason:
        return action.reason
    if action.changes:
        return ", ".join(f"{c.field}: {c.before} → {c.after}" for c in action.changes)
    if action.endpoint is not None:
        e = action.endpoint
        parts = [e.ipv4_address or e.ipv6_address or "dynamic address"]
        if e.mac_address:
            parts.append(f"MAC {e.mac_address}")
        if e.aliases:
            parts.append("aliases " + ", ".join(e.aliases))
        return "; ".join(parts)
    return ""


def _sorted_actions(plan: Plan) -> list[Action]:
    rank = {kind: i for i, kind in enumerate(_ORDER)}
    return sorted(plan.actions, key=lambda a: (rank[a.kind], a.network, a.container or ""))


def _summary(plan: Plan) -> list[str]:
    engine = plan.engine
    head = f"### vlanspec plan: `{plan.spec}`"
    where = f"Engine {engine.version} (API {engine.api_version})"
    if plan.is_empty:
        return [head, "", f"✅ **No changes.** The live state matches the spec. {where}."]
    return [head, "", f"**{plan.summary()}** {where}."]


def _callouts(plan: Plan) -> list[str]:
    lines = []
    for action in _sorted_actions(plan):
        if action.kind not in (ActionKind.REPLACE, ActionKind.DELETE):
            continue
        who = _affected(action)
        touched = (
            f"disconnects {len(who)} container(s): {', '.join(who)}" if who else "no containers"
        )
        verb = "Replaces" if action.kind is ActionKind.REPLACE else "Deletes"
        why = f" because {_why(action)}" if action.reason or action.changes else ""
        lines.append(f"> [!WARNING]\n> {verb} network `{action.network}`{why}; {touched}.")
        if action.kind is ActionKind.REPLACE and action.detach:
            detached = {e.container for e in action.detach}
            left = sorted(detached - {e.container for e in action.attach})
            lines.append(
                f"> {len(detached) - len(left)} of {len(detached)} reconnected"
                + (f"; not reconnected: {', '.join(left)}." if left else ".")
            )
        lines.append("")
    return lines


def _table(actions: Sequence[Action], grouped: bool) -> list[str]:
    lines = ["| | network | action | why | containers |", "|---|---|---|---|---|"]
    if not grouped:
        for a in actions:
            who = ", ".join(_affected(a))
            lines.append(
                f"| {_ICON[a.kind]} | `{_cell(a.network)}` | {_VERB[a.kind]} | "
                f"{_cell(_why(a))} | {_cell(who)} |"
            )
        return lines
    per_network: dict[tuple[str, ActionKind], list[Action]] = {}
    for a in actions:
        per_network.setdefault((a.network, a.kind), []).append(a)
    for (network, kind), group in per_network.items():
        touched = sorted({c for a in group for c in _affected(a)})
        names = ", ".join(touched[:5])
        if len(touched) > 5:
            names += f" and {len(touched) - 5} more"
        why = _why(group[0]) if len(group) == 1 else f"{len(group)} attachments"
        lines.append(
            f"| {_ICON[kind]} | `{_cell(network)}` | {_VERB[kind]} | {_cell(why)} | "
            f"{_cell(names)} |"
        )
    return lines


def _marks(plan: Plan) -> dict[Node, str]:
    marks: dict[Node, str] = {}
    for a in plan.actions:
        if a.kind in (ActionKind.CREATE, ActionKind.REPLACE, ActionKind.DELETE):
            marks["network", a.network] = a.kind.value
        elif a.container:
            marks.setdefault(("container", a.container), "change")
    return marks


def _diagram(plan: Plan, spec: Spec | None, include: bool) -> list[str]:
    if spec is None:
        return []
    topo = topology(spec, _marks(plan))
    if not include:
        size = len(topo.networks) + len(topo.containers)
        return [f"_Topology diagram left out to fit the comment limit ({size} nodes)._", ""]
    return [
        "<details open><summary>Resulting topology</summary>",
        "",
        "```mermaid",
        to_mermaid(topo).rstrip(),
        "```",
        "",
        "</details>",
        "",
    ]


def _notes(plan: Plan) -> list[str]:
    if not plan.notes:
        return []
    lines = ["**Notes**", ""]
    for note in plan.notes:
        strong = note.kind in (NoteKind.CONFLICT, NoteKind.ENGINE_LIMIT)
        kind = f"**{note.kind.value}**" if strong else note.kind.value
        hint = f" _{note.hint}_" if note.hint else ""
        lines.append(f"- {kind}: {note.message}{hint}")
    return [*lines, ""]


def _details(text_plan: str) -> list[str]:
    return [
        "<details><summary>Full plan</summary>",
        "",
        "```text",
        text_plan.replace("```", "``\u200b`").rstrip(),
        "```",
        "",
        "</details>",
    ]


def render_markdown(
    plan: Plan,
    spec: Spec | None = None,
    text_plan: Callable[[Plan], str] | None = None,
    *,
    budget: int = BUDGET,
) -> str:
    """The plan as a GitHub comment, at most ``budget`` characters long.

    ``text_plan`` renders the full plan for the folded details (the text renderer); several
    plans in one comment share :data:`BUDGET` between them.
    """
    actions = _sorted_actions(plan)
    attempts = [
        (False, True, True, True),  # everything
        (False, True, True, False),  # without the full details
        (False, False, True, False),  # without the diagram
        (True, False, True, False),  # table rows grouped per network and action
        (True, False, False, False),  # notes counted, not listed
    ]
    text = ""
    for grouped, diagram, notes, details in attempts:
        parts = [*_summary(plan), ""]
        if not plan.is_empty:
            parts += _callouts(plan)
            parts += [*_table(actions, grouped), ""]
        parts += _diagram(plan, spec, diagram)
        if notes:
            parts += _notes(plan)
        elif plan.notes:
            counted = Counter(n.kind.value for n in plan.notes)
            parts += ["**Notes:** " + ", ".join(f"{v} {k}" for k, v in sorted(counted.items())), ""]
        if details and text_plan is not None and not plan.is_empty:
            parts += _details(text_plan(plan))
        text = "\n".join(parts).rstrip() + "\n"
        if len(text) <= budget:
            return text
    # Still too long: only the summary and the per-action counts are certain to fit.
    per_kind = ", ".join(f"{plan.count(k)} {k.value}" for k in _ORDER if plan.count(k))
    return "\n".join(
        [*_summary(plan), "", f"The plan is too large for a comment ({per_kind}).", ""]
    )
