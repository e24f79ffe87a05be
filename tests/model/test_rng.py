"""Named, seeded random streams and counter-based draws (common random numbers)."""

from __future__ import annotations

import numba as nb
import numpy as np
import pytest
from scipy import stats

from equality_model.model import rng
from equality_model.model.engine import STREAM_NAMES, Simulation
from equality_model.model.rng import (
    Streams,
    draw_u64,
    exponential,
    geometric_gap,
    geometric_skip,
    normal,
    poisson,
    uniform,
)

from .simkit import SMALL_POPULATION, small

KEY = Streams(20261121, 0)["test.stream"]


def _uniforms(key: np.uint64, n: int, counter: int = 0) -> np.ndarray:
    return np.array([uniform(key, i, counter) for i in range(n)])


# ----------------------------------------------------------------------------------------- keys


def test_keys_are_stable_for_seed_replicate_and_name() -> None:
    a, b = Streams(42, 3), Streams(42, 3)
    for name in STREAM_NAMES:
        assert a[name] == b[name] == a[name]
        assert isinstance(a[name], np.uint64)
    # pinned: saved results are reproducible only if key derivation never changes
    assert Streams(20261121, 0)["buyer.candidate"] == np.uint64(18391137764083781246)
    assert Streams(20261121, 0)["seller.arrest"] == np.uint64(11581290946192859263)


def test_keys_differ_across_names_replicates_and_seeds() -> None:
    base = Streams(42, 0)
    keys = {base[n] for n in STREAM_NAMES}
    assert len(keys) == len(STREAM_NAMES)
    for other in (Streams(42, 1), Streams(43, 0)):
        assert all(other[n] != base[n] for n in STREAM_NAMES)
        assert keys.isdisjoint({other[n] for n in STREAM_NAMES})


def test_keys_do_not_depend_on_the_order_names_are_requested() -> None:
    forward, backward = Streams(7, 2), Streams(7, 2)
    a = [forward[n] for n in STREAM_NAMES]
    b = [backward[n] for n in reversed(STREAM_NAMES)][::-1]
    assert a == b
    assert np.array_equal(forward.keys(*STREAM_NAMES), np.array(a, dtype=np.uint64))
    assert forward.keys("x", "y").dtype == np.uint64


def test_colliding_stream_names_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rng, "_name_word", lambda name: 12345)
    s = Streams(1, 0)
    s["first"]
    with pytest.raises(RuntimeError, match="collides"):
        s["second"]


def test_negative_seed_is_refused() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        Streams(-1)


def test_setup_generators_are_reproducible_and_named() -> None:
    a = Streams(5, 1).generator("seller.record").random(5)
    assert np.array_equal(a, Streams(5, 1).generator("seller.record").random(5))
    assert not np.array_equal(a, Streams(5, 1).generator("seller.other").random(5))
    assert not np.array_equal(a, Streams(5, 2).generator("seller.record").random(5))


# ---------------------------------------------------------------------------------------- draws


def test_draws_are_pure_functions_of_key_agent_and_counter() -> None:
    assert draw_u64(KEY, 17, 4) == draw_u64(KEY, 17, 4)
    values = {int(draw_u64(KEY, i, c)) for i in range(50) for c in range(20)}
    assert len(values) == 1000  # no repeats over agents and counters
    assert draw_u64(KEY, 1, 2) != draw_u64(KEY, 2, 1)
    other = Streams(20261121, 0)["another.stream"]
    assert uniform(KEY, 5, 5) != uniform(other, 5, 5)


def test_uniform_is_in_unit_interval_with_mean_one_half() -> None:
    n = 40_000
    u = _uniforms(KEY, n)
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 4 * np.sqrt(1 / 12 / n)
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    # successive counters of one agent are also uniform and uncorrelated with the agent draws
    v = np.array([uniform(KEY, 3, c) for c in range(n)])
    assert abs(v.mean() - 0.5) < 4 * np.sqrt(1 / 12 / n)
    assert abs(np.corrcoef(u, v)[0, 1]) < 4 / np.sqrt(n)


@pytest.mark.parametrize("p", [0.02, 0.3, 0.9])
def test_geometric_skip_has_mean_one_over_p(p: float) -> None:
    n = 20_000
    g = np.array([geometric_skip(KEY, i, 0, p) for i in range(n)])
    assert g.min() >= 1
    sd = np.sqrt(1 - p) / p
    assert abs(g.mean() - 1 / p) < 4 * sd / np.sqrt(n)


@nb.njit(cache=True)
def _zig_draws(key: np.uint64, n: int, which: int) -> np.ndarray:
    out = np.empty(n)
    for i in range(n):
        out[i] = exponential(key, i, 5) if which == 0 else normal(key, i, 5)
    return out


def test_exponential_ziggurat_matches_the_distribution_and_its_tail() -> None:
    """Two million draws: moments, KS, and the mass beyond the base strip's edge ``r`` (the tail
    path) and in the wedges (the rare path), each within 5 standard errors."""
    n = 2_000_000
    x = _zig_draws(KEY, n, 0)
    assert x.min() >= 0.0
    assert abs(x.mean() - 1.0) < 5 / np.sqrt(n) and abs(x.var() - 1.0) < 5 * np.sqrt(8 / n)
    assert stats.kstest(x[:200_000], "expon").pvalue > 1e-3
    for edge in (rng._ZIG_R, 0.5, 3.0, 10.0):
        p = np.exp(-edge)
        assert abs((x > edge).mean() - p) < 5 * np.sqrt(p * (1 - p) / n), edge
    assert np.array_equal(x[:50], _zig_draws(KEY, 50, 0))  # a pure function of the triple


