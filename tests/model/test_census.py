"""Weekly head counts, against the NumPy masks they replace."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from equality_model.model import census
from equality_model.model.state import ACTIVE, EXITED


@settings(max_examples=100, deadline=None)
@given(n=st.integers(0, 400), seed=st.integers(0, 2**32))
def test_census_matches_numpy(n: int, seed: int) -> None:
    g = np.random.default_rng(seed)
    status = g.integers(0, 4, n).astype(np.int8)
    control = g.integers(0, 3, n).astype(np.uint8)
    seg = g.integers(0, 3, n).astype(np.uint8)
    active = status == ACTIVE
    in_play = active | (status == EXITED)

    live, by_type, by_seg0 = census.live_slots(n, status, control, seg)
    assert live.tolist() == np.flatnonzero(in_play).tolist()
    assert by_type.tolist() == np.bincount(control[active], minlength=3).tolist()
    assert by_seg0.tolist() == np.bincount(seg[active], minlength=3).tolist()
