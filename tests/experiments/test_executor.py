"""The executor: replicates in this process or in worker processes give identical results."""

from __future__ import annotations

import os

import numpy as np
import pytest
import xarray as xr

from equality_model.experiments import executor
from equality_model.experiments.executor import default_workers, run_replicates
from equality_model.model import results
from equality_model.model.engine import OUTPUTS, Simulation
from equality_model.model.scenario import Scenario, load_scenario


@pytest.fixture(scope="module")
def sc() -> Scenario:
    ma = load_scenario("massachusetts-equality-model")
    return Scenario.model_validate(
        {**ma.model_dump(), "scale": 200, "years": 1, "burn_in_years": 0, "replicates": 2, "seed": 4242}
    )


@pytest.fixture(scope="module")
def serial(sc: Scenario) -> xr.Dataset:
    return results.run(sc, workers=1)


def _assert_identical(a: xr.Dataset, b: xr.Dataset) -> None:
    xr.testing.assert_identical(a, b)
    for name in OUTPUTS:
        assert np.array_equal(a[name].values, b[name].values), name


def test_default_workers() -> None:
    assert default_workers(1) == 1
    assert default_workers(1000) == (os.cpu_count() or 1)
    assert 1 <= default_workers(2) <= 2


def test_serial_run_is_in_replicate_order_and_reproducible(sc: Scenario, serial: xr.Dataset) -> None:
    seen: list[int] = []
    arrays = run_replicates(sc, workers=1, on_replicate=seen.append)
    assert seen == [0, 1] and len(arrays) == 2
    for r, arr in enumerate(arrays):
        for name in OUTPUTS:
            assert np.array_equal(arr["reform"][name], serial[name].sel(arm="reform", replicate=r).values)
    _assert_identical(results.run(sc, workers=1), serial)
    # replicates are different draws
    assert not np.array_equal(arrays[0]["baseline"]["transactions"], arrays[1]["baseline"]["transactions"])


def test_worker_function_matches_a_direct_run(sc: Scenario) -> None:
    r, arrays = executor._one(sc.model_dump_json(), 1, 1)
    direct = Simulation(sc, 1).run()
    assert r == 1
    for arm in direct:
        for name in OUTPUTS:
            assert np.array_equal(arrays[arm][name], direct[arm][name]), (arm, name)


def test_process_pool_gives_bit_identical_results(sc: Scenario, serial: xr.Dataset) -> None:
    """Two worker processes (spawned, one numba thread each) against the replicates run in this process."""
    seen: list[int] = []
    pooled = results.run(sc, workers=2, on_replicate=seen.append)
    assert sorted(seen) == [0, 1]
    _assert_identical(pooled, serial)
    other_seed = results.run(sc, seed=sc.seed + 1, workers=1)
    assert not np.array_equal(other_seed["transactions"].values, serial["transactions"].values)


def test_workers_are_spawned_with_one_thread_native_pools(monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker processes inherit one-thread BLAS/OpenMP settings; this process gets its own back."""
    monkeypatch.setenv("OMP_NUM_THREADS", "7")
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    with executor._worker_environment():
        for k, v in executor.ONE_THREAD_ENV.items():
            assert os.environ[k] == v
    assert os.environ["OMP_NUM_THREADS"] == "7"
    assert "OPENBLAS_NUM_THREADS" not in os.environ


def test_workers_get_the_parents_rate_fits_and_never_import_scipy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rate distribution is fitted in the parent and handed to workers, so a worker's imports
    (the engine and the executor) leave out SciPy's optimiser and distributions."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from equality_model.experiments import executor\n"
        "heavy = [m for m in ('scipy.optimize', 'scipy.stats') if m in sys.modules]\n"
        "print(','.join(heavy) or 'none')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "none"
    monkeypatch.setattr(executor.demand, "_RATE_FITS", {})  # this process's real fits are left alone
    executor.demand.remember_rate_fit((0.3, 0.25, 0.75), (0.123, 4.56))  # not a real fit: a worker
    assert executor.demand.fit_rate_distribution(0.3, 0.25, 0.75) == (0.123, 4.56)  # uses what it gets


@pytest.mark.parametrize("workers", [0, -2])
def test_a_worker_count_below_one_is_an_input_error(sc: Scenario, workers: int) -> None:
    """It was taken as 1 without a word; a script that computed 0 workers should hear of it."""
    from equality_model.errors import InputError

    with pytest.raises(InputError, match=f"at least 1 worker process \\(got {workers}\\)") as err:
        run_replicates(sc, workers=workers)
    assert err.value.field == "workers"
