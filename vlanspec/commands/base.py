"""What every command shares: the common options, and logging set up before it runs."""

from __future__ import annotations

from typing import Any

import click

from vlanspec import __version__, logs

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Store a common option in the root context so it can be given before or after a command."""
    root = ctx.find_root()
    name = param.name or ""
    if name == "verbose":
        root.meta["verbose"] = root.meta.get("verbose", 0) + (value or 0)
    elif value is not None:
        root.meta[name] = value
    return value


def common_params() -> list[click.Parameter]:
    return [
        click.Option(
            ["-v", "--verbose"],
            count=True,
            expose_value=False,
            callback=_remember,
            help="Say more: -v shows what vlanspec does, -vv also debug details.",
        ),
        click.Option(
            ["--log-format"],
            type=click.Choice(["text", "json"]),
            default=None,
            expose_value=False,
            callback=_remember,
            help="Logs (on standard error) as readable text or as JSON lines.  [default: text]",
        ),
    ]


class Command(click.Command):
    """A command with the common options, which configures logging before it runs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.extend(common_params())
        self.params.append(version_option())

    def invoke(self, ctx: click.Context) -> Any:
        meta = ctx.find_root().meta
        logs.configure(meta.get("log_format", "text"), meta.get("verbose", 0))
        return super().invoke(ctx)


class Group(click.Group):
    command_class = Command


def version_option() -> click.Option:
    def show(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        if value and not ctx.resilient_parsing:
            click.echo(f"vlanspec {__version__}")
            ctx.exit()

    return click.Option(
        ["--version"],
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=show,
        help="Show the version and exit.",
    )


def env_file_option(function: Any) -> Any:
    """``--env-file``: variables for ``${VAR}`` interpolation in specs (repeatable)."""
    return click.option(
        "--env-file",
        "env_files",
        multiple=True,
        type=click.Path(dir_okay=False),
        help="Read variables for ${VAR} in specs from this NAME=value file (repeatable; "
        "the environment wins, as in Compose).",
    )(function)


def environment(env_files: tuple[str, ...]) -> dict[str, str]:
    """The variables specs see: the env files in order, then the process environment on top."""
    import os

    from vlanspec.diagnostics import SpecError
    from vlanspec.spec.interpolate import read_env_file

    values: dict[str, str] = {}
    for path in env_files:
        found, problems = read_env_file(path)
        if problems:
            raise SpecError(problems)
        values.update(found)
    values.update(os.environ)
    return values
