"""Exit: admission order from a service's queue."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from equality_model.model.processes.exits import first_in_line


@settings(max_examples=300, deadline=None)
@given(
    pri=st.lists(st.integers(-5, 5) | st.integers(-(2**41), 2**31), min_size=0, max_size=200),
    take=st.integers(0, 210),
)
def test_first_in_line_is_a_stable_sorts_head(pri: list[int], take: int) -> None:
    """The shortlist admits exactly whom a stable sort of the queue would: lowest priority first,
    ties to the earlier place in the queue."""
    a = np.array(pri, dtype=np.int64)
    take = min(take, a.size)
    got = first_in_line(a, take)
    want = np.argsort(a, kind="stable")[:take]
    assert sorted(got.tolist()) == sorted(want.tolist())


def test_first_in_line_breaks_ties_by_place_in_the_queue() -> None:
    pri = np.array([3, 1, 3, 1, 3], dtype=np.int64)
    assert sorted(first_in_line(pri, 3).tolist()) == [0, 1, 3]
