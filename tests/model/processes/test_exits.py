"""Exit: admission order from a service's queue."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from equality_model.model.processes.exits import admit, first_in_line, queue_priority


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


@settings(max_examples=200, deadline=None)
@given(
    joined=st.lists(st.integers(-300, 0), min_size=0, max_size=60),
    victims=st.lists(st.booleans(), min_size=60, max_size=60),
    step=st.lists(st.integers(0, 3), min_size=60, max_size=60),
    places=st.lists(st.integers(0, 70), min_size=4, max_size=4),
    in_use=st.lists(st.integers(0, 20), min_size=4, max_size=4),
    victims_first=st.booleans(),
)
def test_admit_fills_free_places_in_line_order(  # type: ignore[no-untyped-def]
    joined, victims, step, places, in_use, victims_first
) -> None:
    """Each service admits min(free places, queue) people: the earliest to join, trafficking
    victims first where the implementation says so; the rest keep waiting, unchanged."""
    n = len(joined)
    nq = np.zeros(4, np.int64)
    q_idx = np.zeros((4, max(n, 1)), np.int64)
    q_pri = np.zeros((4, max(n, 1)), np.int64)
    for j in range(n):  # ids in line order, as the people pass visits them
        k = step[j]
        q_idx[k, nq[k]] = j
        q_pri[k, nq[k]] = queue_priority(joined[j], victims_first and victims[j])
        nq[k] += 1
    in_service = np.zeros(n, np.int8)
    stage_week = np.array(joined, dtype=np.int32)
    used = np.array(in_use, dtype=np.int64)
    out = np.zeros(15, np.int64)
    admit(7, q_idx, q_pri, nq.copy(), in_service, stage_week, np.array(places, float), used, out)
    for k in range(4):
        line = [j for j in range(n) if step[j] == k]
        free = max(0, places[k] - in_use[k])
        key = sorted(line, key=lambda j: (not (victims_first and victims[j]), joined[j], j))
        admitted = sorted(key[: min(free, len(line))])
        assert sorted(j for j in line if in_service[j]) == admitted
        assert all(stage_week[j] == 7 for j in admitted)
        assert all(stage_week[j] == joined[j] for j in line if j not in admitted)
        assert out[10 + k] == len(admitted) and out[2 + k] == len(line) - len(admitted)
        assert out[6 + k] == in_use[k] + len(admitted)
