"""The serve commands (being written)."""

from __future__ import annotations

import typer


def register(root: typer.Typer) -> None:
    """Add the serve commands to the root app."""
