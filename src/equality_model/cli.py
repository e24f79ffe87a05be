"""The ``equality-model`` command: a root Typer app that command-group modules plug into.

Each command group lives in its own module exposing a Typer ``app`` (``cli_law`` for
``laws``). Adding ``run``, ``compare``, ``report`` … later means one more line in
``COMMAND_GROUPS``; nothing else here changes.

Error contract (a promise to users and scripts): bad input of any kind is an
``InputError`` and comes out as ``error: <message>`` on one line of stderr with exit
code 2, never a traceback. Typer's own usage errors also exit 2. An unexpected failure
exits 1 with one line too; set ``EQUALITY_MODEL_DEBUG=1`` to see its traceback.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from equality_model import __version__
from equality_model.errors import InputError

HELP = "A policy lab for the Equality Model (Nordic model): law as code, simulation, exit-service planning."
EXIT_INPUT_ERROR = 2
EXIT_INTERNAL_ERROR = 1

# (command name, module exposing a Typer ``app``). Register new command groups here.
COMMAND_GROUPS: tuple[tuple[str, str], ...] = (("laws", "equality_model.cli_law"),)
# Modules exposing ``register(root)`` for top-level commands (run, compare, …).
COMMAND_MODULES: tuple[str, ...] = (
    "equality_model.cli_model",
    "equality_model.cli_report",
    "equality_model.cli_web",
)


class RootGroup(TyperGroup):
    """Root group: an InputError from any subcommand becomes one stderr line and exit code 2.

    Doing this inside Click (not only in ``main``) keeps the contract under ``CliRunner`` too.
    """

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(EXIT_INPUT_ERROR) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"equality-model {__version__}")
        raise typer.Exit()


def build_app() -> typer.Typer:
    """Build the root app and register every command group in COMMAND_GROUPS."""
    root = typer.Typer(
        name="equality-model",
        cls=RootGroup,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
        help=HELP,
    )

    @root.callback()
    def _root(
        version: Annotated[
            bool,
            typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
        ] = False,
    ) -> None:
        """Root options; the command groups do the work."""

    for name, module in COMMAND_GROUPS:
        group = importlib.import_module(module).app
        root.add_typer(group, name=name)
    for module in COMMAND_MODULES:
        importlib.import_module(module).register(root)
    return root


app = build_app()


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: run the app and keep the one-line error contract."""
    try:
        app(args=list(argv) if argv is not None else None, prog_name="equality-model")
    except InputError as exc:  # raised outside a subcommand (should not happen, but keep the contract)
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(EXIT_INPUT_ERROR)
    except Exception as exc:
        if os.environ.get("EQUALITY_MODEL_DEBUG"):
            raise
        text = " ".join(str(exc).split())
        print(
            f"error: internal error ({exc.__class__.__name__}: {text}); "
            "set EQUALITY_MODEL_DEBUG=1 for a traceback and please report it",
            file=sys.stderr,
        )
        sys.exit(EXIT_INTERNAL_ERROR)


if __name__ == "__main__":
    main()
