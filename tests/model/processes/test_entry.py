"""Entry: the weekly counts of entrants."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from equality_model.model.processes.entry import counts

KEY = np.uint64(0x5EED)
means = st.floats(0.0, 1500.0)


@settings(max_examples=300, deadline=None)
@given(t=st.integers(0, 5000), lo=st.tuples(means, means, means), extra=st.tuples(means, means, means))
def test_a_larger_mean_never_gives_a_smaller_count(t, lo, extra) -> None:  # type: ignore[no-untyped-def]
    """Both arms invert the same uniform, so the arm with more expected entrants of a kind never
    draws fewer of them (the counts are monotonically coupled)."""
    a = np.array(lo)
    b = a + np.array(extra)
    n_a, n_b = counts(KEY, t, a), counts(KEY, t, b)
    assert (n_a >= 0).all() and (n_a <= n_b).all()
    assert np.array_equal(n_a, counts(KEY, t, a))  # a pure function of (key, kind, week, mean)


def test_counts_are_poisson_with_the_given_means() -> None:
    lam = np.array([0.4, 25.0, 900.0])  # the last far past exp(-mean)'s underflow at about 745
    draws = np.array([counts(KEY, t, lam) for t in range(20_000)])
    assert np.allclose(draws.mean(axis=0), lam, rtol=0.05, atol=0.02)
    assert np.allclose(draws.var(axis=0), lam, rtol=0.08, atol=0.03)
    assert (draws[:, 2] > 0).all()
    assert draws[:, 0].tolist() != draws[:, 1].tolist()  # each kind has its own uniform
