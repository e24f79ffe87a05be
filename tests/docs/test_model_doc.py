"""docs/model.md cannot drift from the code: parameter table, processes, step order, outputs, headlines."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from equality_model.model import engine, results
from equality_model.model.params import registry

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "model.md"
PROCESSES = ROOT / "src" / "equality_model" / "model" / "processes"


def _load_script():
    spec = importlib.util.spec_from_file_location("params_table", ROOT / "scripts" / "params_table.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


pt = _load_script()


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def _section(text: str, heading: str) -> str:
    """The body of the ``## heading`` section, up to the next level-2 heading."""
    m = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    assert m, f"docs/model.md has no section '## {heading}'"
    return m.group(1)


def _table_rows(text: str) -> list[list[str]]:
    """Cells of every Markdown table row in ``text`` (header and separator rows excluded)."""
    rows = []
    for line in text.splitlines():
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows


# ---------------------------------------------------------------- parameter table


def test_parameter_table_is_the_scripts_output(doc: str) -> None:
    assert pt.current_table(doc) == pt.render_table(), (
        "docs/model.md's parameter table is out of date: run `python scripts/params_table.py`"
    )


def test_parameter_table_has_one_row_per_registry_entry() -> None:
    rows = _table_rows(pt.render_table())[1:]  # drop the header
    names = [r[0].strip("`") for r in rows]
    assert names == list(registry())
    for r in rows:
        assert len(r) == len(pt.COLUMNS)
        assert r[4], f"{r[0]} has no provenance"


def test_provenance_is_source_or_assumption() -> None:
    for name, spec in registry().items():
        row = {"source": spec.source, "assumption": spec.assumption}
        prov = pt.provenance(row)
        if spec.assumption:
            assert prov.startswith("assumption"), name
        else:
            assert prov == spec.source, name


def test_update_is_idempotent_and_keeps_the_rest(tmp_path: Path, doc: str) -> None:
    p = tmp_path / "model.md"
    stale = pt.splice(doc, "| stale |")
    p.write_text(stale, encoding="utf-8")
    assert pt.update(p) is True
    once = p.read_text(encoding="utf-8")
    assert once == pt.splice(doc, pt.render_table())
    assert once.replace(pt.current_table(once), "") == stale.replace("| stale |", "")
    assert pt.update(p) is False
    assert p.read_text(encoding="utf-8") == once


def test_check_mode_reports_a_stale_table(tmp_path: Path, doc: str) -> None:
    p = tmp_path / "model.md"
    p.write_text(doc, encoding="utf-8")
    assert pt.main(["--doc", str(p), "--check"]) == 0
    p.write_text(pt.splice(doc, "| stale |"), encoding="utf-8")
    assert pt.main(["--doc", str(p), "--check"]) == 1


def test_markers_are_required(tmp_path: Path) -> None:
    p = tmp_path / "model.md"
    p.write_text("# no markers\n", encoding="utf-8")
    with pytest.raises(ValueError, match="markers"):
        pt.update(p)
    assert pt.main(["--doc", str(p)]) == 2


def test_pipes_in_text_are_escaped() -> None:
    assert pt._cell("a | b\n  c") == "a \\| b c"


# ---------------------------------------------------------------- processes and step order


def test_every_process_module_is_documented(doc: str) -> None:
    modules = sorted(p.name for p in PROCESSES.glob("*.py") if p.name != "__init__.py")
    assert modules, "no process modules found"
    missing = [m for m in modules if f"processes/{m}" not in doc]
    assert not missing, f"process modules not mentioned in docs/model.md: {missing}"


def test_every_step_is_documented(doc: str) -> None:
    missing = [n for n in engine.STEP_ORDER if f"`{n}`" not in doc]
    assert not missing, f"STEP_ORDER names not mentioned in docs/model.md: {missing}"


def test_step_order_is_quoted_verbatim(doc: str) -> None:
    line = "STEP_ORDER = (" + ", ".join(f'"{n}"' for n in engine.STEP_ORDER) + ")"
    assert line in doc, "docs/model.md quotes an out-of-date STEP_ORDER"


def test_step_table_lists_each_step_once(doc: str) -> None:
    rows = [r for r in _table_rows(_section(doc, "2. A run at a glance")) if len(r) == 5]
    steps = [r[2].strip("`") for r in rows[1:]]
    assert sorted(steps) == sorted(engine.STEP_ORDER)
    for r in rows[1:]:
        assert int(r[1]) == engine.STEP_ORDER.index(r[2].strip("`")) + 1, r


def test_every_stream_is_documented(doc: str) -> None:
    missing = [n for n in engine.STREAM_NAMES if f"`{n}`" not in doc]
    assert not missing, f"random streams not documented: {missing}"


# ---------------------------------------------------------------- outputs and headlines


def test_every_output_is_documented_with_its_dimension(doc: str) -> None:
    rows = {r[0].strip("`"): r for r in _table_rows(_section(doc, "9. Outputs"))[1:]}
    missing, unknown = sorted(set(engine.OUTPUTS) - set(rows)), sorted(set(rows) - set(engine.OUTPUTS))
    assert not missing and not unknown, f"outputs missing from the table: {missing}; unknown: {unknown}"
    for name, (dim, labels) in engine.OUTPUTS.items():
        r = rows[name]
        assert r[1] == (dim or "—"), f"{name}: dimension {r[1]!r}, code has {dim!r}"
        got = tuple(x.strip() for x in r[2].split(",")) if labels else ("—",)
        assert got == (tuple(labels) if labels else ("—",)), f"{name}: labels {r[2]!r}, code has {labels}"
        assert r[3] and r[4], f"{name}: unit and meaning are required"


def test_every_headline_is_documented(doc: str) -> None:
    rows = {r[0].strip("`"): r for r in _table_rows(_section(doc, "10. Headline summary"))[1:]}
    assert set(rows) == set(results.HEADLINES)
    for name, (var, comp, how) in results.HEADLINES.items():
        r = rows[name]
        assert r[1].strip("`") == var, name
        assert r[2] == (comp or "—"), name
        assert r[3] == {"last": "last week", "sum": "sum over the year"}[how], name


def test_parameter_names_in_prose_exist(doc: str) -> None:
    """Backticked names that look like parameters must be registry entries (or stream names)."""
    prefixes = sorted({k.split(".")[0] for k in registry()})
    pat = re.compile(r"`((?:" + "|".join(prefixes) + r")\.[a-z0-9_]+)`")
    known = set(registry()) | set(engine.STREAM_NAMES)
    unknown = sorted({m for m in pat.findall(doc) if m not in known})
    assert not unknown, f"docs/model.md names parameters the registry does not have: {unknown}"