def test_normal_ziggurat_matches_the_distribution_and_its_tails() -> None:
    n = 2_000_000
    x = _zig_draws(KEY, n, 1)
    assert abs(x.mean()) < 5 / np.sqrt(n) and abs(x.var() - 1.0) < 5 * np.sqrt(2 / n)
    assert abs(stats.skew(x)) < 5 * np.sqrt(6 / n)
    assert stats.kstest(x[:200_000], "norm").pvalue > 1e-3
    for edge in (rng._NZIG_R, 1.0, 4.0):  # r: the tail path, sampled until accepted
        p = stats.norm.sf(edge)
        for side in (x > edge, x < -edge):
            assert abs(side.mean() - p) < 5 * np.sqrt(p * (1 - p) / n), edge


@nb.njit(cache=True)
def _base_strip_tails(key: np.uint64, n: int, which: int) -> np.ndarray:
    out = np.empty(n)
    for i in range(n):  # the rare path entered from the base strip beyond r (layer 0)
        out[i] = (
            rng._exponential_rare(key, i, 5, 0, 8.0) if which == 0 else rng._normal_rare(key, i, 5, 0, 4.0)
        )
    return out


def test_the_base_strips_tails_are_the_distributions_tails() -> None:
    """Beyond ``r`` every draw is a tail draw: ``X - r`` exponential, and the normal's ``X``
    truncated to ``X > r`` (a fresh try from the tail would thin it: this fails if it restarts)."""
    e = _base_strip_tails(KEY, 100_000, 0)
    assert e.min() >= rng._ZIG_R
    assert stats.kstest(e - rng._ZIG_R, "expon").pvalue > 1e-3
    z = _base_strip_tails(KEY, 100_000, 1)
    assert z.min() > rng._NZIG_R
    tail = stats.truncnorm(rng._NZIG_R, np.inf)
    assert stats.kstest(z, tail.cdf).pvalue > 1e-3


def test_geometric_gap_is_geometric_skip_with_its_scale_precomputed() -> None:
    for p in (0.02, 0.3, 0.9):
        scale = -1.0 / np.log1p(-p)
        assert all(geometric_gap(KEY, i, 3, scale) == geometric_skip(KEY, i, 3, p) for i in range(500))


def test_geometric_skip_edges() -> None:
    assert geometric_skip(KEY, 0, 0, 1.0) == 1
    assert geometric_skip(KEY, 0, 0, 0.0) == 1 << 40


@pytest.mark.parametrize("lam", [0.3, 4.0, 30.0, 250.0])  # 250: the log-space branch
def test_poisson_mean_and_variance_match_lambda(lam: float) -> None:
    n = 20_000
    k = np.array([poisson(KEY, i, 1, lam) for i in range(n)])
    assert k.min() >= 0
    assert abs(k.mean() - lam) < 4 * np.sqrt(lam / n)
    assert abs(k.var() / lam - 1) < 0.06


@pytest.mark.parametrize("lam", [0.05, 2.5, 60.5, 400.0, 1200.0])  # 1200: exp(-mean) underflows
def test_poisson_is_the_exact_inverse_of_the_distribution_function(lam: float) -> None:
    for i in range(500):
        u = uniform(KEY, i, 3)
        assert poisson(KEY, i, 3, lam) == stats.poisson.ppf(u, lam), (i, u)
    assert poisson(KEY, 1, 1, 0.0) == 0 and poisson(KEY, 1, 1, -1.0) == 0


def test_poisson_of_zero_mean_is_zero() -> None:
    assert poisson(KEY, 1, 1, 0.0) == 0 and poisson(KEY, 1, 1, -2.0) == 0


# ------------------------------------------------------------------------ common random numbers


def test_an_agents_draws_do_not_change_when_agents_are_added(ma) -> None:
    """Buyer i gets the same attributes and schedule in a pool of 10,000 or of 20,000 men, wherever
    he is stored (slots follow the rates, so they differ between the two pools)."""
    pop = {**SMALL_POPULATION, "adult_men": 50_000}
    few = Simulation(small(ma, scale=1, population=pop), 0).initial_state().buyers
    many = Simulation(small(ma, scale=1, population={**pop, "adult_men": 100_000}), 0).initial_state().buyers
    assert many.n == 2 * few.n
    n = few.n

    def by_id(b, name: str) -> np.ndarray:
        out = np.empty(b.n, getattr(b, name).dtype)
        out[b.ident[: b.n]] = getattr(b, name)[: b.n]
        return out

    assert not np.array_equal(few.ident[:n], many.ident[:n])
    for name in ("rate", "inv_log_q", "sens", "seg", "flags", "next_cand"):
        assert np.array_equal(by_id(few, name), by_id(many, name)[:n]), name
    # and the extra agents are not copies of the first ones
    assert not np.array_equal(by_id(few, "rate"), by_id(many, "rate")[n : 2 * n])


def test_streams_are_shared_by_both_arms_and_differ_by_replicate(ma) -> None:
    sc = small(ma)
    a, b = Simulation(sc, 0), Simulation(sc, 1)
    assert a.keys == Simulation(sc, 0).keys
    assert all(a.keys[n] != b.keys[n] for n in STREAM_NAMES)
    assert len(set(a.keys.values())) == len(STREAM_NAMES)
