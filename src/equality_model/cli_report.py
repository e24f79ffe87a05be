"""``equality-model demo`` and ``equality-model report``: the report folder for people.

- ``demo [--out DIR] [--replicates N] [--seed S] [--workers W] [--quiet]`` runs the built-in Massachusetts
  comparison (current law against the Equality Model bill), shows progress on stderr, writes the report
  folder (``equality-model-report/`` by default), prints the headline table and the report's path.
- ``report RESULTS.nc [--out DIR]`` rebuilds the same folder from saved results (``run --out``).

Bad input (a missing or foreign results file, an unusable folder, bad settings) is an ``InputError``:
one line on stderr, exit code 2.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from equality_model.cli_model import QuietOpt, SeedOpt, WorkersOpt, _err, _headline_table, _simulate

DEFAULT_OUT = Path("equality-model-report")
DEFAULT_REPLICATES = 20

OutOpt = Annotated[
    Path,
    typer.Option("--out", "-o", help="Folder for the report (created if needed; report files are replaced)."),
]


def _console() -> Console:
    """stdout; 200 columns when piped (a log keeps each row of the headline tables on one line), the
    real width in a terminal (the headline table becomes one table per year when narrow)."""
    con = Console(highlight=False)
    if not con.is_terminal and "COLUMNS" not in os.environ:
        con.width = 200
    return con


def _built(files: Any, quiet: bool) -> None:
    # plain echo: a path must never be wrapped or styled
    typer.echo(f"Report: {files.html}")
    if not quiet:
        typer.echo(
            f"Also in {files.folder}: plots/ ({len(files.plots)} PNG), {files.netcdf.name} (NetCDF), "
            f"{files.summary_csv.name} and {files.timeseries_csv.name} (CSV), {files.scenario.name}."
        )


def _build(ds: Any, out: Path, quiet: bool) -> Any:
    from equality_model.report import build_report

    if quiet:
        return build_report(ds, out)
    with _err().status("Building the report (plots, tables, HTML)…"):
        return build_report(ds, out)


def demo_scenario(replicates: int | None, seed: int | None) -> Any:
    """The built-in Massachusetts scenario with the demo's run settings (tests swap in a smaller one)."""
    from equality_model.model.results import with_settings
    from equality_model.model.scenario import load_scenario
    from equality_model.report import DEMO_SCENARIO

    return with_settings(load_scenario(DEMO_SCENARIO), replicates=replicates, seed=seed)


def demo_cmd(
    out: OutOpt = DEFAULT_OUT,
    replicates: Annotated[
        int, typer.Option("--replicates", "-n", help="Replicates (more: stabler intervals, longer run).")
    ] = DEFAULT_REPLICATES,
    seed: SeedOpt = None,
    workers: WorkersOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Run the Massachusetts comparison (current law vs the Equality Model bill) and write the report."""
    from equality_model.model.results import summary
    from equality_model.report.build import prepare_folder

    sc = demo_scenario(replicates, seed)
    prepare_folder(out)  # fail before the run, not after it
    ds = _simulate(sc, workers, quiet)
    files = _build(ds, out, quiet)
    con = _console()
    con.print(_headline_table(summary(ds), f"{sc.title}: current law against the bill", con))
    con.print(
        f"{sc.replicates} replicates, seed {sc.seed}, scenario hash {ds.attrs['scenario_hash']}. "
        "Intervals are the 5th–95th percentiles across replicates (chance only, not parameter uncertainty)."
    )
    _built(files, quiet)


def report_cmd(
    results: Annotated[
        Path,
        typer.Argument(
            metavar="RESULTS", show_default=False, help="Saved results (`equality-model run --out`)."
        ),
    ],
    out: OutOpt = DEFAULT_OUT,
    quiet: QuietOpt = False,
) -> None:
    """Build the report folder (HTML, PNG plots, NetCDF, CSV) from saved results."""
    from equality_model.report import load_results

    ds = load_results(results)
    files = _build(ds, out, quiet)
    _built(files, quiet)


def register(root: typer.Typer) -> None:
    """Add the demo and report commands to the root app."""
    root.command("demo")(demo_cmd)
    root.command("report")(report_cmd)
