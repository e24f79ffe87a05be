#!/usr/bin/env python
"""Regenerate the simulation regression baseline, tests/model/baseline.json.

Run this ONLY when a change of the model's behaviour is intended (a new process, a fixed bug, a new
default), and say so in the commit. ``tests/model/test_baseline.py`` re-runs the same small, fixed-seed
scenario and fails on any difference, so an unintended change of behaviour cannot slip through.

The baseline holds, for every engine output, its sum over the weeks for each arm and replicate (and
each component, e.g. segment or role), rounded to 6 significant digits, plus the scenario hash and
the package version that produced it.

Usage: python scripts/update_baseline.py [--check]
  --check   compare with the stored baseline instead of writing it (exit 1 if it differs)
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "tests" / "model" / "baseline.json"
SCENARIO = "massachusetts-equality-model"
# small and fast: 211 agents in prostitution and 27,100 in the buyer pool, 2 years after the burn-in
SETTINGS: dict[str, Any] = {"scale": 20, "years": 2, "burn_in_years": 0, "replicates": 2, "seed": 20261121}
SIGNIFICANT = 6
REL_TOL = 1e-9
UPDATE_HINT = (
    "If this change of behaviour is intended, run `python scripts/update_baseline.py` and commit the new "
    "tests/model/baseline.json with a note on why the results changed. Otherwise it is a regression: fix it."
)


def baseline_scenario() -> Any:
    """The built-in Massachusetts scenario with the baseline's run settings."""
    from equality_model.model.scenario import Scenario, load_scenario

    sc = load_scenario(SCENARIO)
    return Scenario.model_validate({**sc.model_dump(), **SETTINGS})


def run_baseline() -> Any:
    """Run the baseline scenario in this process (the results do not depend on threads or workers)."""
    from equality_model.model.results import run

    return run(baseline_scenario(), workers=1)


def round_sig(x: float, digits: int = SIGNIFICANT) -> float:
    return float(f"{x:.{digits}g}") if math.isfinite(x) else x


def statistics(ds: Any) -> dict[str, Any]:
    """Per output: sums over weeks as nested lists [arm][replicate]([component]), rounded."""
    from equality_model.model.engine import OUTPUTS

    out: dict[str, Any] = {}
    for name, (dim, labels) in OUTPUTS.items():
        sums = ds[name].sum("week").transpose("arm", "replicate", *([dim] if dim else []))
        out[name] = {
            "components": list(labels) if labels else None,
            **{
                str(arm): _rounded(sums.sel(arm=arm).values.tolist())
                for arm in ds["arm"].values  # baseline, reform
            },
        }
    return out


def _rounded(v: Any) -> Any:
    return [_rounded(x) for x in v] if isinstance(v, list) else round_sig(float(v))


def build(ds: Any | None = None) -> dict[str, Any]:
    """The baseline document for a results Dataset of the baseline scenario (run now if not given)."""
    import equality_model

    ds = run_baseline() if ds is None else ds
    return {
        "about": "Simulation regression baseline; regenerate only with scripts/update_baseline.py",
        "version": equality_model.__version__,
        "scenario": SCENARIO,
        "settings": SETTINGS,
        "scenario_hash": ds.attrs["scenario_hash"],
        "significant_digits": SIGNIFICANT,
        "statistics": statistics(ds),
    }


def differences(expected: dict[str, Any], actual: dict[str, Any], rel_tol: float = REL_TOL) -> list[str]:
    """Human-readable differences between two baseline documents (empty when they agree)."""
    diffs: list[str] = []
    if expected.get("scenario_hash") != actual.get("scenario_hash"):
        diffs.append(
            f"scenario hash {expected.get('scenario_hash')} -> {actual.get('scenario_hash')}: the baseline "
            f"scenario ({SCENARIO}.yaml or the settings in scripts/update_baseline.py) changed"
        )
    exp_stats, act_stats = expected.get("statistics", {}), actual.get("statistics", {})
    for name in sorted(set(exp_stats) | set(act_stats)):
        if name not in act_stats or name not in exp_stats:
            diffs.append(f"output '{name}' is {'gone' if name not in act_stats else 'new'}")
            continue
        e, a = exp_stats[name], act_stats[name]
        comps = e.get("components")
        for arm in ("baseline", "reform"):
            for where, ev, av in _walk(e.get(arm), a.get(arm), f"{name}[{arm}"):
                if ev is None or av is None or not math.isclose(ev, av, rel_tol=rel_tol, abs_tol=0.0):
                    diffs.append(f"{_label(where, comps)}: expected {ev}, got {av}")
    return diffs


def _walk(e: Any, a: Any, where: str, depth: int = 0) -> list[tuple[str, float | None, float | None]]:
    if isinstance(e, list) or isinstance(a, list):
        e_list = e if isinstance(e, list) else []
        a_list = a if isinstance(a, list) else []
        out = []
        for i in range(max(len(e_list), len(a_list))):
            ev = e_list[i] if i < len(e_list) else None
            av = a_list[i] if i < len(a_list) else None
            out += _walk(ev, av, f"{where}, {'replicate ' if depth == 0 else '#'}{i}", depth + 1)
        return out
    return [(where + "]", e, a)]


def _label(where: str, comps: list[str] | None) -> str:
    if comps and "#" in where:
        head, idx = where.rsplit("#", 1)
        i = int(idx.rstrip("]"))
        return f"{head}{comps[i] if i < len(comps) else i}]"
    return where


def dumps(doc: dict[str, Any]) -> str:
    """JSON with the innermost lists on one line each, so diffs of the baseline stay readable."""
    text = json.dumps(doc, indent=1)
    flat = re.sub(r"\[\s+([^\[\]{}]*?)\s+\]", lambda m: "[" + re.sub(r",\s+", ", ", m.group(1)) + "]", text)
    return flat + "\n"


def write(doc: dict[str, Any], path: Path = BASELINE) -> None:
    """Write atomically (temp file + rename), so an interrupted update never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".json.tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(dumps(doc))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    import numba

    numba.set_num_threads(1)  # results do not depend on the thread count; one is fastest this small
    doc = build()
    if "--check" in args:
        diffs = differences(json.loads(BASELINE.read_text(encoding="utf-8")), doc)
        for d in diffs:
            print(d)
        print("baseline matches" if not diffs else f"{len(diffs)} difference(s). {UPDATE_HINT}")
        return 1 if diffs else 0
    write(doc)
    where = BASELINE.relative_to(ROOT)
    print(f"wrote {where}: scenario hash {doc['scenario_hash']}, version {doc['version']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
