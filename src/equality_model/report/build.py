"""Build the report folder from results: HTML (self-contained), PNG plots, NetCDF and CSV.

``build_report(ds, out)`` is the one entry point (``equality-model demo`` and ``equality-model report``
both call it). Nothing here runs the model: the report is a pure function of the results, so
rebuilding from a saved NetCDF gives the same report.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
import yaml

from equality_model.errors import InputError
from equality_model.model.params import registry_table
from equality_model.model.scenario import SERVICES, Scenario
from equality_model.report import narrative, plots
from equality_model.report.law import arm_labels, law_context
from equality_model.report.series import Figure, Panel, n_years, table, yearly

DEMO_SCENARIO = "massachusetts-equality-model"
HTML_NAME = "report.html"
RESULTS_NAME = "results.nc"
TIMESERIES_NAME = "timeseries.csv"
SCENARIO_NAME = "scenario.yaml"
PLOTS_DIR = "plots"
# (id, heading): every report has these sections, in this order
SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary"),
    ("law", "What the law changes"),
    ("scorecard", "Equality Model scorecard: before and after"),
    ("headline", "Headline outcomes"),
    ("timeseries", "Over time: baseline against reform"),
    ("exit-services", "Exit services: demand and cost"),
    ("hypotheses", "Competing hypotheses: violence"),
    ("parameters", "Assumptions and parameters"),
    ("caveats", "Caveats"),
    ("reproducibility", "Reproducibility"),
)
REQUIRED_VARS = ("people_in_prostitution", "arrests", "exits", "waiting_list", "violence", "cost")
REQUIRED_ATTRS = ("scenario_json", "scenario_hash", "seed", "version")


@dataclass
class ReportFiles:
    """Where everything went."""

    folder: Path
    html: Path
    netcdf: Path
    summary_csv: Path
    timeseries_csv: Path
    scenario: Path
    plots: list[Path] = field(default_factory=list)


# ------------------------------------------------------------------------------------------ inputs


def scenario_of(ds: xr.Dataset) -> Scenario:
    return Scenario.model_validate_json(ds.attrs["scenario_json"])


def parameter_hash(sc: Scenario) -> str:
    """sha256 of the sorted effective parameter values (defaults plus overrides)."""
    blob = json.dumps(sorted((k, float(v)) for k, v in sc.params().values.items())).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def load_results(path: str | Path) -> xr.Dataset:
    """Load saved results, or raise InputError saying why they are not usable."""
    p = Path(path)
    if not p.exists():
        raise InputError("no such file", file=p)
    if p.is_dir():
        raise InputError(
            "expected a results NetCDF file (from `equality-model run --out`), got a folder", file=p
        )
    from equality_model.model.results import load

    try:
        ds = load(p)
    except Exception as exc:  # h5netcdf/h5py raise many types for a file that is not NetCDF
        raise InputError(
            f"not a NetCDF results file ({exc.__class__.__name__}); expected the output of "
            "`equality-model run --out FILE.nc`",
            file=p,
        ) from None
    missing = [a for a in REQUIRED_ATTRS if a not in ds.attrs] + [v for v in REQUIRED_VARS if v not in ds]
    if missing or set(ds.dims) < {"arm", "replicate", "week"}:
        what = ", ".join(missing) or "dimensions arm, replicate, week"
        raise InputError(f"not an equality-model results file (missing {what})", file=p)
    try:
        scenario_of(ds)
    except Exception:
        raise InputError("the results' scenario record does not validate with this version", file=p) from None
    if ds.sizes["week"] < 52:
        raise InputError("the results cover less than one year; the report needs at least one", file=p)
    return ds


def report_years(ds: xr.Dataset) -> tuple[int, ...]:
    """1, 5 and 10 years where the run is that long, plus its last year."""
    ny = n_years(ds)
    ys = [y for y in (1, 5, 10) if y <= ny]
    if ny not in ys and ny < 10:
        ys.append(ny)
    return tuple(ys)


# ------------------------------------------------------------------------------------------ numbers


def _stats(b: np.ndarray, r: np.ndarray, level: float = 0.9) -> dict[str, float]:
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    d = r - b
    out = {}
    for name, v in (("baseline", b), ("reform", r), ("difference", d)):
        out[f"{name}_mean"] = float(v.mean())
        out[f"{name}_lo"] = float(np.quantile(v, lo_q))
        out[f"{name}_hi"] = float(np.quantile(v, hi_q))
    return out


def panel_stats(ds: xr.Dataset, panel: Panel, years: tuple[int, ...]) -> list[dict[str, float]]:
    """Mean and 90% interval for each arm and the difference, at the given years (like summary())."""
    y = yearly(ds, panel)
    return [
        {"year": yr, **_stats(y.sel(arm="baseline", year=yr).values, y.sel(arm="reform", year=yr).values)}
        for yr in years
    ]


def _cell(row: Any, money: bool, compact: bool = False) -> dict[str, str]:
    n, iv, sg = narrative.num, narrative.interval, narrative.signed
    d = narrative.direction(pd.Series(dict(row)))
    return {
        "b": n(row["baseline_mean"], money, compact),
        "b_ci": iv(row["baseline_lo"], row["baseline_hi"], money, compact),
        "r": n(row["reform_mean"], money, compact),
        "r_ci": iv(row["reform_lo"], row["reform_hi"], money, compact),
        "d": sg(row["difference_mean"], money, compact),
        "d_ci": f"{sg(row['difference_lo'], money, compact)} to {sg(row['difference_hi'], money, compact)}",
        "dir": d,
        "dir_words": narrative.DIRECTION_WORDS[d],
        "glyph": narrative.DIRECTION_GLYPHS[d],
    }


def _headline_rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    from equality_model.cli_model import _LABELS

    rows = []
    for outcome, g in df.groupby("outcome", sort=False):
        money = outcome in narrative.MONEY
        cells = [
            {"year": int(r["year"]), **_cell(r, money, compact=True)}
            for _, r in g.sort_values("year").iterrows()
        ]
        rows.append({"outcome": outcome, "label": _LABELS.get(str(outcome), str(outcome)), "cells": cells})
    return rows


# ------------------------------------------------------------------------------------------ sections


def _figure_numbers(ts: pd.DataFrame, fig: Figure) -> list[dict[str, Any]]:
    sub = ts[ts["figure"] == fig.key]
    by = {(r.series, r.arm, r.year): r for r in sub.itertuples(index=False)}
    out = []
    for p in fig.panels:
        money = p.unit == "usd"
        rows = []
        for yr in sorted({k[2] for k in by if k[0] == p.title}):
            cells = {}
            for arm in ("baseline", "reform"):
                r = by[(p.title, arm, yr)]
                cells[arm] = f"{narrative.num(r.median, money)} ({narrative.interval(r.p5, r.p95, money)})"
            rows.append({"year": int(yr), **cells})
        out.append({"title": p.title, "rows": rows})
    return out


def _exit_services(ds: xr.Dataset, sc: Scenario, years: tuple[int, ...]) -> dict[str, Any]:
    config = []
    for arm in ("baseline", "reform"):
        impl = sc.implementation(arm)
        for name in SERVICES:
            pool = impl.services.pool(name)
            config.append(
                {
                    "arm": arm,
                    "service": plots.SERVICE_WORDS.get(name, name),
                    "capacity": f"{pool.capacity:,.0f}",
                    "weeks": pool.weeks,
                    "cost": f"${pool.cost_per_week:,.0f}",
                    "success": f"{pool.success:.0%}",
                }
            )
    demand_panels = [
        ("Waiting for exit services (end of year)", Panel("w", "waiting_list", "sum", "stock"), False),
        ("Places in use (end of year)", Panel("u", "in_service", "sum", "stock"), False),
        ("Exits through services a year", Panel("e", "exits", "services", "flow"), False),
        ("Cost of exit services a year", Panel("c", "cost", "services", "flow", "usd"), True),
        ("Fines routed to services a year", Panel("f", "fines_to_services", None, "flow", "usd"), True),
    ]
    demand = []
    for label, p, money in demand_panels:
        if p.var not in ds:
            continue
        cells = [{"year": st["year"], **_cell(st, money, compact=True)} for st in panel_stats(ds, p, years)]
        demand.append({"label": label, "cells": cells})
    # cost per exit through services, per arm, in the last report year (ratio of means)
    last = years[-1]
    cost = panel_stats(ds, Panel("c", "cost", "services", "flow", "usd"), (last,))[0]
    exits = panel_stats(ds, Panel("e", "exits", "services", "flow"), (last,))[0]
    per_exit = {
        arm: (
            narrative.num(cost[f"{arm}_mean"] / exits[f"{arm}_mean"], True)
            if exits[f"{arm}_mean"] > 0
            else "—"
        )
        for arm in ("baseline", "reform")
    }
    return {
        "config": config,
        "priority": {
            a: sc.implementation(a).services.priority.replace("_", " ") for a in ("baseline", "reform")
        },
        "fines_share": {
            a: f"{sc.implementation(a).fines_to_services_share:.0%}" for a in ("baseline", "reform")
        },
        "demand": demand,
        "per_exit": per_exit,
        "per_exit_year": last,
    }


def _hypotheses(ds: xr.Dataset, sc: Scenario, years: tuple[int, ...]) -> dict[str, Any]:
    from equality_model.model.params import registry

    pv = sc.params().values
    reg = registry()

    def src(name: str) -> str:
        s = reg[name]
        return ("assumption" + (f"; {s.source}" if s.source else "")) if s.assumption else str(s.source)

    desc = {
        "exploitation": (
            "Violence comes mostly with exploitation: people controlled by a pimp or trafficker face "
            f"{pv['violence.exploitation_rate_ratio']:g} times the rate of independent people "
            f"(violence.exploitation_rate_ratio: {src('violence.exploitation_rate_ratio')}). "
            "Less exploitation means less violence."
        ),
        "displacement": (
            "Repressive policing pushes the trade out of sight and raises the risk: odds ratio "
            f"{pv['violence.policing_odds_ratio']:g} where a segment is fully exposed "
            f"(violence.policing_odds_ratio: {src('violence.policing_odds_ratio')}). Policing of buyers "
            f"counts with weight {pv['violence.buyer_policing_weight']:g} "
            f"(violence.buyer_policing_weight: {src('violence.buyer_policing_weight')})."
        ),
        "combined": "Both mechanisms at once: the two multipliers are applied together.",
    }
    rows = []
    for h in (str(x) for x in ds["hypothesis"].values):
        stats = panel_stats(ds, Panel(h, "violence", h, "flow", "count"), years)
        rows.append(
            {
                "key": h,
                "title": plots.HYPOTHESIS_WORDS.get(h, h),
                "description": desc.get(h, ""),
                "cells": [{**_cell(st, False), "year": st["year"]} for st in stats],
                "last": pd.Series(stats[-1]),
            }
        )
    sentence = narrative.violence_sentence([(r["key"], r["last"]) for r in rows])
    return {"rows": rows, "sentence": sentence, "note": sc.hypotheses_note}


def _parameters(sc: Scenario) -> dict[str, Any]:
    values = sc.params().values
    rows = []
    for r in registry_table():
        v = values[r["name"]]
        rows.append(
            {
                **r,
                "value": f"{v:g}",
                "default_text": f"{r['default']:g}",
                "range": f"{r['low']:g} – {r['high']:g}",
                "changed": v != r["default"],
                "group": r["name"].split(".", 1)[0],
            }
        )

    def settings(arm: str) -> list[str]:
        impl = sc.implementation(arm)
        e = impl.enforcement
        return [
            " / ".join(f"{x:g}" for x in e.buyer_arrests_per_1000_purchases.as_tuple()),
            " / ".join(f"{x:g}" for x in e.seller_arrests_per_person_year.as_tuple()),
            f"{e.third_party_arrests_per_exploiter_year:g}",
            f"{e.perceived_arrest_risk:g}",
            "yes" if e.demand_course else "no",
            f"${impl.education_usd_per_year:,.0f}",
        ]

    names = (
        "Buyer arrests per 1,000 purchases (street / indoor / online)",
        "Arrests per person in prostitution a year (street / indoor / online)",
        "Arrests per exploiter a year",
        "Perceived chance of arrest per purchase (where buying is an offence)",
        "Demand-reduction course for arrested buyers",
        "Community education a year",
    )
    b, r = settings("baseline"), settings("reform")
    impl = [
        {"name": n, "baseline": x, "reform": y, "changed": x != y}
        for n, x, y in zip(names, b, r, strict=True)
    ]
    per_100k = sc.params().values.get("seller.per_100k_population")
    if sc.population.sellers:
        sellers = f"{sc.population.sellers:,} (given in the scenario)"
    elif per_100k is not None:
        sellers = (
            f"about {sc.population.total * per_100k / 1e5:,.0f} at the start ({per_100k:g} per 100,000 "
            "residents, parameter seller.per_100k_population)"
        )
    else:
        sellers = "derived from the parameters"
    return {
        "rows": rows,
        "n": len(rows),
        "n_assumption": sum(r["assumption"] for r in rows),
        "n_changed": sum(r["changed"] for r in rows),
        "implementation": impl,
        "population": {
            "total": f"{sc.population.total:,}",
            "adult_men": f"{sc.population.adult_men:,}",
            "sellers": sellers,
            "source": sc.population.source,
        },
    }


def _caveats(
    sc: Scenario, n_rep: int, params: dict[str, Any], law: dict[str, Any], labels: dict[str, str]
) -> list[str]:
    out = [
        f"The intervals show chance only. They come from {n_rep} replicates that differ only in their random "
        "draws, under one set of parameters; they do not include uncertainty about the parameters "
        "themselves, which is usually larger. A sensitivity analysis (varying parameters over their "
        "ranges) is needed for that.",
        f"{params['n_assumption']} of {params['n']} parameters are labelled assumptions (set by judgement, "
        "sometimes guided by a source, and to be varied); the rest come from the evidence review. This run "
        f"does not calibrate them to {law.get('jurisdiction') or sc.jurisdiction} data.",
        "The evidence on violence is contested, so the model carries competing hypotheses and reports them "
        "side by side instead of choosing one.",
    ]
    if sc.reform_implementation is not None:
        out.append(
            f"Implementation is assumed, not law: enforcement levels, exit-service places and community "
            f"education under {labels['reform'].lower()} are choices of the scenario, to be varied. "
            "The law decides who may be arrested at all; how much enforcement happens is an input."
        )
    if law.get("available") and law["unverified_after"]:
        out.append(
            f"{law['unverified_after']} fact(s) about {law['b']} are marked unverified in the law catalogue "
            "(listed under “What the law changes”)."
        )
    if sc.scale > 1:
        out.append(
            f"Each simulated agent stands for {sc.scale:g} people, so small counts move in steps of "
            f"{sc.scale:g} and are noisy."
        )
    if n_rep < 20:
        out.append(f"Only {n_rep} replicates: the 5th and 95th percentiles are rough with so few runs.")
    out.append(f"Population: {sc.population.source}")
    if sc.hypotheses_note:
        out.append(sc.hypotheses_note)
    return out


def _commands(sc: Scenario, ds: xr.Dataset) -> list[str]:
    from equality_model.model.results import with_settings
    from equality_model.model.scenario import load_scenario

    n = int(ds.sizes["replicate"])
    builtin = None
    try:
        b = with_settings(load_scenario(sc.name), replicates=n, seed=sc.seed)
        if b.fingerprint() == ds.attrs["scenario_hash"]:
            builtin = sc.name
    except InputError:
        pass
    if builtin == DEMO_SCENARIO:
        return [f"equality-model demo --replicates {n} --seed {sc.seed}"]
    src = builtin or SCENARIO_NAME
    return [
        f"equality-model run {src} --replicates {n} --seed {sc.seed} --out {RESULTS_NAME}",
        f"equality-model report {RESULTS_NAME}",
    ]


def _repro(sc: Scenario, ds: xr.Dataset) -> dict[str, Any]:
    return {
        "version": str(ds.attrs["version"]),
        "seed": int(ds.attrs["seed"]),
        "replicates": int(ds.sizes["replicate"]),
        "scenario": sc.name,
        "scenario_hash": str(ds.attrs["scenario_hash"]),
        "parameter_hash": parameter_hash(sc),
        "scale": f"{sc.scale:g}",
        "start": sc.start.isoformat(),
        "years": sc.years,
        "burn_in": sc.burn_in_years,
        "commands": _commands(sc, ds),
    }


# ------------------------------------------------------------------------------------------ context


def context(ds: xr.Dataset, png: list[tuple[Figure, bytes]] | None = None) -> dict[str, Any]:
    """Everything the template shows (plots included as data: URIs when ``png`` is given)."""
    from equality_model.model.results import summary

    sc = scenario_of(ds)
    labels = arm_labels(sc)
    years = report_years(ds)
    df = summary(ds, years)
    last = years[-1]
    law = law_context(sc)
    n_rep = int(ds.sizes["replicate"])
    specs = [f for f, _ in png] if png is not None else plots.figures(ds)
    ts = table(ds, specs)
    figs = []
    for i, f in enumerate(specs):
        data = png[i][1] if png is not None else b""
        figs.append(
            {
                "key": f.key,
                "title": f.title,
                "note": f.note,
                "section": f.section,
                "file": f"{PLOTS_DIR}/{i + 1:02d}-{f.key}.png",
                "uri": "data:image/png;base64," + base64.b64encode(data).decode("ascii"),
                "alt": f"{f.title}: median and 5th–95th percentile band across {n_rep} replicates, "
                f"{labels['baseline'].lower()} against {labels['reform'].lower()}",
                "numbers": _figure_numbers(ts, f),
            }
        )
    bullets = []
    for o in narrative.KEY_OUTCOMES:
        g = df[(df.outcome == o) & (df.year == last)]
        if len(g):
            bullets.append(narrative.outcome_sentence(g.iloc[0], law, sc, labels))
    hyp = _hypotheses(ds, sc, years)
    params = _parameters(sc)
    jname = law.get("jurisdiction") or sc.jurisdiction
    reform_name = (law.get("reform") or {}).get("title") if law.get("available") else None
    intro = (
        f"This report compares {labels['baseline'].lower()} in {jname} ({sc.baseline}) with "
        f"{labels['reform'].lower()}"
        + (f", {reform_name}" if reform_name else "")
        + (f" ({sc.reform})" if sc.reform else "")
        + f", over {sc.years} years from {sc.start:%-d %B %Y}. The simulation ran {n_rep} times "
        "(replicates) with different random draws; each number is the mean across replicates, and ranges "
        "are 90% intervals (5th to 95th percentile)."
    )
    return {
        "title": sc.title,
        "scenario": sc,
        "labels": labels,
        "years": years,
        "last_year": last,
        "sections": SECTIONS,
        "headings": dict(SECTIONS),
        "intro": intro,
        "law_sentences": narrative.law_sentences(law, labels),
        "bullets": bullets,
        "violence_sentence": hyp["sentence"],
        "law": law,
        "headline": _headline_rows(df),
        "figures": figs,
        "exit": _exit_services(ds, sc, years),
        "hypotheses": hyp,
        "params": params,
        "caveats": _caveats(sc, n_rep, params, law, labels),
        "repro": _repro(sc, ds),
        "n_rep": n_rep,
        "timeseries": ts,
        "summary_df": df,
    }


def render_html(ctx: dict[str, Any]) -> str:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("equality_model.report", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("report.html").render(**ctx)


# ------------------------------------------------------------------------------------------ files


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, with ordinary permissions (mkstemp makes files 0600)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, _umask_mode())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def prepare_folder(out: str | Path) -> Path:
    """Create the output folder (or check it), raising InputError if it cannot be used."""
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise InputError(
            "expected a folder for the report, but a file has that name", file=folder, field="--out"
        )
    try:
        (folder / PLOTS_DIR).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"cannot create the report folder ({exc.strerror})", file=folder, field="--out"
        ) from None
    if not os.access(folder, os.W_OK):
        raise InputError("the report folder is not writable", file=folder, field="--out")
    return folder


def build_report(ds: xr.Dataset, out: str | Path) -> ReportFiles:
    """Write the report folder: report.html, plots/*.png, results.nc (+ .summary.csv), timeseries.csv,
    scenario.yaml. Returns the paths."""
    from equality_model.model.results import save

    folder = prepare_folder(out)
    sc = scenario_of(ds)
    labels = arm_labels(sc)
    png = plots.render_all(ds, plots.figures(ds), labels)
    ctx = context(ds, png)
    files = ReportFiles(
        folder=folder,
        html=folder / HTML_NAME,
        netcdf=folder / RESULTS_NAME,
        summary_csv=(folder / RESULTS_NAME).with_suffix(".summary.csv"),
        timeseries_csv=folder / TIMESERIES_NAME,
        scenario=folder / SCENARIO_NAME,
    )
    for fig, (_spec, data) in zip(ctx["figures"], png, strict=True):
        p = folder / fig["file"]
        _write_atomic(p, data)
        files.plots.append(p)
    save(ds, files.netcdf)
    for p in (files.netcdf, files.summary_csv):  # save() leaves mkstemp's 0600
        os.chmod(p, _umask_mode())
    _write_atomic(files.timeseries_csv, ctx["timeseries"].to_csv(index=False).encode())
    doc = sc.model_dump(mode="json")
    header = f"# Scenario of the results in {RESULTS_NAME} (hash {ds.attrs['scenario_hash']}).\n"
    _write_atomic(
        files.scenario, (header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)).encode()
    )
    _write_atomic(files.html, render_html(ctx).encode("utf-8"))
    return files
