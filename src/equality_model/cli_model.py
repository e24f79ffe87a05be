"""Simulation commands: ``scenarios list``, ``params list``, ``run`` and ``compare``.

JSON output is a promise to scripts (extend, never rename):

- ``scenarios list --format json``: ``[{"name", "title", "jurisdiction", "baseline", "reform", "start",
  "years", "scale", "replicates"}]``
- ``params list --format json``: ``[{"name", "default", "low", "high", "unit", "description", "source",
  "assumption"}]``
- ``run``/``compare --format json``: ``{"scenario", "scenario_hash", "seed", "replicates", "version",
  "outcomes": [{"outcome", "year", "baseline_mean", "baseline_lo", "baseline_hi", "reform_mean", ...,
  "difference_mean", "difference_lo", "difference_hi"}], "out"}``
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console, Group, RenderableType
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from equality_model.errors import InputError


class Format(StrEnum):
    table = "table"
    json = "json"


FormatOpt = Annotated[Format, typer.Option("--format", help="Output format: table or json.")]
ScenarioArg = Annotated[
    str, typer.Argument(help="A built-in scenario name (see `scenarios list`) or a YAML file.")
]
RepOpt = Annotated[
    int | None, typer.Option("--replicates", "-n", help="Replicates (default: the scenario's).")
]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Base seed (default: the scenario's).")]


def _workers_option(value: int | None) -> int | None:
    """``--workers`` is checked as it is parsed (the executor's own check), so a bad count is
    reported before any command starts work: a progress bar, a report folder."""
    from equality_model.experiments.executor import check_workers

    check_workers(value)
    return value


WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        callback=_workers_option,
        help="Worker processes (default: one per core, at most one per replicate).",
    ),
]

scenarios_app = typer.Typer(help="Built-in scenarios.", no_args_is_help=True)
params_app = typer.Typer(help="The parameter registry.", no_args_is_help=True)


def _out() -> Console:
    return Console(highlight=False, soft_wrap=False)


def _err() -> Console:
    return Console(stderr=True, highlight=False)


@scenarios_app.command("list")
def scenarios_list(format: FormatOpt = Format.table) -> None:
    """List the built-in scenarios."""
    from equality_model.model.scenario import builtin_names, load_scenario

    rows = [load_scenario(name).row() for name in builtin_names()]
    if format == Format.json:
        typer.echo(json.dumps(rows, indent=2))
        return
    t = Table(title="Built-in scenarios")
    # the name is what users type next: printed whole on one line; the rest fold rather than end in "…"
    t.add_column("name", no_wrap=True, min_width=max(len(str(r["name"])) for r in rows))
    t.add_column("jurisdiction", overflow="fold")
    t.add_column("baseline", overflow="fold")
    t.add_column("reform", overflow="fold")
    for col in ("start", "years", "scale"):
        t.add_column(col, no_wrap=True)
    for r in rows:
        t.add_row(
            *(str(r[c]) for c in ("name", "jurisdiction", "baseline", "reform", "start", "years", "scale"))
        )
    _out().print(t)


@params_app.command("list")
def params_list(format: FormatOpt = Format.table) -> None:
    """List every model parameter with its default, range, unit and source (or 'assumption')."""
    from equality_model.model.params import registry_table

    rows = registry_table()
    if format == Format.json:
        typer.echo(json.dumps(rows, indent=2))
        return
    t = Table(title=f"Model parameters ({len(rows)})", show_lines=False)
    for col in ("name", "default", "range", "unit", "provenance"):
        t.add_column(col, overflow="fold")
    for r in rows:
        prov = (
            ("assumption" + ("; " + r["source"] if r["source"] else "")) if r["assumption"] else r["source"]
        )
        t.add_row(r["name"], f"{r['default']:g}", f"{r['low']:g}–{r['high']:g}", r["unit"], prov)
    _out().print(t)


def _parse_overrides(values: list[str] | None) -> dict[str, float]:
    out: dict[str, float] = {}
    for v in values or []:
        if "=" not in v:
            raise InputError(f"expected NAME=VALUE, got {v!r}", field="--param")
        k, x = v.split("=", 1)
        try:
            out[k.strip()] = float(x)
        except ValueError:
            raise InputError(f"expected a number for {k.strip()!r}, got {x!r}", field="--param") from None
    return out


def _output_file(path: Path, field: str, example: str = "results.nc") -> Path:
    """Check that results can be written to ``path`` before a long run, not after it (a run whose
    results cannot be saved is lost): not a folder, and its folder exists (it is made) and takes a
    new file."""
    import tempfile

    if path.is_dir():
        raise InputError(f"{path} is a folder; expected a file path such as {example}", field=field)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".write-check-"):
            pass
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}", field=field) from None
    return path


def _prepare(
    scenario: str,
    replicates: int | None,
    seed: int | None,
    params: list[str] | None,
    params_file: Path | None,
) -> Any:
    from equality_model.model.params import check_override, load_param_file
    from equality_model.model.results import with_settings
    from equality_model.model.scenario import Scenario, load_scenario

    sc = load_scenario(scenario)
    overrides = dict(sc.parameters)
    if params_file is not None:
        overrides.update(load_param_file(params_file))
    for k, v in _parse_overrides(params).items():
        overrides[k] = check_override(k, v, field_prefix="--param")
    if overrides != sc.parameters:
        sc = Scenario.model_validate({**sc.model_dump(), "parameters": overrides})
    return with_settings(sc, replicates=replicates, seed=seed)


def _simulate(sc: Any, workers: int | None, quiet: bool) -> Any:
    from equality_model.model.results import run

    total = sc.replicates
    if quiet:
        return run(sc, workers=workers)
    cols = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*cols, console=_err(), transient=False) as prog:
        task = prog.add_task(f"{sc.name}: replicates", total=total)
        return run(sc, workers=workers, on_replicate=lambda _r: prog.advance(task))


ParamOpt = Annotated[
    list[str] | None, typer.Option("--param", "-p", help="Override a parameter: NAME=VALUE (repeatable).")
]
ParamsFileOpt = Annotated[Path | None, typer.Option("--params", help="A parameter-set YAML file.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]

_LABELS = {
    "people_in_prostitution": "People in prostitution",
    "trafficking_victims_in_trade": "Trafficking victims in the trade",
    "new_trafficking_victims_per_year": "New trafficking victims / year",
    "active_buyers": "Active buyers (past year)",
    "transactions_per_year": "Transactions / year",
    "arrests_of_people_in_prostitution_per_year": "Arrests of people in prostitution / year",
    "arrests_of_buyers_per_year": "Arrests of buyers / year",
    "arrests_of_exploiters_per_year": "Arrests of exploiters / year",
    "exits_through_services_per_year": "Exits through services / year",
    "exits_unassisted_per_year": "Exits without services / year",
    "waiting_list": "Waiting for exit services",
    "violence_incidents_per_year_displacement": "Violence / year (displacement hypothesis)",
    "violence_incidents_per_year_exploitation": "Violence / year (exploitation hypothesis)",
    "records_held": "Selling records held",
    "cost_usd_per_year": "Cost, USD / year",
    "fine_revenue_usd_per_year": "Fine revenue, USD / year",
}


def _fmt(x: float) -> str:
    if x == 0:
        return "0"  # none at all (no arrests where selling is lawful), not a rounded small number
    return f"{x:,.0f}" if abs(x) >= 10 else f"{x:,.2f}"


def _difference(r: Any, sep: str = " ") -> str:
    return f"{_fmt(r.difference_mean)}{sep}({_fmt(r.difference_lo)} to {_fmt(r.difference_hi)})"


def _headline_table(df: Any, title: str, con: Console | None = None) -> RenderableType:
    """The headline outcomes, current law against the reform, at each year of ``df``.

    One wide table (years side by side) when it fits the console; otherwise one table per year,
    which fits 80 columns. Cells fold rather than end in "…": a figure is never cut."""
    years = sorted(df["year"].unique())
    groups = list(df.groupby("outcome", sort=False))
    wide = Table(title=title, show_lines=False)
    wide.add_column("Outcome", overflow="fold")
    for y in years:
        wide.add_column(f"Year {y}: current law", justify="right", overflow="fold")
        wide.add_column(f"Year {y}: reform", justify="right", overflow="fold")
        wide.add_column(f"Year {y}: difference (90% interval)", justify="right", overflow="fold")
    for outcome, g in groups:
        cells = [_LABELS.get(outcome, outcome)]
        for y in years:
            r = g[g["year"] == y].iloc[0]
            cells += [_fmt(r.baseline_mean), _fmt(r.reform_mean), _difference(r)]
        wide.add_row(*cells)
    if con is None or con.measure(wide, options=con.options.update_width(10**6)).maximum <= con.width:
        return wide  # its natural width, unconstrained, fits
    tables = []
    for y in years:
        t = Table(title=f"{title}, year {y}", title_justify="left", show_lines=True)
        t.add_column("Outcome", overflow="fold", ratio=3)
        t.add_column("Current law", justify="right", overflow="fold", ratio=2)
        t.add_column("Reform", justify="right", overflow="fold", ratio=2)
        t.add_column("Difference (90% interval)", justify="right", overflow="fold", ratio=3)
        for outcome, g in groups:
            r = g[g["year"] == y].iloc[0]
            label = _LABELS.get(outcome, outcome)
            t.add_row(label, _fmt(r.baseline_mean), _fmt(r.reform_mean), _difference(r, "\n"))
        tables.append(t)
    return Group(*tables)


def _report(ds: Any, sc: Any, out: Path | None, format: Format, title: str) -> None:
    from equality_model.model.results import save, summary

    df = summary(ds)
    if out is not None:
        save(ds, out)
    if format == Format.json:
        typer.echo(
            json.dumps(
                {
                    "scenario": sc.name,
                    "scenario_hash": ds.attrs["scenario_hash"],
                    "seed": sc.seed,
                    "replicates": sc.replicates,
                    "version": ds.attrs["version"],
                    "outcomes": df.to_dict(orient="records"),
                    "out": str(out) if out else None,
                },
                indent=2,
            )
        )
        return
    con = _out()
    con.print(_headline_table(df, title, con))
    con.print(
        f"{sc.replicates} replicates, seed {sc.seed}, scenario hash {ds.attrs['scenario_hash']}. "
        "Intervals are the 5th–95th percentiles across replicates (model uncertainty from randomness only; "
        "parameter uncertainty needs a sensitivity run)."
    )
    if out is not None:
        con.print(f"Results: {out} (NetCDF) and {Path(out).with_suffix('.summary.csv')} (CSV summary)")


def run_cmd(
    scenario: ScenarioArg,
    replicates: RepOpt = None,
    seed: SeedOpt = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write results to this NetCDF file (+ CSV).")
    ] = None,
    workers: WorkersOpt = None,
    param: ParamOpt = None,
    params: ParamsFileOpt = None,
    quiet: QuietOpt = False,
    format: FormatOpt = Format.table,
) -> None:
    """Run a scenario (both arms, all replicates) and save the results."""
    sc = _prepare(scenario, replicates, seed, param, params)
    out = _output_file(out or Path(f"{sc.name}.nc"), "--out")
    ds = _simulate(sc, workers, quiet or format == Format.json)
    _report(ds, sc, out, format, f"{sc.title}")


def compare_cmd(
    scenario: ScenarioArg,
    replicates: RepOpt = None,
    seed: SeedOpt = None,
    out: Annotated[Path | None, typer.Option("--out", help="Also save results (NetCDF + CSV).")] = None,
    workers: WorkersOpt = None,
    param: ParamOpt = None,
    params: ParamsFileOpt = None,
    quiet: QuietOpt = False,
    format: FormatOpt = Format.table,
) -> None:
    """Headline outcomes at 1, 5 and 10 years: current law against the reform, with intervals."""
    sc = _prepare(scenario, replicates, seed, param, params)
    if out is not None:
        out = _output_file(out, "--out")
    ds = _simulate(sc, workers, quiet or format == Format.json)
    _report(ds, sc, out, format, f"{sc.title}: baseline against reform")


def bench_cmd(
    replicates: Annotated[
        int, typer.Option("--replicates", help="Replicates for the Massachusetts run.")
    ] = 100,
    quick: Annotated[
        bool, typer.Option("--quick", help="Small sizes (a smoke run, not for BENCHMARKS.md).")
    ] = False,
    json_out: Annotated[Path, typer.Option("--json", help="Where to save the figures.")] = Path(
        "benchmarks/results.json"
    ),
) -> None:
    """Measure speed and memory (agent-steps/s, bytes per agent, 100 replicates, Mesa ratio, bandwidth)."""
    from equality_model.bench import run_all

    err = _err()
    _output_file(json_out, "--json", "results.json")
    res = run_all(replicates=replicates, quick=quick, log=lambda m: err.print(f"[dim]{m}[/dim]"))
    json_out.write_text(json.dumps(res, indent=2, default=float))
    t = Table(title="equality-model benchmarks (one run, one machine)")
    t.add_column("measure")
    t.add_column("value", justify="right")
    ma, nat = res["massachusetts"], res["national"]
    t.add_row("full model, Massachusetts scale: agents", f"{ma['agents']:,}")
    t.add_row("full model, Massachusetts scale: agent-steps/s", f"{ma['agent_steps_per_s']:.3g}")
    t.add_row("full model, national: agents", f"{nat['agents']:,}")
    t.add_row("full model, national: agent-steps/s", f"{nat['agent_steps_per_s']:.3g}")
    t.add_row(
        "state bytes per agent (arrays, buyer / person)",
        f"{nat['bytes_per_agent_arrays']['buyer']} / {nat['bytes_per_agent_arrays']['person']}",
    )
    t.add_row("state bytes per agent (all allocated state / agents)", f"{nat['state_bytes_per_agent']:.1f}")
    if "memory_national" in res:
        mem = res["memory_national"]
        t.add_row(
            f"peak memory, 10 years, {mem['buyers']:,} buyers", f"{mem['peak_rss_bytes'] / 2**30:.2f} GiB"
        )
    bd = res["massachusetts_breakdown"]
    t.add_row(
        "one Massachusetts replicate, one thread: buyer kernel / people pass / buyer draws / rest",
        f"{bd['buyer_kernel_s']:.2f} / {bd['people_pass_s']:.2f} / {bd['buyer_draws_s']:.2f} / "
        f"{bd['rest_s']:.2f} s",
    )
    t.add_row("buyer kernel per arm-candidate purchase", f"{bd['buyer_kernel_ns_per_arm_candidate']:.0f} ns")
    mr = res["massachusetts_replicates"]
    t.add_row(f"Massachusetts × {mr['years']} years × {mr['replicates']} replicates", f"{mr['wall_s']:.1f} s")
    ref = res.get("reference", {})
    if "skipped" not in ref:
        for k, v in ref.get("summary", {}).items():
            t.add_row(f"reference: {k}", str(v))
    else:
        t.add_row("reference vs Mesa", ref["skipped"])
    bw = res.get("bandwidth", {})
    if "fraction" in bw:
        t.add_row("buyer kernel bandwidth / machine bandwidth", f"{bw['fraction']:.1%}")
    _out().print(t)
    _out().print(f"Saved {json_out}")


def register(root: typer.Typer) -> None:
    """Add the simulation commands to the root app."""
    root.add_typer(scenarios_app, name="scenarios")
    root.add_typer(params_app, name="params")
    root.command("run")(run_cmd)
    root.command("compare")(compare_cmd)
    root.command("bench")(bench_cmd)
