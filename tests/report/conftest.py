"""Report test fixtures: a tiny Massachusetts run (scale 400, 2 years, 2 replicates) and its report."""

from __future__ import annotations

from pathlib import Path

import pytest
import xarray as xr

from equality_model.model.scenario import Scenario, load_scenario


def tiny_scenario() -> Scenario:
    base = load_scenario("massachusetts-equality-model").model_dump()
    return Scenario.model_validate({**base, "scale": 400, "years": 2, "replicates": 2})


@pytest.fixture(scope="session", name="tiny_scenario")
def tiny_scenario_fixture() -> Scenario:
    return tiny_scenario()


@pytest.fixture(scope="session")
def tiny_results() -> xr.Dataset:
    from equality_model.model.results import run

    return run(tiny_scenario(), workers=1)


@pytest.fixture(scope="session")
def built(tiny_results: xr.Dataset, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from equality_model.report import build_report

    return build_report(tiny_results, tmp_path_factory.mktemp("report") / "equality-model-report")


@pytest.fixture(scope="session")
def html(built) -> str:  # type: ignore[no-untyped-def]
    return Path(built.html).read_text(encoding="utf-8")
