"""``vlanspec export``: a spec for what is live, to bring an existing setup under vlanspec."""

from __future__ import annotations

from pathlib import Path

import click

from vlanspec.commands.base import Command
from vlanspec.commands.live import docker_host_option, engine_timeout
from vlanspec.errors import UserError


@click.command("export", cls=Command)
@docker_host_option
@click.option(
    "--name",
    "name",
    default=None,
    help="Name of the exported spec [default: --spec, or 'exported'].",
)
@click.option(
    "--spec",
    "owner",
    default=None,
    metavar="NAME",
    help="Export only the networks the spec NAME manages.",
)
@click.option(
    "--network",
    "only",
    multiple=True,
    metavar="NETWORK",
    help="Export only this network (repeatable).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write to this file instead of standard output.",
)
def command(
    docker_host: str | None,
    name: str | None,
    owner: str | None,
    only: tuple[str, ...],
    output: str | None,
) -> None:
    """Write a spec (YAML, with comments naming where each value came from) for the live
    macvlan and ipvlan networks and the containers attached to them.

    For networks vlanspec manages, 'export' then 'plan' shows no changes. Networks it does
    not manage yet can be brought under management with 'apply --adopt'.
    """
    from vlanspec.engine import connect
    from vlanspec.export import export_spec, exportable

    with connect(docker_host, timeout=engine_timeout()) as engine:
        first = engine.read_live()
        networks = exportable(first, owner)
        if only:
            missing = sorted(set(only) - {n.name for n in networks})
            if missing:
                raise UserError(f"no such macvlan/ipvlan network: {', '.join(missing)}")
            networks = [n for n in networks if n.name in only]
        chosen = {n.name for n in networks}
        attached = sorted({e.container for e in first.endpoints if e.network in chosen})
        live = engine.read_live(attached) if attached else first
    text = export_spec(
        live, name or owner or "exported", [n for n in live.networks if n.name in chosen]
    )
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise UserError(f"cannot write {output}: {error.strerror}") from None
        click.echo(
            f"Wrote {output}: {len(chosen)} network(s), {len(attached)} container(s).", err=True
        )
    else:
        click.echo(text, nl=False)
