"""``vlanspec status``: what of a spec exists on the engine, and who is attached, as a table."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from vlanspec.commands.base import Command, env_file_option
from vlanspec.commands.live import (
    Session,
    docker_host_option,
    header,
    load,
    make_plan,
    open_session,
)
from vlanspec.plan.model import NoteKind
from vlanspec.plan.ownership import owned_by, owner_of
from vlanspec.spec.model import Spec
from vlanspec.state import LiveEndpoint, LiveState

if TYPE_CHECKING:  # rich is imported when status runs, so other commands start faster
    from rich.table import Table

#: Notes of the plan that status shows too: what needs a person before the next apply.
ATTENTION = frozenset({NoteKind.WARNING, NoteKind.CONFLICT})
#: Width used when standard output is not a terminal: wide rows beat wrapped cells in a file.
PIPE_WIDTH = 160

Row = tuple[str, str, str, str, str, str, str, str]


@click.command("status", cls=Command)
@click.argument("spec_path", metavar="SPEC")
@docker_host_option
@env_file_option
def command(spec_path: str, docker_host: str | None, env_files: tuple[str, ...]) -> None:
    """Show each network of SPEC on the engine: whether it exists and is managed, and each
    attached container with its addresses and MAC. Changes nothing.

    Warnings and conflicts of the plan (an interrupted replace, a network of the same name
    that vlanspec does not own) follow the table; the last line is the plan summary. 'vlanspec
    plan SPEC' shows the details.
    """
    from rich.console import Console

    spec = load(spec_path, env_files)
    session = open_session(spec, docker_host, checks=False)
    try:
        plan = make_plan(session)
    finally:
        session.finish()
    console = Console(width=None if sys.stdout.isatty() else PIPE_WIDTH, highlight=False)
    console.print(header(session), markup=False)
    console.print(status_table(session))
    attention = [n for n in plan.notes if n.kind in ATTENTION]
    if attention:
        from vlanspec.render.plan_text import notes_text

        console.print(notes_text(attention), markup=False)
    console.print(plan.summary(), markup=False)


def status_table(session: Session) -> Table:
    """One section per network: its row first, then one row per container."""
    from rich.table import Table

    table = Table(show_lines=False, expand=False)
    for column in ("network", "driver/parent", "state", "container", "ipv4", "ipv6", "mac"):
        table.add_column(column, overflow="fold")
    table.add_column("spec")
    for index, rows in enumerate(_networks(session.spec, session.live)):
        if index:
            table.add_section()
        for row in rows:
            table.add_row(*row)
    return table


def _networks(spec: Spec, live: LiveState) -> Iterator[list[Row]]:
    """Rows per network: the spec's networks, then live ones the spec owns but no longer lists."""
    declared = {n.name for n in spec.networks}
    names = sorted(declared) + sorted(
        n.name for n in live.networks if owned_by(n, spec.name) and n.name not in declared
    )
    for name in names:
        yield list(_rows(spec, live, name))


def _rows(spec: Spec, live: LiveState, name: str) -> Iterator[Row]:
    wanted = spec.network(name)
    network = live.network(name)
    parent = (wanted.parent if wanted else network.parent if network else None) or "-"
    driver = f"{wanted.driver if wanted else network.driver if network else '?'} / {parent}"
    state = _state(spec, live, name)
    first = True
    listed = {a.container: a for a in spec.attachments_of(name)}
    endpoints = {e.container: e for e in live.endpoints_of(name)} if network else {}
    for container in sorted(set(listed) | set(endpoints)):
        endpoint = endpoints.get(container)
        if endpoint is not None:
            ipv4, ipv6, mac = _addresses(live, endpoint)
            role = "listed" if container in listed else "not in spec"
        else:
            ipv4 = ipv6 = mac = "-"
            exists = live.container(container) is not None
            role = "listed, not attached" if exists else "listed, container missing"
        yield (
            name if first else "",
            driver if first else "",
            state if first else "",
            container,
            ipv4,
            ipv6,
            mac,
            role,
        )
        first = False
    if first:
        yield (name, driver, state, "-", "", "", "", "")


def _state(spec: Spec, live: LiveState, name: str) -> str:
    network = live.network(name)
    if network is None:
        return "missing"
    if owned_by(network, spec.name):
        return "managed" if spec.network(name) else "managed, not in spec (to delete)"
    owner = owner_of(network)
    if owner:
        return f"conflict: owned by spec '{owner}'"
    return "conflict: exists, not managed"


def _addresses(live: LiveState, endpoint: LiveEndpoint) -> tuple[str, str, str]:
    container = live.container(endpoint.container)
    running = container is None or container.running
    ipv4 = endpoint.ipv4_address or endpoint.requested_ipv4 or "-"
    ipv6 = endpoint.ipv6_address or endpoint.requested_ipv6 or "-"
    if not running:
        ipv4 = f"{ipv4} (stopped)" if ipv4 != "-" else "(stopped)"
    return ipv4, ipv6, endpoint.mac_address or "-"
