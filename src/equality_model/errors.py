"""One error type for every kind of bad input, so every front end reports it the same way.

The CLI prints ``str(error)`` on one line and exits with code 2; the web API turns it
into a 4xx response. The message always names where the problem is (file, line,
field) and what was expected.
"""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad user input: a file, a field, a flag or a request that does not meet its contract."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.field = field
        super().__init__(self.render())

    def render(self) -> str:
        where = ""
        if self.file:
            where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [p for p in (where, f"field '{self.field}'" if self.field else "") if p]
        prefix = ": ".join(parts)
        text = " ".join(self.message.split())  # one line, always
        return f"{prefix}: {text}" if prefix else text
