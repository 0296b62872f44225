"""``vlanspec graph``: the topology a spec describes, as Mermaid or Graphviz source."""

from __future__ import annotations

import click

from vlanspec.commands.base import Command, env_file_option, environment


@click.command("graph", cls=Command)
@click.argument("spec", metavar="SPEC")
@click.option(
    "--format",
    "output",
    type=click.Choice(["mermaid", "dot"]),
    default="mermaid",
    show_default=True,
    help="mermaid renders in GitHub Markdown; dot is for Graphviz.",
)
@env_file_option
def command(spec: str, output: str, env_files: tuple[str, ...]) -> None:
    """Print the topology of SPEC: parent interfaces, networks, containers and addresses.

    Works offline from the spec alone (the Markdown plan shows the same picture with what
    changes marked).
    """
    # Imported here: the spec loader imports ruamel.yaml and jsonschema, which --help need not.
    from vlanspec.render.graph import to_dot, to_mermaid, topology
    from vlanspec.spec import load_spec

    topo = topology(load_spec(spec, environment(env_files)))
    click.echo(to_mermaid(topo) if output == "mermaid" else to_dot(topo), nl=False)
