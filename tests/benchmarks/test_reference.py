"""Correctness of the benchmark reference model (benchmarks/REFERENCE.md). Nothing here is timed."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numba as nb
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # benchmarks/ is a package at the repo root, not an installed one
    sys.path.insert(0, str(ROOT))

from benchmarks.reference import OUTCOMES, TINY, TOTALS, Params, totals  # noqa: E402
from benchmarks.reference.compare import KS_MIN_P, Z_MAX, compare_samples  # noqa: E402
from benchmarks.reference.engine_impl import CHUNK, init_buyers, run_engine  # noqa: E402
from benchmarks.reference.mesa_impl import run_mesa  # noqa: E402

from equality_model.model.rng import Streams  # noqa: E402

#: Several parallel chunks, so the thread-count test exercises the chunked passes.
MULTI_CHUNK = replace(TINY.scaled(3 * CHUNK + 123), weeks=20)


def check_invariants(out: dict[str, np.ndarray], params: Params) -> None:
    assert set(out) >= set(OUTCOMES)
    for name in OUTCOMES:
        assert out[name].shape == (params.weeks,), name
        assert (out[name] >= 0).all(), name
    # Sellers are conserved: the change in active sellers is entries minus exits, every week.
    before = np.concatenate([[params.n_sellers], out["active_sellers"][:-1]])
    np.testing.assert_array_equal(out["active_sellers"] - before, out["entries"] - out["exits"])
    # Every arrest follows a transaction; desisters are arrested buyers.
    assert (out["arrests"] <= out["transactions"]).all()
    assert (np.diff(np.concatenate([[0], out["desisted"]])) <= out["arrests"]).all()
    # Capacity: at most c transactions per active seller, and purchases fail only once it is used up.
    cap = params.capacity * out["active_sellers"]
    assert (out["transactions"] <= cap).all()
    assert (out["transactions"][out["failed"] > 0] == cap[out["failed"] > 0]).all()
    assert (out["busy_sellers"] <= out["active_sellers"]).all()
    assert (out["busy_sellers"] <= out["transactions"]).all()
    assert (out["deterred"] + out["desisted"] <= params.n_buyers).all()


def test_engine_equal_seeds_are_bit_identical():
    a = run_engine(TINY, seed=7, sales=True)
    b = run_engine(TINY, seed=7, sales=True)
    assert a.keys() == b.keys()
    for name in a:
        assert a[name].dtype == b[name].dtype
        np.testing.assert_array_equal(a[name], b[name])


def test_engine_results_do_not_depend_on_thread_count():
    one = run_engine(MULTI_CHUNK, seed=3, threads=1, sales=True)
    many = run_engine(MULTI_CHUNK, seed=3, threads=nb.get_num_threads(), sales=True)
    for name in one:
        np.testing.assert_array_equal(one[name], many[name])


def test_engine_different_seeds_differ():
    a = run_engine(TINY, seed=1)
    b = run_engine(TINY, seed=2)
    assert any(not np.array_equal(a[name], b[name]) for name in ("transactions", "arrests", "exits"))


def test_replicates_are_separate_streams():
    a = run_engine(TINY, seed=1, replicate=0)
    b = run_engine(TINY, seed=1, replicate=1)
    assert not np.array_equal(a["transactions"], b["transactions"])


@pytest.mark.parametrize("seed", range(5))
def test_engine_invariants(seed):
    params = MULTI_CHUNK if seed == 0 else TINY
    out = run_engine(params, seed=seed, sales=True)
    check_invariants(out, params)
    assert out["sales"].sum() == out["transactions"].sum()
    assert out["sales"].size == params.n_sellers + out["entries"].sum()  # permanent ids, never reused


@pytest.mark.parametrize("seed", range(3))
def test_mesa_invariants(seed):
    check_invariants(run_mesa(TINY, seed=seed), TINY)


def test_engine_edge_cases():
    no_sellers = Params(n_buyers=300, n_sellers=0, weeks=10, lambda_entry=0.0)
    out = run_engine(no_sellers, seed=0)
    check_invariants(out, no_sellers)
    assert out["transactions"].sum() == 0 and out["failed"].sum() > 0
    no_capacity = replace(TINY, capacity=0)
    out = run_engine(no_capacity, seed=0)
    check_invariants(out, no_capacity)
    assert out["transactions"].sum() == 0 and out["busy_sellers"].sum() == 0
    always = Params(
        n_buyers=200, n_sellers=1000, weeks=8, p_cap=1.0, gamma_shape=50.0, purchases_per_year=520.0
    )
    out = run_engine(always, seed=0)  # p_i = 1: everyone not deterred buys every week
    check_invariants(out, always)
    active = always.n_buyers - out["deterred"] - np.concatenate([[0], out["desisted"][:-1]])
    np.testing.assert_array_equal(out["transactions"] + out["failed"], active)


def test_engine_purchase_rate_matches_bernoulli_weeks():
    """With no arrests and ample capacity, purchases per buyer-week average p_i, as weekly Bernoulli
    trials would: the engine's geometric gaps are the same process."""
    params = Params(n_buyers=20_000, n_sellers=5_000, weeks=52, q_arrest=0.0, lambda_entry=50.0)
    out = run_engine(params, seed=11)
    assert out["failed"].sum() == 0
    p, *_ = init_buyers(params, Streams(11))
    expected = params.weeks * p.sum()
    sd = np.sqrt(params.weeks * (p * (1 - p)).sum())
    assert abs(out["transactions"].sum() - expected) < 4 * sd


def test_engine_and_mesa_agree_in_distribution():
    reps = 30
    engine = [totals(run_engine(TINY, seed=s)) for s in range(reps)]
    mesa = [totals(run_mesa(TINY, seed=1_000 + s)) for s in range(reps)]
    for key in TOTALS:
        r = compare_samples(np.array([x[key] for x in engine]), np.array([x[key] for x in mesa]))
        assert abs(r["z"]) < Z_MAX, (key, r)
        assert r["ks_p"] > KS_MIN_P, (key, r)


def test_starsim_runs_and_conserves_sellers():
    pytest.importorskip("starsim")
    from benchmarks.reference.starsim_impl import run_starsim

    check_invariants(run_starsim(TINY, seed=0), TINY)
