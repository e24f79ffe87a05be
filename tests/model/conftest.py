"""Fixtures for the simulation-engine tests."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import numba
import pytest
import xarray as xr

from equality_model.model.scenario import Scenario, load_scenario


@pytest.fixture(scope="session", autouse=True)
def _one_numba_thread() -> Iterator[None]:
    """Run the engine on one numba thread.

    Results do not depend on the thread count (``test_engine.py`` checks that). For runs this small
    the parallel buyer kernel is dominated by thread hand-over, which is very slow when the cores are
    shared with other processes, so one thread keeps the suite fast and its timing stable."""
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    yield
    numba.set_num_threads(before)


@pytest.fixture(scope="session")
def ma() -> Scenario:
    """The built-in Massachusetts scenario."""
    return load_scenario("massachusetts-equality-model")


@pytest.fixture(scope="session")
def baseline_script() -> ModuleType:
    """scripts/update_baseline.py, imported as a module (it defines the regression scenario)."""
    path = Path(__file__).resolve().parents[2] / "scripts" / "update_baseline.py"
    spec = importlib.util.spec_from_file_location("update_baseline", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def baseline_results(baseline_script: ModuleType, _one_numba_thread: None) -> xr.Dataset:
    """Results of the regression scenario (2 replicates, 2 years, scale 20), run once per session."""
    return baseline_script.run_baseline()
