"""`equality-model run / compare / scenarios / params`: output contracts and the one-line error contract."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numba
import pytest
from typer.testing import CliRunner, Result

from equality_model.cli import build_app
from equality_model.model.params import registry
from equality_model.model.results import HEADLINES
from equality_model.model.scenario import scenarios_dir

MA = "massachusetts-equality-model"
MA_TEXT = (scenarios_dir() / f"{MA}.yaml").read_text(encoding="utf-8")
SMALL_CHANGES = {"scale: 1\n": "scale: 200\n", "years: 10": "years: 1", "replicates: 20": "replicates: 1",
                 "burn_in_years: 2": "burn_in_years: 0"}  # fmt: skip
APP = build_app()


@pytest.fixture(autouse=True, scope="module")
def _one_numba_thread() -> Iterator[None]:
    before = numba.get_num_threads()
    numba.set_num_threads(1)  # in-process runs (--workers 1) stay fast on busy machines
    yield
    numba.set_num_threads(before)


def scenario_file(tmp_path: Path, **extra: str) -> Path:
    """A small copy of the MA scenario; ``extra`` maps text to replace onto its replacement."""
    text = MA_TEXT
    for old, new in {**SMALL_CHANGES, **extra}.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    p = tmp_path / "small.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def invoke(runner: CliRunner, *args: str | Path) -> Result:
    return runner.invoke(APP, [str(a) for a in args], env={"COLUMNS": "200"})


def assert_one_line_error(result: Result, *needles: str) -> str:
    """Exit 2, one line on stderr starting with 'error:', nothing on stdout, no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    err = result.stderr
    assert err.startswith("error: ") and err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.stdout == ""
    for n in needles:
        assert n in err, (n, err)
    return err


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# -------------------------------------------------------------------------------------- bad input


def test_unknown_parameter_in_the_scenario_file(runner: CliRunner, tmp_path: Path) -> None:
    p = scenario_file(tmp_path, **{"parameters: {}": "parameters:\n  buyer.share_evr: 0.1"})
    line = _line_of(p.read_text(), "buyer.share_evr")
    assert_one_line_error(
        invoke(runner, "run", p),
        f"{p}:{line}: field 'parameters.buyer.share_evr'",
        "did you mean 'buyer.share_ever'",
    )


@pytest.mark.parametrize(
    ("old", "new", "needles"),
    [
        ("parameters: {}", "parameters:\n  buyer.share_ever: 0.9", ("outside the plausible range",)),
        ("seed: 20261121", "seed: [1", ("invalid YAML",)),
        ("replicates: 1", "replicats: 1", ("field 'replicats'", "did you mean 'replicates'")),
        ("reform: US-MA+equality-model", "reform: US-XX", ("field 'reform'", "unknown jurisdiction")),
    ],
)
def test_bad_scenario_file(
    runner: CliRunner, tmp_path: Path, old: str, new: str, needles: tuple[str, ...]
) -> None:
    p = scenario_file(tmp_path, **{old: new})
    err = assert_one_line_error(invoke(runner, "run", p), *needles)
    assert str(p) in err
    assert_one_line_error(invoke(runner, "compare", p), *needles)


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (("run", "no-such-scenario"), ("unknown scenario 'no-such-scenario'", MA)),
        (("run", "missing.yaml"), ("missing.yaml", "file not found")),
        (("run", MA, "--replicates", "0"), ("field 'replicates'",)),
        (("run", MA, "--seed", "-3"), ("field 'seed'",)),
        (("run", MA, "--workers", "0"), ("field 'workers'", "at least 1")),
        (("run", MA, "--param", "buyer.share_ever"), ("expected NAME=VALUE",)),
        (("run", MA, "--param", "buyer.share_ever=lots"), ("expected a number",)),
        (("run", MA, "-p", "buyer.share_ever=0.9"), ("field '--param.buyer.share_ever'", "plausible range")),
        (("compare", MA, "-p", "nope=1"), ("unknown parameter 'nope'",)),
    ],
)
def test_bad_command_line(runner: CliRunner, args: tuple[str, ...], needles: tuple[str, ...]) -> None:
    assert_one_line_error(invoke(runner, *args), *needles)


def test_an_unwritable_output_is_rejected_before_the_run(runner: CliRunner, tmp_path: Path) -> None:
    """It was an internal error after the run, and the run's results were lost."""
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    cases = [
        (("run", MA, "--out", tmp_path), (f"{tmp_path} is a folder", "results.nc", "'--out'")),
        (("compare", MA, "--out", blocker / "x.nc"), (f"cannot write {blocker / 'x.nc'}", "'--out'")),
        (("bench", "--json", tmp_path), (f"{tmp_path} is a folder", "results.json", "'--json'")),
    ]
    for args, needles in cases:
        assert_one_line_error(invoke(runner, *args), *needles)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]  # nothing ran, nothing was written


def test_bad_parameter_set_file(runner: CliRunner, tmp_path: Path) -> None:
    params = tmp_path / "set.yaml"
    params.write_text("parameters:\n  buyer.share_ever: 0.1\n  seller.agee_out: 50\n", encoding="utf-8")
    assert_one_line_error(invoke(runner, "run", MA, "--params", params), f"{params}:3", "seller.age_out")


