"""Regression baseline: a small fixed-seed run must reproduce tests/model/baseline.json.

When this fails after a change that was MEANT to change the model's behaviour, regenerate the baseline
with ``python scripts/update_baseline.py`` and commit it with the change. Otherwise the change broke
reproducibility or the model: fix it, do not regenerate.
"""

from __future__ import annotations

import copy
import json
from types import ModuleType
from typing import Any

import pytest
import xarray as xr

from equality_model.model.engine import OUTPUTS


@pytest.fixture(scope="module")
def stored(baseline_script: ModuleType) -> dict[str, Any]:
    path = baseline_script.BASELINE
    assert path.exists(), f"{path} is missing: run `python scripts/update_baseline.py`"
    return json.loads(path.read_text(encoding="utf-8"))


def test_simulation_matches_the_regression_baseline(
    baseline_script: ModuleType, baseline_results: xr.Dataset, stored: dict[str, Any]
) -> None:
    diffs = baseline_script.differences(stored, baseline_script.build(baseline_results))
    if diffs:
        shown = "\n  ".join(diffs[:25]) + (f"\n  ... and {len(diffs) - 25} more" if len(diffs) > 25 else "")
        pytest.fail(
            f"The simulation no longer reproduces tests/model/baseline.json "
            f"({len(diffs)} difference(s)):\n  {shown}\n{baseline_script.UPDATE_HINT}",
            pytrace=False,
        )


def test_baseline_file_covers_every_output(baseline_script: ModuleType, stored: dict[str, Any]) -> None:
    assert stored["settings"] == baseline_script.SETTINGS
    assert stored["significant_digits"] == baseline_script.SIGNIFICANT
    assert stored["version"] and len(stored["scenario_hash"]) == 16
    assert set(stored["statistics"]) == set(OUTPUTS)
    reps = baseline_script.SETTINGS["replicates"]
    for name, (_dim, labels) in OUTPUTS.items():
        entry = stored["statistics"][name]
        assert entry["components"] == (list(labels) if labels else None), name
        for arm in ("baseline", "reform"):
            assert len(entry[arm]) == reps, name
            if labels:
                assert all(len(row) == len(labels) for row in entry[arm]), name
    # the run is not degenerate: people are bought from, arrested, and leave through services
    stats = stored["statistics"]
    assert min(min(row) for row in stats["transactions"]["baseline"]) > 0
    assert sum(row[1] for row in stats["arrests"]["reform"]) > 0
    assert sum(row[0] for row in stats["exits"]["reform"]) > 0


def test_comparison_detects_small_changes(baseline_script: ModuleType, stored: dict[str, Any]) -> None:
    assert baseline_script.differences(stored, copy.deepcopy(stored)) == []
    changed = copy.deepcopy(stored)
    row = changed["statistics"]["transactions"]["reform"][1]
    row[2] = row[2] * (1 + 1e-6)
    diffs = baseline_script.differences(stored, changed)
    assert len(diffs) == 1 and diffs[0].startswith("transactions[reform, replicate 1, online]"), diffs
    tiny = copy.deepcopy(stored)
    tiny["statistics"]["transactions"]["reform"][1][2] *= 1 + 1e-12
    assert baseline_script.differences(stored, tiny) == []
    scalar = copy.deepcopy(stored)
    scalar["statistics"]["active_buyers"]["baseline"][0] += 1
    assert baseline_script.differences(stored, scalar)[0].startswith("active_buyers[baseline, replicate 0]")
    other = {**stored, "scenario_hash": "0" * 16}
    assert "scenario" in baseline_script.differences(stored, other)[0]
    missing = copy.deepcopy(stored)
    del missing["statistics"]["violence"]
    assert baseline_script.differences(stored, missing) == ["output 'violence' is gone"]


def test_rounding_to_six_significant_digits(baseline_script: ModuleType) -> None:
    r = baseline_script.round_sig
    assert r(123456789.0) == 123457000.0
    assert r(0.000123456789) == 0.000123457
    assert r(0.0) == 0.0 and r(-2.5) == -2.5
