"""Market clearing: the week's matching tables, and prices."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from equality_model.model.processes.market import match_tables, update_prices
from equality_model.model.state import ACTIVE, EXITED


@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(1, 300),
    tx=st.tuples(*[st.floats(0, 30_000) for _ in range(3)]),
    cap=st.tuples(*[st.floats(0.1, 40) for _ in range(3)]),
    seed=st.integers(0, 2**32),
)
def test_match_tables(n, tx, cap, seed) -> None:  # type: ignore[no-untyped-def]
    """Means per active person, truncation at 3·c + 1, the Poisson CDF, and a guide table that never
    starts a lookup past its answer."""
    g = np.random.default_rng(seed)
    status = np.where(g.random(n) < 0.8, ACTIVE, EXITED).astype(np.int8)
    seg = g.integers(0, 3, n).astype(np.uint8)
    active = status == ACTIVE
    counts = np.bincount(seg[active], minlength=3)
    lam, trunc, cdf, guide = match_tables(counts, np.array(tx), np.array(cap))
    for s in range(3):
        want = tx[s] / counts[s] if counts[s] else 0.0
        assert lam[s] == want
        assert trunc[s] == min(int(3.0 * cap[s] + 1.0), 1000)
        if not 0.0 < lam[s] <= 60.0:
            continue
        k = np.arange(trunc[s] + 1)
        pmf = np.exp(-lam[s] + k * np.log(lam[s]) - np.cumsum(np.log(np.maximum(k, 1))))
        assert np.allclose(cdf[s, : trunc[s] + 1], np.cumsum(pmf), rtol=1e-9, atol=1e-12)
        n_guide = guide.shape[1]
        for gi in range(n_guide):
            k0 = guide[s, gi]
            assert k0 == trunc[s] or cdf[s, k0] >= gi / n_guide
            assert k0 == 0 or cdf[s, k0 - 1] < gi / n_guide


def test_prices_move_toward_clearing_within_bounds() -> None:
    price = np.ones(3)
    up = update_prices(price, np.array([200.0, 100.0, 0.0]), np.array([100.0, 100.0, 100.0]), 0.5)
    assert up[0] > 1.0 and up[1] > 1.0 and up[2] < 1.0
    assert (update_prices(np.full(3, 3.9), np.full(3, 1e9), np.ones(3), 1.0) == 4.0).all()