def test_installed_command_exits_2_with_one_line(tmp_path: Path) -> None:
    exe = shutil.which("equality-model", path=str(Path(sys.executable).parent))
    cmd = [exe] if exe else [sys.executable, "-m", "equality_model.cli"]
    p = scenario_file(tmp_path, **{"parameters: {}": "parameters:\n  buyer.share_evr: 0.1"})
    env = {k: v for k, v in os.environ.items() if k != "EQUALITY_MODEL_DEBUG"}
    proc = subprocess.run([*cmd, "run", str(p)], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout and proc.stdout == ""
    assert f"{p}:" in proc.stderr and "buyer.share_evr" in proc.stderr


# ---------------------------------------------------------------------------------------- success


def test_run_json_writes_netcdf_and_csv(runner: CliRunner, tmp_path: Path) -> None:
    p = scenario_file(tmp_path)
    out = tmp_path / "res" / "small.nc"
    result = invoke(
        runner, "run", p, "--out", out, "--workers", "1", "--format", "json", "-p", "buyer.displacement=0.2"
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert {"scenario", "scenario_hash", "seed", "replicates", "version", "outcomes", "out"} <= set(doc)
    assert doc["scenario"] == MA and doc["replicates"] == 1 and doc["out"] == str(out)
    assert {row["outcome"] for row in doc["outcomes"]} == set(HEADLINES)
    assert {row["year"] for row in doc["outcomes"]} == {1}
    assert out.exists() and out.with_suffix(".summary.csv").exists()


def test_compare_table(runner: CliRunner, tmp_path: Path) -> None:
    p = scenario_file(tmp_path)
    result = invoke(runner, "compare", p, "--workers", "1", "--quiet", "--seed", "7")
    assert result.exit_code == 0, result.output
    assert "People in prostitution" in result.stdout and "difference" in result.stdout
    assert "seed 7" in result.stdout
    assert list(tmp_path.iterdir()) == [p]  # compare writes nothing without --out


def test_scenarios_and_params_lists(runner: CliRunner) -> None:
    result = invoke(runner, "scenarios", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert rows[MA]["baseline"] == "US-MA" and rows[MA]["reform"] == "US-MA+equality-model"
    result = invoke(runner, "params", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [r["name"] for r in json.loads(result.stdout)] == list(registry())


def _summary_frame() -> object:
    import pandas as pd

    rows = []
    for k, outcome in enumerate(HEADLINES):
        for y in (1, 5, 10):
            big = 1_234_567.0 * (k + 1) * y  # seven-digit figures with eight-digit intervals
            rows.append({"outcome": outcome, "year": y, "baseline_mean": big, "reform_mean": -big / 3,
                         "difference_mean": -4 * big / 3, "difference_lo": -13 * big / 9,
                         "difference_hi": -11 * big / 9})  # fmt: skip
    return pd.DataFrame(rows)


def test_figures_are_formatted_for_reading() -> None:
    from equality_model.cli_model import _fmt

    assert [_fmt(x) for x in (0.0, -0.0, 4.554, -12.4, 1234567.8)] == ["0", "0", "4.55", "-12", "1,234,568"]


@pytest.mark.parametrize("width", [60, 80, 120, 200, 400])
def test_headline_table_never_cuts_a_figure(width: int) -> None:
    """On any terminal every figure is printed whole: years side by side when they fit, else one
    table per year (the wide table cut cost figures to "4,62…" at 80 and 100 columns)."""
    import io

    from rich.console import Console

    from equality_model.cli_model import _fmt, _headline_table

    df = _summary_frame()
    con = Console(width=width, file=io.StringIO(), record=True, highlight=False, soft_wrap=False)
    con.print(_headline_table(df, "A title", con))
    text = con.export_text()
    assert "…" not in text
    assert max(map(len, text.splitlines())) <= width
    joined = "".join(text.split())  # a folded figure is whole once the cells' spaces and borders go
    for r in df.itertuples():
        for x in (r.baseline_mean, r.reform_mean, r.difference_mean, r.difference_lo, r.difference_hi):
            assert _fmt(x) in joined.replace("│", "").replace("┃", ""), (width, _fmt(x))
    per_year = [f"A title, year {y}" in text for y in (1, 5, 10)]
    assert all(per_year) if width < 400 else not any(per_year)
    assert ("Year 10: difference (90% interval)" in text) == (width >= 400)


def test_compare_table_on_an_80_column_terminal(runner: CliRunner, tmp_path: Path) -> None:
    p = scenario_file(tmp_path)
    result = runner.invoke(APP, ["compare", str(p), "--workers", "1", "--quiet"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout and "year 1" in result.stdout
    assert max(map(len, result.stdout.splitlines())) <= 80


def test_scenarios_list_prints_every_name_whole_at_80_columns(runner: CliRunner) -> None:
    from equality_model.model.scenario import builtin_names

    result = runner.invoke(APP, ["scenarios", "list"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout and max(map(len, result.stdout.splitlines())) <= 80
    names = {line.split("│")[1].strip() for line in result.stdout.splitlines() if line.startswith("│")}
    assert set(builtin_names()) <= names  # a name is what users type next: never cut or folded
