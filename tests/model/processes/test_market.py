"""Market clearing: the matching of transactions to people in prostitution."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from equality_model.model.processes.market import allocate
from equality_model.model.rng import poisson
from equality_model.model.state import ACTIVE, EXITED


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 300),
    tx=st.tuples(*[st.floats(0, 30_000) for _ in range(3)]),
    cap=st.tuples(*[st.floats(0.1, 40) for _ in range(3)]),
    seed=st.integers(0, 2**32),
    t=st.integers(-200, 600),
)
def test_allocate_draws_each_persons_truncated_poisson(n, tx, cap, seed, t) -> None:  # type: ignore[no-untyped-def]
    """The table lookup gives every person exactly ``min(rng.poisson(λ_s), 3·c_s + 1)``."""
    g = np.random.default_rng(seed)
    status = np.where(g.random(n) < 0.8, ACTIVE, EXITED).astype(np.int8)
    seg = g.integers(0, 3, n).astype(np.uint8)
    live = np.arange(n, dtype=np.int64)
    out = np.full(n, -1.0, np.float32)
    key = np.uint64(seed)
    transactions, cap_per = np.array(tx), np.array(cap)
    counts, served = allocate(np.int32(t), live, status, seg, out, key, transactions, cap_per)
    active = status == ACTIVE
    assert counts.tolist() == np.bincount(seg[active], minlength=3).tolist()
    for j in range(n):
        if not active[j]:
            assert out[j] == 0.0
            continue
        s = seg[j]
        lam = transactions[s] / counts[s]
        want = min(poisson(key, j, t, lam), int(3.0 * cap_per[s] + 1.0))
        assert out[j] == want, (j, lam)
    assert served.tolist() == [float(out[active & (seg == s)].sum()) for s in range(3)]
