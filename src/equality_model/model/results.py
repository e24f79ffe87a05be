"""Results as labelled arrays: an xarray Dataset with dimensions arm × replicate × week (× component).

``run(scenario)`` returns it; ``summary(results)`` gives headline outcomes at 1, 5 and 10 years
with intervals across replicates; ``save`` writes NetCDF atomically plus a CSV summary.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

import equality_model
from equality_model.model.engine import OUTPUTS, start_dates
from equality_model.model.scenario import Scenario

# headline outcome -> (variable, how to reduce the component dimension, aggregation over a year)
HEADLINES: dict[str, tuple[str, str | None, str]] = {
    "people_in_prostitution": ("people_in_prostitution", "sum", "last"),
    "trafficking_victims_in_trade": ("people_by_control", "trafficked", "last"),
    "new_trafficking_victims_per_year": ("new_trafficking_victims", None, "sum"),
    "active_buyers": ("active_buyers", None, "last"),
    "transactions_per_year": ("transactions", "sum", "sum"),
    "arrests_of_people_in_prostitution_per_year": ("arrests", "seller", "sum"),
    "arrests_of_buyers_per_year": ("arrests", "buyer", "sum"),
    "arrests_of_exploiters_per_year": ("arrests", "third_party", "sum"),
    "exits_through_services_per_year": ("exits", "services", "sum"),
    "exits_unassisted_per_year": ("exits", "unassisted", "sum"),
    "waiting_list": ("waiting_list", "sum", "last"),
    "violence_incidents_per_year_displacement": ("violence", "displacement", "sum"),
    "violence_incidents_per_year_exploitation": ("violence", "exploitation", "sum"),
    "records_held": ("records_held", None, "last"),
    "cost_usd_per_year": ("cost", "sum", "sum"),
    "fine_revenue_usd_per_year": ("fine_revenue", None, "sum"),
}


def run(
    scenario: Scenario | str | Path,
    *,
    replicates: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    on_replicate: Callable[[int], None] | None = None,
) -> xr.Dataset:
    """Run a scenario's replicates (both arms each) and return labelled results.

    ``scenario`` is a ``Scenario``, a built-in scenario's name or a scenario YAML file's path.
    ``progress`` is called with weeks done (single worker); ``on_replicate`` after each replicate."""
    from equality_model.experiments.executor import run_replicates

    if not isinstance(scenario, Scenario):
        from equality_model.model.scenario import load_scenario

        scenario = load_scenario(scenario)

    sc = with_settings(scenario, replicates=replicates, seed=seed)
    per_rep = run_replicates(sc, workers=workers, on_replicate=on_replicate, on_progress=progress)
    return to_dataset(sc, per_rep)


def with_settings(sc: Scenario, *, replicates: int | None = None, seed: int | None = None) -> Scenario:
    """The scenario with run settings overridden, validated like the file's own values."""
    upd = {k: v for k, v in (("replicates", replicates), ("seed", seed)) if v is not None}
    if not upd:
        return sc
    from pydantic import ValidationError

    from equality_model.errors import InputError

    try:
        return Scenario.model_validate({**sc.model_dump(), **upd})
    except ValidationError as exc:
        e = exc.errors()[0]
        raise InputError(f"{e['msg']} (got {e.get('input')!r})", field=".".join(map(str, e["loc"]))) from None


def to_dataset(sc: Scenario, per_rep: list[dict[str, dict[str, np.ndarray]]]) -> xr.Dataset:
    arms = ["baseline", "reform"]
    weeks = np.arange(sc.weeks)
    data = {}
    for name, (dim, _labels) in OUTPUTS.items():
        arr = np.stack([np.stack([rep[a][name] for rep in per_rep]) for a in arms])
        dims = ["arm", "replicate", "week"] + ([dim] if dim else [])
        data[name] = (dims, arr)
    coords: dict[str, object] = {
        "arm": arms,
        "replicate": np.arange(len(per_rep)),
        "week": weeks,
        "date": ("week", pd.to_datetime(start_dates(sc))),
    }
    for dim, labels in OUTPUTS.values():
        if dim:
            coords[dim] = list(labels)
    ds = xr.Dataset(data, coords=coords)
    ds.attrs.update(
        {
            "scenario": sc.name,
            "scenario_json": sc.model_dump_json(),
            "scenario_hash": sc.fingerprint(),
            "seed": sc.seed,
            "version": equality_model.__version__,
            "scale": sc.scale,
        }
    )
    return ds


def _headline_series(ds: xr.Dataset, var: str, comp: str | None) -> xr.DataArray:
    da = ds[var]
    extra = [d for d in da.dims if d not in ("arm", "replicate", "week")]
    if extra:
        d = extra[0]
        da = da.sum(d) if comp == "sum" else da.sel({d: comp})
    return da


def summary(ds: xr.Dataset, years: tuple[int, ...] = (1, 5, 10), level: float = 0.9) -> pd.DataFrame:
    """Headline outcomes at the given years: mean and interval for each arm and for the difference."""
    rows = []
    n_weeks = ds.sizes["week"]
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    for name, (var, comp, how) in HEADLINES.items():
        da = _headline_series(ds, var, comp)
        for y in years:
            end = y * 52
            if end > n_weeks:
                continue
            window = da.isel(week=slice(end - 52, end))
            val = window.isel(week=-1) if how == "last" else window.sum("week")
            b = val.sel(arm="baseline").values
            r = val.sel(arm="reform").values
            d = r - b
            rows.append(
                {
                    "outcome": name,
                    "year": y,
                    "baseline_mean": float(b.mean()),
                    "baseline_lo": float(np.quantile(b, lo_q)),
                    "baseline_hi": float(np.quantile(b, hi_q)),
                    "reform_mean": float(r.mean()),
                    "reform_lo": float(np.quantile(r, lo_q)),
                    "reform_hi": float(np.quantile(r, hi_q)),
                    "difference_mean": float(d.mean()),
                    "difference_lo": float(np.quantile(d, lo_q)),
                    "difference_hi": float(np.quantile(d, hi_q)),
                }
            )
    return pd.DataFrame(rows)


def save(ds: xr.Dataset, path: str | Path) -> Path:
    """Write NetCDF atomically (temp file + rename) and a CSV summary beside it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".nc.tmp")
    os.close(fd)
    try:
        ds.to_netcdf(tmp, engine="h5netcdf")
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; results are meant to be shared
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    csv = path.with_suffix(".summary.csv")
    fd, tmpc = tempfile.mkstemp(dir=path.parent, suffix=".csv.tmp")
    os.close(fd)
    summary(ds).to_csv(tmpc, index=False)
    os.chmod(tmpc, 0o644)
    os.replace(tmpc, csv)
    return path


def load(path: str | Path) -> xr.Dataset:
    return xr.load_dataset(path, engine="h5netcdf")
