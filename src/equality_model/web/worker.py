"""The worker process: runs simulations away from the server's event loop and GIL.

Each worker is a ``spawn``-ed process that imports the model once, warms numba's caches with a
tiny run, then serves jobs sent over a pipe, one at a time. It reports progress (simulated weeks)
and, at the end, the chart series and summary; it writes the NetCDF and CSV downloads itself.

Cancelling is cooperative first: the parent sets a shared flag, the progress callback sees it at
the next simulated year and stops the run (the worker then stays alive for the next job). A worker
that does not stop within the grace period is terminated by the parent.
"""

from __future__ import annotations

import contextlib
import os
import time
import traceback
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

# headline outcome -> (chart label, unit)
LABELS: dict[str, tuple[str, str]] = {
    "people_in_prostitution": ("People in prostitution", "persons"),
    "trafficking_victims_in_trade": ("Trafficking victims in the trade", "persons"),
    "new_trafficking_victims_per_year": ("New trafficking victims", "per year"),
    "active_buyers": ("Active buyers (past year)", "persons"),
    "transactions_per_year": ("Transactions", "per year"),
    "arrests_of_people_in_prostitution_per_year": ("Arrests of people in prostitution", "per year"),
    "arrests_of_buyers_per_year": ("Arrests of buyers", "per year"),
    "arrests_of_exploiters_per_year": ("Arrests of exploiters", "per year"),
    "exits_through_services_per_year": ("Exits through services", "per year"),
    "exits_unassisted_per_year": ("Exits without services", "per year"),
    "waiting_list": ("Waiting for exit services", "persons"),
    "violence_incidents_per_year_displacement": ("Violence (displacement hypothesis)", "per year"),
    "violence_incidents_per_year_exploitation": ("Violence (exploitation hypothesis)", "per year"),
    "records_held": ("Selling records held", "persons"),
    "cost_usd_per_year": ("Cost", "USD per year"),
    "fine_revenue_usd_per_year": ("Fine revenue", "USD per year"),
}
PERIOD_WEEKS = 13  # chart resolution: quarters; flows are shown as yearly rates
LEVEL = 0.9  # bands: 5th to 95th percentile across replicates


class Cancelled(Exception):
    """The parent asked this run to stop."""


def series(ds: Any) -> dict[str, Any]:
    """Headline outcomes by quarter for each arm: mean and the 5th–95th percentile band.

    Stocks are the value at the end of each quarter; flows are the quarter's total × 4 (a yearly rate)."""
    import numpy as np

    from equality_model.model.results import HEADLINES, _headline_series

    n_weeks = ds.sizes["week"]
    n = n_weeks // PERIOD_WEEKS
    ends = [(k + 1) * PERIOD_WEEKS - 1 for k in range(n)]
    dates = [str(np.datetime_as_string(ds["date"].values[e], unit="D")) for e in ends]
    lo_q, hi_q = (1 - LEVEL) / 2, 1 - (1 - LEVEL) / 2
    out: dict[str, Any] = {}
    for name, (var, comp, how) in HEADLINES.items():
        da = _headline_series(ds, var, comp)
        arr = da.transpose("arm", "replicate", "week").values  # arm × replicate × week
        if how == "last":
            vals = arr[:, :, ends]
        else:
            vals = arr[:, :, : n * PERIOD_WEEKS].reshape(arr.shape[0], arr.shape[1], n, PERIOD_WEEKS)
            vals = vals.sum(axis=3) * (52 / PERIOD_WEEKS)
        label, unit = LABELS.get(name, (name.replace("_", " "), ""))
        entry: dict[str, Any] = {"label": label, "unit": unit, "kind": "stock" if how == "last" else "flow"}
        for i, arm in enumerate(ds["arm"].values.tolist()):
            v = vals[i]
            entry[arm] = {
                "mean": [float(x) for x in v.mean(axis=0)],
                "lo": [float(x) for x in np.quantile(v, lo_q, axis=0)],
                "hi": [float(x) for x in np.quantile(v, hi_q, axis=0)],
            }
        out[name] = entry
    return {"period_weeks": PERIOD_WEEKS, "level": LEVEL, "dates": dates, "outcomes": out}


def run_job(job: dict[str, Any], conn: Connection, cancel: Any) -> dict[str, Any]:
    """Run one job: simulate, write the downloads, return the chart series and summary."""
    from equality_model.model.results import run, save, summary
    from equality_model.model.scenario import Scenario

    sc = Scenario.model_validate_json(job["scenario"])
    out = Path(job["out_dir"])
    out.mkdir(parents=True, exist_ok=True)

    def progress(weeks: int) -> None:
        if cancel.value:
            raise Cancelled
        conn.send(("progress", weeks))

    conn.send(("phase", "running"))
    t0 = time.perf_counter()
    ds = run(sc, workers=1, progress=progress)
    if cancel.value:
        raise Cancelled
    conn.send(("phase", "saving"))
    save(ds, out / "results.nc")
    table = summary(ds, years=tuple(range(1, sc.years + 1)), level=LEVEL)
    table.to_csv(out / "summary.csv", index=False)
    return {
        "scenario_hash": str(ds.attrs["scenario_hash"]),
        "seconds": round(time.perf_counter() - t0, 3),
        "summary": table.to_dict(orient="records"),
        "series": series(ds),
    }


def _warm() -> None:
    """Load the model and numba's compiled code with a tiny run, so the first job is not slow."""
    from equality_model.model.engine import Simulation
    from equality_model.model.scenario import Scenario, builtin_names, load_scenario

    names = builtin_names()
    if not names:
        return
    name = "massachusetts-equality-model" if "massachusetts-equality-model" in names else names[0]
    sc = load_scenario(name)
    tiny = Scenario.model_validate({**sc.model_dump(), "years": 1, "replicates": 1, "scale": 10_000.0})
    Simulation(tiny, 0).run()


def worker_main(conn: Connection, cancel: Any, threads: int, warm: bool = True) -> None:
    """Entry point of a worker process (runs until the pipe closes or it receives None)."""
    try:
        import numba

        numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
        if warm:
            # a broken built-in scenario must not stop the server from running jobs
            with contextlib.suppress(Exception):
                _warm()
        conn.send(("ready", os.getpid()))
    except Exception as exc:  # pragma: no cover - import failures
        conn.send(("failed_start", f"{exc.__class__.__name__}: {exc}"))
        return
    from equality_model.errors import InputError

    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            conn.send(("done", run_job(job, conn, cancel)))
        except Cancelled:
            _cleanup(job)
            conn.send(("cancelled", None))
        except InputError as exc:
            _cleanup(job)
            conn.send(("failed", str(exc)))
        except Exception as exc:
            _cleanup(job)
            text = " ".join(str(exc).split())
            if os.environ.get("EQUALITY_MODEL_DEBUG"):
                text += "\n" + traceback.format_exc()
            conn.send(("failed", f"internal error ({exc.__class__.__name__}: {text})"))


def _cleanup(job: dict[str, Any]) -> None:
    out = Path(job["out_dir"])
    for p in out.glob("*"):
        with contextlib.suppress(OSError):
            p.unlink()
