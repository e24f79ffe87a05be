"""Yearly series for the report's plots and tables: sums per year for flows, end of year for stocks.

A year is a 52-week window, as in :func:`equality_model.model.results.summary`, so a plotted value for
year ``y`` equals the headline table's value for that year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

WEEKS_PER_YEAR = 52
QUANTILES = (0.05, 0.5, 0.95)


@dataclass(frozen=True)
class Panel:
    """One small multiple: a variable, reduced over its component dimension, aggregated per year."""

    title: str
    var: str
    comp: str | None = None  # None: no component; "sum": sum over it; else one label
    kind: str = "flow"  # "flow" (sum per year) or "stock" (end of year)
    unit: str = "people"  # people | count | usd


@dataclass(frozen=True)
class Figure:
    """A figure of one or more panels, saved as one PNG."""

    key: str
    title: str
    panels: tuple[Panel, ...]
    note: str = ""
    section: str = "timeseries"
    ncols: int = field(default=0)  # 0: choose from the number of panels


def n_years(ds: xr.Dataset) -> int:
    return int(ds.sizes["week"]) // WEEKS_PER_YEAR


def component(ds: xr.Dataset, var: str, comp: str | None) -> xr.DataArray:
    """The variable reduced over its component dimension (if any): dims arm × replicate × week."""
    da = ds[var]
    extra = [d for d in da.dims if d not in ("arm", "replicate", "week")]
    if extra:
        d = extra[0]
        da = da.sum(d) if comp in (None, "sum") else da.sel({d: comp})
    return da


def yearly(ds: xr.Dataset, panel: Panel) -> xr.DataArray:
    """arm × replicate × year (years 1..N): the sum over each year (flows) or its last week (stocks)."""
    da = component(ds, panel.var, panel.comp)
    ny = n_years(ds)
    da = da.isel(week=slice(0, ny * WEEKS_PER_YEAR))
    grouped = da.coarsen(week=WEEKS_PER_YEAR)
    out = grouped.construct(week=("year", "wk"))
    out = out.isel(wk=-1) if panel.kind == "stock" else out.sum("wk")
    return out.assign_coords(year=np.arange(1, ny + 1)).drop_vars("date", errors="ignore")


def quantiles(values: xr.DataArray) -> xr.DataArray:
    """5th, 50th and 95th percentiles across replicates: dims quantile × arm × year."""
    return values.quantile(list(QUANTILES), dim="replicate")


def start_date(ds: xr.Dataset) -> dt.date:
    return pd.Timestamp(ds["date"].values[0]).date()


def decimal_year(d: dt.date) -> float:
    start = dt.date(d.year, 1, 1)
    days = (dt.date(d.year + 1, 1, 1) - start).days
    return d.year + (d - start).days / days


def x_positions(ds: xr.Dataset, kind: str) -> np.ndarray:
    """Where each year's value sits on a calendar axis: end of the year (stocks) or its middle (flows)."""
    x0 = decimal_year(start_date(ds))
    years = np.arange(1, n_years(ds) + 1, dtype=float)
    return x0 + (years if kind == "stock" else years - 0.5)


def table(ds: xr.Dataset, figures: list[Figure]) -> pd.DataFrame:
    """Every plotted series as rows: figure, panel, arm, year, p5, median, p95, mean."""
    rows = []
    for fig in figures:
        for p in fig.panels:
            y = yearly(ds, p)
            q = quantiles(y).transpose("quantile", "arm", "year").values
            mean = y.mean("replicate").transpose("arm", "year").values
            for ai, arm in enumerate(y["arm"].values):
                for yi, yr in enumerate(y["year"].values):
                    rows.append(
                        {
                            "figure": fig.key,
                            "series": p.title,
                            "variable": p.var,
                            "component": p.comp or "",
                            "aggregation": "end of year" if p.kind == "stock" else "sum over year",
                            "unit": p.unit,
                            "arm": str(arm),
                            "year": int(yr),
                            "p5": float(q[0, ai, yi]),
                            "median": float(q[1, ai, yi]),
                            "p95": float(q[2, ai, yi]),
                            "mean": float(mean[ai, yi]),
                        }
                    )
    return pd.DataFrame(rows)
