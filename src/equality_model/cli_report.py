"""The demo and report commands (being written)."""

from __future__ import annotations

import typer


def register(root: typer.Typer) -> None:
    """Add the demo and report commands to the root app."""
