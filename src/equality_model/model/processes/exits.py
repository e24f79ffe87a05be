"""Exit: the wish to exit, services limited by capacity, record relief, and exits without services.

A person with a wish to exit (and, if controlled, a chance to reach services) joins the queue of her
first needed step: substance-use treatment, housing, education and training, then job placement.
Each service admits from its queue up to its free places (first come first served, or trafficking
victims first), holds a person for its duration, and succeeds with its effect probability; a selling
record lowers job placement's success by the record barrier unless relieved. Success at the last step
is an exit through services; failure returns the person to the trade with her wish intact. Relief
(vacatur, sealing, expungement) clears records at the rate the law allows: automatic relief clears all
at once; relief on motion clears records of people in the pathway at a yearly rate.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from equality_model.model.rng import uniform
from equality_model.model.state import (
    NEED_EDUCATION,
    NEED_HOUSING,
    NEED_SUD,
)

SUD, HOUSING, EDUCATION, JOBS = 0, 1, 2, 3


@nb.njit(inline="always", cache=True)
def next_step(needs, after):
    """The first needed service index strictly after ``after`` (jobs is always needed)."""
    for k in range(after + 1, 4):
        if k == SUD and (needs & NEED_SUD):
            return k
        if k == HOUSING and (needs & NEED_HOUSING):
            return k
        if k == EDUCATION and (needs & NEED_EDUCATION):
            return k
        if k == JOBS:
            return k
    return 4


@nb.njit(cache=True)
def first_in_line(pri, take):
    """Positions of the ``take`` smallest priorities, ties to the earlier position: the set a stable
    sort's first ``take`` would admit, found in linear time (the ``take``-th smallest priority by
    selection, then one pass) instead of sorting the whole queue every week."""
    n = pri.size
    if take <= 0:
        return np.empty(0, np.int64)
    if take >= n:
        return np.arange(n)
    cut = np.partition(pri.copy(), take - 1)[take - 1]
    below = 0
    for i in range(n):
        below += pri[i] < cut
    ties = take - below  # places left for those at the cut, in queue order
    out = np.empty(take, np.int64)
    m = 0
    for i in range(n):
        v = pri[i]
        if v < cut or (v == cut and ties > 0):
            if v == cut:
                ties -= 1
            out[m] = i
            m += 1
    return out


@nb.njit(inline="always", cache=True)
def completion_success(success, step, has_record, record_barrier):
    """Chance that a service ends in success; a selling record lowers job placement's."""
    if step == JOBS and has_record:
        return success * (1.0 - record_barrier)
    return success


@nb.njit(inline="always", cache=True)
def unassisted_probability(base, has_wish, controlled, wish_ratio, controlled_access):
    """Weekly chance of leaving without services: higher with a wish to exit, lower under control."""
    p = base * (wish_ratio if has_wish else 1.0)
    if controlled:
        p *= controlled_access
    return p


@nb.njit(inline="always", cache=True)
def queue_priority(joined, trafficked_first_victim):
    """Place in a service's queue: the week the person joined it, trafficking victims ahead where
    the implementation puts them first (lower goes first; ties go to the earlier place in line)."""
    return np.int64(joined) - (np.int64(1) << 40 if trafficked_first_victim else np.int64(0))


@nb.njit(cache=True)
def admit(t, q_idx, q_pri, nq, in_service, stage_week, places, in_use, out):
    """Admissions from each service's queue up to its free places: first come, first served (or
    trafficking victims first). ``q_idx[k, :nq[k]]`` are the ids waiting for service ``k`` in line
    order and ``q_pri`` their priorities (``queue_priority``). Writes waiting (``out[2:6]``), in
    service (``out[6:10]``) and admitted (``out[10:14]``)."""
    for k in range(4):
        n_k = nq[k]
        free = np.int64(places[k]) - in_use[k]
        if n_k > 0 and free > 0:
            take = min(free, n_k)
            chosen = first_in_line(q_pri[k, :n_k], take)
            for q in range(take):
                j = q_idx[k, chosen[q]]
                in_service[j] = 1
                stage_week[j] = t
            out[10 + k] = take
            in_use[k] += take
            n_k -= take
        out[2 + k] = n_k
        out[6 + k] = in_use[k]


@nb.njit(cache=True)
def whole_places(capacity, key, t):
    """Places in agents: the whole part, plus one more with probability equal to the fraction.

    At scale > 1 a pool of, say, 100 places is 0.5 agent-places; truncating would lose it."""
    out = np.empty(capacity.size, np.float64)
    for k in range(capacity.size):
        c = capacity[k]
        whole = np.floor(c)
        out[k] = whole + (1.0 if uniform(key, k, t) < c - whole else 0.0)
    return out
