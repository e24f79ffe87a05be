"""The people-in-prostitution week (steps 3–8 in one compiled pass)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from equality_model.model import people
from equality_model.model.rng import poisson
from equality_model.model.state import ACTIVE, CONTROLLED, EXITED, INDEPENDENT


def week_args(n: int, n_e: int, seed: int, **over: Any) -> dict[str, Any]:
    """Arguments of ``people_week`` for ``n`` random people, with every process but matching off."""
    g = np.random.default_rng(seed)
    status = np.where(g.random(n) < 0.8, ACTIVE, EXITED).astype(np.int8)
    control = g.integers(0, 2, n).astype(np.uint8)
    exploiter = np.where(control == CONTROLLED, g.integers(0, n_e, n), -1).astype(np.int32)
    args: dict[str, Any] = {
        "t": np.int32(g.integers(0, 500)),
        "n": n,
        "status": status,
        "age": np.full(n, 30.0, np.float32),
        "entered": np.zeros(n, np.int32),
        "seg": g.integers(0, 3, n).astype(np.uint8),
        "control": control,
        "exploiter": exploiter,
        "debt": np.zeros(n, np.float32),
        "needs": np.zeros(n, np.uint8),
        "record": np.zeros(n, np.uint8),
        "wish": np.zeros(n, np.uint8),
        "stage": np.full(n, -1, np.int8),
        "in_service": np.zeros(n, np.uint8),
        "stage_week": np.zeros(n, np.int32),
        "exited_week": np.full(n, -10, np.int32),
        "reentries": np.zeros(n, np.uint8),
        "tx": np.full(n, -1.0, np.float32),
        "n_e": n_e,
        "e_alive": np.ones(n_e, np.uint8),
        "e_n_ctrl": np.full(n_e, 7, np.int32),
        "e_profit": np.zeros(n_e, np.float32),
        "keys": np.arange(13, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(seed),
        "attempts": g.uniform(0, 5000, 3),
        "transactions": g.uniform(0, 5000, 3),
        "b_arrests": np.zeros(3, np.int64),
        "cap_per_seller": g.uniform(0.5, 20, 3),
        "price": np.ones(3),
        "fill": np.ones(3),
        "price_adjustment": 0.0,
        "base_price_usd": np.array([100.0, 200.0, 150.0]),
        "share_controlled": 0.5,
        "share_trafficked": 0.8,
        "p_arrest_week": np.zeros(3),
        "convict_seller": 0.5,
        "p_tp_week": 0.0,
        "convict_tp": 0.5,
        "base_violence": np.ones(3),
        "rr_exploit": 2.0,
        "seller_arrests_py": np.zeros(3),
        "policing_weight": 0.5,
        "reference_policing": 1.0,
        "policing_odds_ratio": 2.0,
        "clear_records": False,
        "places": np.zeros(4),
        "service_weeks": np.full(4, 10, np.int64),
        "service_success": np.full(4, 0.5),
        "wish_p_week": 0.0,
        "controlled_access": 0.5,
        "record_barrier": 0.5,
        "trafficked_first": False,
        "relief_p_week": 0.0,
        "unassisted_p_week": 0.0,
        "wish_ratio": 2.0,
        "reentry_p_week": 0.0,
        "mortality_p_week": 0.0,
        "age_out": 99.0,
    }
    args.update(over)
    return args


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 300), n_e=st.integers(1, 20), seed=st.integers(0, 2**32))
def test_each_person_serves_a_truncated_poisson_count(n: int, n_e: int, seed: int) -> None:
    """Matching gives every active person exactly ``min(rng.poisson(λ_s), 3·c_s + 1)`` and everyone
    else none; earnings and the third parties' take follow from it."""
    a = week_args(n, n_e, seed)
    out = people.people_week(**a)
    active = a["status"] == ACTIVE
    counts = np.bincount(a["seg"][active], minlength=3)
    for j in range(n):
        if not active[j]:
            assert a["tx"][j] == 0.0
            continue
        s = a["seg"][j]
        lam = a["transactions"][s] / counts[s]
        want = min(poisson(a["keys"][0], j, a["t"], lam), int(3.0 * a["cap_per_seller"][s] + 1.0))
        assert a["tx"][j] == want
    gross = (a["tx"] * a["base_price_usd"][a["seg"]])[active]
    ctrl = a["control"][active] == CONTROLLED
    assert np.isclose(out[people.O_TAKEN], 0.5 * gross[ctrl].sum())
    assert np.isclose(out[people.O_KEPT] + out[people.O_TAKEN], gross.sum())


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 300), n_e=st.integers(1, 30), seed=st.integers(0, 2**32))
def test_exploiters_loads_are_refreshed(n: int, n_e: int, seed: int) -> None:
    """After the week, each exploiter's load is the active people he controls, and those with nobody
    left stop operating; active people are counted by control."""
    a = week_args(n, n_e, seed)
    out = people.people_week(**a)
    active = a["status"] == ACTIVE
    loads = np.bincount(a["exploiter"][active & (a["exploiter"] >= 0)], minlength=n_e)
    assert a["e_n_ctrl"].tolist() == loads.tolist()
    assert a["e_alive"].tolist() == (loads > 0).astype(np.uint8).tolist()
    by_type = out[people.O_BY_TYPE : people.O_BY_TYPE + 3]
    assert by_type.tolist() == np.bincount(a["control"][active], minlength=3).tolist()


def test_a_convicted_exploiter_frees_the_people_he_controlled() -> None:
    a = week_args(200, 5, 1, p_tp_week=1.0, convict_tp=1.0)
    controlled = a["exploiter"] >= 0
    assert controlled.any()
    out = people.people_week(**a)
    assert out[people.O_E_ARR] == 5 and out[people.O_E_CONV] == 5
    assert (a["exploiter"] == -1).all() and (a["control"][controlled] == INDEPENDENT).all()
    assert (a["e_alive"] == 0).all()
