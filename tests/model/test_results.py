"""Results as labelled arrays: the Dataset's shape and labels, the headline summary, save and load."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import equality_model
from equality_model.errors import InputError
from equality_model.model import results
from equality_model.model.engine import OUTPUTS, UNSCALED, Simulation
from equality_model.model.results import HEADLINES, load, save, summary, with_settings
from equality_model.model.scenario import Scenario

from .simkit import small

SUMMARY_COLUMNS = [
    "outcome",
    "year",
    *(f"{arm}_{stat}" for arm in ("baseline", "reform", "difference") for stat in ("mean", "lo", "hi")),
]


@pytest.fixture(scope="module")
def ds(baseline_results: xr.Dataset) -> xr.Dataset:
    """2 replicates × 2 years of the MA scenario at scale 20 (shared with the baseline test)."""
    return baseline_results


@pytest.fixture(scope="module")
def sc(ds: xr.Dataset) -> Scenario:
    return Scenario.model_validate_json(ds.attrs["scenario_json"])


def test_dimensions_coordinates_and_variables(ds: xr.Dataset, sc: Scenario) -> None:
    assert set(ds.data_vars) == set(OUTPUTS)
    assert list(ds["arm"].values) == ["baseline", "reform"]
    assert list(ds["replicate"].values) == [0, 1]
    assert np.array_equal(ds["week"].values, np.arange(sc.weeks)) and sc.weeks == 104
    for name, (dim, labels) in OUTPUTS.items():
        assert ds[name].dims == ("arm", "replicate", "week", *([dim] if dim else [])), name
        if dim:
            assert list(ds[dim].values) == list(labels), name
    dates = pd.DatetimeIndex(ds["date"].values)
    assert ds["date"].dims == ("week",)
    assert dates[0] == pd.Timestamp(sc.start)
    assert dates[-1] == pd.Timestamp(sc.start + dt.timedelta(weeks=103))
    assert (np.diff(dates.values) == np.timedelta64(7, "D")).all()


def test_attributes_record_provenance(ds: xr.Dataset, sc: Scenario) -> None:
    assert ds.attrs["scenario"] == "massachusetts-equality-model"
    assert ds.attrs["scenario_hash"] == sc.fingerprint()
    assert ds.attrs["version"] == equality_model.__version__
    assert ds.attrs["seed"] == sc.seed and ds.attrs["scale"] == sc.scale == 20


def test_counts_are_scaled_to_persons_and_match_the_engine(ds: xr.Dataset, sc: Scenario) -> None:
    direct = Simulation(sc, 1).run()
    for arm in ("baseline", "reform"):
        for name in OUTPUTS:
            assert np.array_equal(ds[name].sel(arm=arm, replicate=1).values, direct[arm][name]), name
    people = ds["people_in_prostitution"].values
    assert (people % sc.scale == 0).all() and people.sum() > 0  # whole agents times the scale
    assert "price_index" in UNSCALED and float(ds["price_index"].max()) <= 4.0


def test_summary_rows_for_each_headline_and_year(ds: xr.Dataset) -> None:
    df = summary(ds, years=(1, 2))
    assert list(df.columns) == SUMMARY_COLUMNS
    assert len(df) == 2 * len(HEADLINES)
    assert set(df["outcome"]) == set(HEADLINES) and set(df["year"]) == {1, 2}
    # years beyond the run are left out: the default (1, 5, 10) gives year 1 only for a 2-year run
    assert set(summary(ds)["year"]) == {1}
    assert summary(ds, years=(3,)).empty
    for arm in ("baseline", "reform", "difference"):
        assert (df[f"{arm}_lo"] <= df[f"{arm}_mean"] + 1e-9).all()
        assert (df[f"{arm}_mean"] <= df[f"{arm}_hi"] + 1e-9).all()
    np.testing.assert_allclose(df["difference_mean"], df["reform_mean"] - df["baseline_mean"], atol=1e-6)


def test_summary_values_by_hand(ds: xr.Dataset) -> None:
    df = summary(ds, years=(1, 2)).set_index(["outcome", "year"])
    # a flow: transactions summed over segments and over the second year's 52 weeks
    tx = ds["transactions"].sum("segment").isel(week=slice(52, 104)).sum("week")
    row = df.loc[("transactions_per_year", 2)]
    assert row["baseline_mean"] == pytest.approx(float(tx.sel(arm="baseline").mean()))
    assert row["reform_mean"] == pytest.approx(float(tx.sel(arm="reform").mean()))
    # a stock: trafficking victims in the trade in the last week of year 1
    stock = ds["people_by_control"].sel(control="trafficked").isel(week=51)
    row = df.loc[("trafficking_victims_in_trade", 1)]
    assert row["reform_mean"] == pytest.approx(float(stock.sel(arm="reform").mean()))
    b = ds["arrests"].sel(role="seller").isel(week=slice(0, 52)).sum("week").sel(arm="baseline").values
    row = df.loc[("arrests_of_people_in_prostitution_per_year", 1)]
    assert row["baseline_lo"] == pytest.approx(np.quantile(b, 0.05))
    assert row["baseline_hi"] == pytest.approx(np.quantile(b, 0.95))


def test_save_and_load_round_trip(ds: xr.Dataset, tmp_path: Path) -> None:
    path = save(ds, tmp_path / "out" / "run.nc")
    assert path == tmp_path / "out" / "run.nc" and path.exists()
    back = load(path)
    xr.testing.assert_identical(back, ds)
    for name in OUTPUTS:
        assert np.array_equal(back[name].values, ds[name].values), name
    csv = pd.read_csv(path.with_suffix(".summary.csv"))
    assert list(csv.columns) == SUMMARY_COLUMNS
    pd.testing.assert_frame_equal(csv, summary(ds), check_dtype=False)
    assert sorted(p.name for p in path.parent.iterdir()) == ["run.nc", "run.summary.csv"]  # no temp files


def test_save_replaces_an_existing_file(ds: xr.Dataset, tmp_path: Path) -> None:
    path = tmp_path / "run.nc"
    path.write_bytes(b"old and broken")
    save(ds, path)
    xr.testing.assert_identical(load(path), ds)


def test_run_settings_overrides(ma: Scenario) -> None:
    sc = small(ma)
    assert with_settings(sc) is sc
    changed = with_settings(sc, replicates=3, seed=5)
    assert (changed.replicates, changed.seed) == (3, 5)
    with pytest.raises(InputError, match="greater than or equal to 1") as exc:
        with_settings(sc, replicates=0)
    assert exc.value.field == "replicates"
    with pytest.raises(InputError) as exc:
        with_settings(sc, seed=-1)
    assert exc.value.field == "seed"


def test_run_calls_back_per_replicate_and_reports_progress(ma: Scenario) -> None:
    sc = small(ma, replicates=2)
    done: list[int] = []
    weeks: list[int] = []
    out = results.run(sc, replicates=1, workers=1, on_replicate=done.append, progress=weeks.append)
    assert done == [0]
    assert sum(weeks) == 2 * sc.weeks  # both arms
    assert out.sizes["replicate"] == 1


def test_run_takes_a_scenario_name_or_file(ma: Scenario, tmp_path: Path) -> None:
    """The Python API's ``run(scenario, …)`` takes what the CLI takes: a Scenario, a built-in
    scenario's name, or a YAML file; a bad name is an InputError, not an AttributeError."""
    from equality_model.model.scenario import scenarios_dir

    text = (scenarios_dir() / "massachusetts-equality-model.yaml").read_text(encoding="utf-8")
    f = tmp_path / "small.yaml"
    small_text = text.replace("scale: 1\n", "scale: 400\n").replace("years: 10", "years: 1")
    f.write_text(small_text, encoding="utf-8")
    by_file = results.run(f, replicates=1, workers=1)
    by_object = results.run(Scenario.model_validate_json(by_file.attrs["scenario_json"]), workers=1)
    assert by_file.identical(by_object)
    with pytest.raises(InputError, match="unknown scenario 'no-such-place'"):
        results.run("no-such-place", replicates=1)
