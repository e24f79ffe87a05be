"""Demand: the buyer kernel's purchase decision, and where newcomers to the pool are stored."""

from __future__ import annotations

import numba as nb
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from equality_model.model.processes.demand import RATE_BUCKETS, THINNING_BOUND, _buys, place_order

from ..simkit import rate_class


@nb.njit
def _buys_direct(u, lam, m, sens_i, d, personal, q):  # type: ignore[no-untyped-def]
    det = np.exp(-sens_i * d) if d != 0.0 else 1.0
    return u < lam * m * det * personal / q


@settings(max_examples=3000, deadline=None)
@given(
    k=st.integers(0, 2**21 - 1),
    lam=st.floats(1e-6, 0.95),
    m=st.floats(0.05, 3.0),
    sens_i=st.floats(0.0, 30.0),
    d=st.one_of(st.just(0.0), st.floats(-2.0, 5.0)),
    course=st.booleans(),
)
@example(k=1048576, lam=0.4, m=1.0, sens_i=1.0, d=1e-12, course=False)
def test_bounded_decision_equals_evaluating_the_exponential(k, lam, m, sens_i, d, course) -> None:  # type: ignore[no-untyped-def]
    """The bounds only skip the exponential: every decision is the one the formula gives, also
    for uniforms on the edge (u is a multiple of 2^-21, as in the kernel)."""
    u = k / 2097152.0
    personal = 0.6 if course else 1.0
    q = min(1.0, THINNING_BOUND * lam)
    assert _buys(u, lam, m, sens_i, d, personal, q) == _buys_direct(u, lam, m, sens_i, d, personal, q)
    # the uniform that sits exactly on the computed probability, and its neighbours
    p = lam * m * (np.exp(-sens_i * d) if d != 0.0 else 1.0) * personal / q
    for v in (p, np.nextafter(p, 0.0), np.nextafter(p, 2.0)):
        assert _buys(v, lam, m, sens_i, d, personal, q) == _buys_direct(v, lam, m, sens_i, d, personal, q)


@given(st.floats(1e-300, 0.95), st.floats(1e-300, 0.95))
def test_rate_classes_fall_as_rates_rise_and_span_at_most_an_eighth_of_a_power_of_two(a, b) -> None:  # type: ignore[no-untyped-def]
    lo, hi = min(a, b), max(a, b)
    c_lo, c_hi = rate_class(np.array([lo, hi]))
    assert c_hi <= c_lo
    if c_hi == c_lo and c_lo < RATE_BUCKETS - 1:
        assert hi / lo < 1.125 + 1e-12


@settings(max_examples=300, deadline=None)
@given(
    rates=st.lists(st.sampled_from([0.0, 0.001, 0.2, 0.95]) | st.floats(0.0, 0.95), max_size=40),
    data=st.data(),
)
def test_newcomers_take_the_free_slots_highest_rate_lowest_slot(rates, data) -> None:  # type: ignore[no-untyped-def]
    """Every free slot is taken once, every newcomer placed once, and rate classes fall as slots
    rise, so the pool (ordered by rate at the start) stays nearly sorted in memory."""
    r = np.array(rates, np.float64)
    free = np.array(
        data.draw(st.lists(st.integers(0, 10_000), min_size=r.size, max_size=r.size, unique=True)), np.int64
    )
    order, slots = place_order(r, free)
    assert sorted(order.tolist()) == list(range(r.size))
    assert np.array_equal(slots, np.sort(free))
    cls = rate_class(r[order])
    assert (np.diff(cls) >= 0).all()  # the highest rate class goes to the lowest slot
    same = np.flatnonzero(np.diff(cls) == 0)
    assert (order[same] < order[same + 1]).all()  # in arrival order within a class


def test_rate_fit_cache_keeps_the_newest_fits_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from equality_model.model.processes import demand

    monkeypatch.setattr(demand, "_RATE_FITS", {})  # this process's real fits are left alone
    for k in range(demand.RATE_FITS_KEPT + 3):
        demand.remember_rate_fit((0.5, 0.1, float(k)), (1.0, float(k)))
    assert len(demand._RATE_FITS) == demand.RATE_FITS_KEPT
    assert (0.5, 0.1, 0.0) not in demand._RATE_FITS  # the oldest went first
    last = float(demand.RATE_FITS_KEPT + 2)
    assert demand.fit_rate_distribution(0.5, 0.1, last) == (1.0, last)
