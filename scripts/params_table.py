"""Render the parameter registry as a Markdown table and write it into docs/model.md.

The table goes between the markers ``<!-- params:start -->`` and ``<!-- params:end -->``; the rest of
the document is left as it is, and running the script twice changes nothing the second time.

    python scripts/params_table.py            # rewrite the table in docs/model.md
    python scripts/params_table.py --check    # exit 1 if docs/model.md is out of date
    python scripts/params_table.py --print    # print the table only

Columns: name, default, range, unit, provenance (the cited source, or "assumption", or both, as
``equality-model params list`` shows it) and description. The registry
(``src/equality_model/data/parameters/registry.yaml``) is the only input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from equality_model.model.params import registry_table

START = "<!-- params:start -->"
END = "<!-- params:end -->"
DOC = Path(__file__).resolve().parents[1] / "docs" / "model.md"
COLUMNS = ("name", "default", "range", "unit", "provenance", "description")


def _cell(text: str) -> str:
    """One table cell: a single line, with pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _num(x: float) -> str:
    return f"{x:g}"


def provenance(row: dict) -> str:
    """The source, or "assumption", or "assumption; <source>" (the CLI's convention)."""
    if row["assumption"]:
        return "assumption" + ("; " + row["source"] if row["source"] else "")
    return row["source"] or ""


def render_table() -> str:
    """The registry as a Markdown table (no trailing newline)."""
    lines = [
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join("---" for _ in COLUMNS) + "|",
    ]
    for r in registry_table():
        cells = (
            f"`{r['name']}`",
            _num(r["default"]),
            f"{_num(r['low'])} – {_num(r['high'])}",
            r["unit"],
            provenance(r),
            r["description"],
        )
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def splice(text: str, table: str) -> str:
    """``text`` with the part between the markers replaced by ``table``."""
    i = text.find(START)
    j = text.find(END)
    if i < 0 or j < 0 or j < i:
        raise ValueError(f"markers {START} and {END} not found (in that order)")
    if text.find(START, i + 1) >= 0 or text.find(END, j + 1) >= 0:
        raise ValueError("the parameter-table markers must appear once each")
    return text[: i + len(START)] + "\n" + table + "\n" + text[j:]


def current_table(text: str) -> str:
    """The table now between the markers."""
    i = text.find(START)
    j = text.find(END)
    if i < 0 or j < 0 or j < i:
        raise ValueError(f"markers {START} and {END} not found (in that order)")
    return text[i + len(START) : j].strip("\n")


def update(path: Path = DOC) -> bool:
    """Write the table into ``path``; returns True if the file changed."""
    old = path.read_text(encoding="utf-8")
    new = splice(old, render_table())
    if new == old:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--doc", type=Path, default=DOC, help="the Markdown file to update (docs/model.md)")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 if the table is out of date")
    mode.add_argument("--print", dest="print_only", action="store_true", help="print the table only")
    args = ap.parse_args(argv)
    if args.print_only:
        print(render_table())
        return 0
    try:
        if args.check:
            text = args.doc.read_text(encoding="utf-8")
            if splice(text, render_table()) != text:
                print(f"{args.doc}: parameter table is out of date; run scripts/params_table.py")
                return 1
            return 0
        changed = update(args.doc)
    except (OSError, ValueError) as exc:
        print(f"{args.doc}: {exc}", file=sys.stderr)
        return 2
    print(f"{args.doc}: {'updated' if changed else 'already up to date'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
