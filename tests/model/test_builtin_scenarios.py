"""Every built-in scenario in data/scenarios/*.yaml: it loads, its regimes resolve and differ, and its
population figures name a source. No simulation is run here (kept fast)."""

from __future__ import annotations

import pytest

from equality_model.law.catalog import default_catalog
from equality_model.law.diff import diff
from equality_model.model.scenario import Scenario, builtin_names, load_scenario

# The historical reforms of the catalogue, one scenario each, plus the Massachusetts bill.
HISTORICAL = (
    "sweden-1999",
    "norway-2009",
    "iceland-2009",
    "canada-2014",
    "northern-ireland-2015",
    "france-2016",
    "ireland-2017",
    "israel-2020",
    "maine-2023",
    "germany-2002",
    "new-zealand-2003",
    "rhode-island-2003",
    "rhode-island-2009",
)
EXPECTED = (*HISTORICAL, "massachusetts-equality-model")

NAMES = builtin_names()


def test_expected_scenarios_present() -> None:
    missing = sorted(set(EXPECTED) - set(NAMES))
    assert not missing, f"built-in scenarios missing: {missing}"
    assert len(EXPECTED) == 14


@pytest.fixture(scope="module", params=NAMES)
def scenario(request: pytest.FixtureRequest) -> Scenario:
    return load_scenario(request.param)


def test_loads_under_its_file_name(scenario: Scenario) -> None:
    assert scenario.name in NAMES
    assert scenario.title.strip()


def test_regimes_resolve_and_differ(scenario: Scenario) -> None:
    cat = default_catalog()
    base = cat.resolve(scenario.baseline)
    assert base.jurisdiction_id == scenario.jurisdiction
    assert scenario.reform is not None, "a built-in scenario compares a reform with its baseline"
    reform = cat.resolve(scenario.reform)
    assert reform.jurisdiction_id == scenario.jurisdiction
    changes = diff(base, reform).changes
    assert changes, f"{scenario.baseline} and {scenario.reform} are the same law"


def test_population_has_a_source(scenario: Scenario) -> None:
    pop = scenario.population
    assert pop.source.strip()
    assert pop.adult_men < pop.total
    if pop.sellers is not None:
        assert pop.sellers < pop.total


@pytest.mark.parametrize("name", HISTORICAL)
def test_historical_run_settings(name: str) -> None:
    sc = load_scenario(name)
    assert sc.burn_in_years == 3
    assert sc.replicates == 10
    assert 1 <= sc.years <= 10
    assert sc.description.strip()
    # at most ~2 million buyer agents (adult men x 0.2 / scale)
    assert sc.population.adult_men * 0.2 / sc.scale <= 2_000_000
    # the reform arm takes effect on the start date: the reform regime is in force then
    reform = default_catalog().resolve(sc.reform or sc.baseline)
    assert reform.in_force_from is None or reform.in_force_from <= sc.start
