"""Helpers for the engine tests: small scenarios, blank output records and manual stepping.

Small scenarios keep the suite fast: the built-in Massachusetts scenario with a large ``scale``
(persons per agent) or with a small population, one or two years, and the minimum burn-in
(``engine.MIN_BURN_IN`` weeks applies whatever ``burn_in_years`` says).
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from equality_model.model import engine
from equality_model.model.engine import Simulation
from equality_model.model.processes.demand import RATE_BUCKETS
from equality_model.model.scenario import Scenario, load_scenario
from equality_model.model.state import State

MA = "massachusetts-equality-model"
# A town-sized population: about 20,000 men in the buyer pool and 400 people in prostitution at scale 1.
SMALL_POPULATION = {"total": 700_000, "adult_men": 100_000, "sellers": 400, "source": "test population"}

Record = dict[str, np.ndarray]


class Observer(Protocol):
    """Watches a manual run: ``start`` when an arm (or the burn-in) begins, ``step`` after every week."""

    def start(self, arm: str, state: State) -> None: ...

    def step(self, arm: str, t: int, state: State, record: Record) -> None: ...


def ma() -> Scenario:
    return load_scenario(MA)


def small(base: Scenario | None = None, **changes: Any) -> Scenario:
    """The MA scenario (or ``base``) made small: scale 200, 1 year, minimum burn-in, 2 replicates."""
    d = {
        **(base or ma()).model_dump(),
        "scale": 200,
        "years": 1,
        "burn_in_years": 0,
        "replicates": 2,
    }
    d.update(changes)
    return Scenario.model_validate(d)


def implementation(sc: Scenario, arm: str = "baseline", **changes: Any) -> dict[str, Any]:
    """An arm's implementation as a dict with nested ``changes`` merged in (one level deep)."""
    imp = sc.implementation(arm).model_dump()
    for k, v in changes.items():
        imp[k] = {**imp[k], **v} if isinstance(v, dict) and isinstance(imp.get(k), dict) else v
    return imp


def blank_record(weeks: int = 1) -> Record:
    """Zero arrays shaped like the engine's outputs (``engine.OUTPUTS``), as the engine records them."""
    return engine.Record(weeks)


def manual_run(
    sim: Simulation, observer: Observer | None = None, arms: tuple[str, ...] = ("baseline", "reform")
) -> dict[str, Record]:
    """Step a simulation by hand as ``Simulation.run`` does, recording every week (burn-in included).

    Returns ``{"burn_in": record, arm: record, ...}`` with unscaled counts (agents, not persons)."""
    st = sim.initial_state()
    out: dict[str, Record] = {"burn_in": blank_record(sim.burn)}
    if observer is not None:
        observer.start("burn_in", st)
    for i, t in enumerate(range(-sim.burn, 0)):
        rec = blank_record()
        sim.step(st, "baseline", t, rec, 0)
        if observer is not None:
            observer.step("burn_in", t, st, rec)
        for name in rec:
            out["burn_in"][name][i] = rec[name][0]
    for arm in arms:
        s2 = st.copy()
        if observer is not None:
            observer.start(arm, s2)
        out[arm] = blank_record(sim.sc.weeks)
        for t in range(sim.sc.weeks):
            rec = blank_record()
            sim.step(s2, arm, t, rec, 0)
            if observer is not None:
                observer.step(arm, t, s2, rec)
            for name in rec:
                out[arm][name][t] = rec[name][0]
    return out


def assert_runs_identical(a: dict[str, Record], b: dict[str, Record]) -> None:
    """Every output array of every arm is bit-identical."""
    assert a.keys() == b.keys()
    for arm in a:
        assert a[arm].keys() == b[arm].keys()
        for name in a[arm]:
            assert np.array_equal(a[arm][name], b[arm][name]), f"{arm}/{name} differs"


def differing_outputs(a: Record, b: Record) -> list[str]:
    return [name for name in a if not np.array_equal(a[name], b[name])]


def rate_class(r: np.ndarray) -> np.ndarray:
    """``place_order``'s classes, defined independently: ``r = m·2^E`` with ``m`` in [0.5, 1); eight
    classes per power of two, by the mantissa's first eighths; 0 (the highest rates) to 511."""
    m, e = np.frexp(np.asarray(r, np.float64))
    cls = 7 - 8 * e.astype(np.int64) - np.floor(16.0 * m - 8.0).astype(np.int64)
    return np.where(r > 0, np.clip(cls, 0, RATE_BUCKETS - 1), RATE_BUCKETS - 1)
