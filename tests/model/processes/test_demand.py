"""Demand: the buyer kernel's purchase decision."""

from __future__ import annotations

import numba as nb
import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from equality_model.model.processes.demand import THINNING_BOUND, _buys


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
