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
    ACTIVE,
    EXITED,
    INDEPENDENT,
    NEED_EDUCATION,
    NEED_HOUSING,
    NEED_SUD,
    TRAFFICKED,
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


SMALL_TAKE = 64  # below this many admissions, a running shortlist beats sorting the whole queue


@nb.njit(cache=True)
def first_in_line(pri, take):
    """Positions of the ``take`` smallest priorities, ties to the earlier position (a stable sort's
    first ``take``). Usually few places free up in a week while the queue is long, so a running
    shortlist is kept instead of sorting the queue every week."""
    n = pri.size
    if take <= 0:
        return np.empty(0, np.int64)
    if take >= n:
        return np.arange(n)
    if take > SMALL_TAKE:
        return np.argsort(pri, kind="mergesort")[:take]
    best = np.empty(take, np.int64)  # positions, in order of (priority, position)
    m = 0
    for i in range(n):
        v = pri[i]
        if m == take and v >= pri[best[m - 1]]:
            continue  # not ahead of the last on the shortlist (ties go to the earlier position)
        q = m if m < take else take - 1
        while q > 0 and pri[best[q - 1]] > v:
            best[q] = best[q - 1]
            q -= 1
        best[q] = i
        if m < take:
            m += 1
    return best


@nb.njit(cache=True)
def exit_week(
    t,
    live,
    status,
    control,
    needs,
    record,
    wish,
    stage,
    in_service,
    stage_week,
    exited_week,
    keys,
    wish_p_week,
    controlled_access,
    capacity,
    weeks,
    success,
    record_barrier,
    trafficked_first,
    relief_p_week,
    unassisted_p_week,
    wish_ratio,
):
    """One week of the exit pathway. Returns counts:
    [exits via services, unassisted exits, waiting (4), in service (4), admitted (4), relieved records]."""
    out = np.zeros(15, np.int64)
    in_use = np.zeros(4, np.int64)
    # 1. completions of people in service
    for jj in range(live.size):
        j = live[jj]
        if status[j] != ACTIVE or stage[j] < 0 or in_service[j] == 0:
            continue
        k = stage[j]
        if t - stage_week[j] < weeks[k]:
            in_use[k] += 1
            continue
        p = success[k]
        if k == JOBS and record[j] == 1:
            p *= 1.0 - record_barrier
        if uniform(keys[0], j, t) < p:
            nk = next_step(needs[j], k)
            if nk >= 4:
                status[j] = EXITED
                exited_week[j] = t
                stage[j] = -1
                in_service[j] = 0
                out[0] += 1
                continue
            stage[j] = nk
            in_service[j] = 0
            stage_week[j] = t
        else:
            stage[j] = -1
            in_service[j] = 0
    # 2. wishes, queueing, relief and unassisted exit
    for jj in range(live.size):
        j = live[jj]
        if status[j] != ACTIVE:
            continue
        if wish[j] == 0 and uniform(keys[1], j, t) < wish_p_week:
            wish[j] = 1
        if (
            wish[j] == 1
            and stage[j] < 0
            and (control[j] == INDEPENDENT or uniform(keys[2], j, t) < controlled_access)
        ):
            stage[j] = next_step(needs[j], -1)
            in_service[j] = 0
            stage_week[j] = t
        if (
            record[j] == 1
            and stage[j] >= 0
            and relief_p_week > 0.0
            and uniform(keys[3], j, t) < relief_p_week
        ):
            record[j] = 0
            out[14] += 1
        if stage[j] < 0 or in_service[j] == 0:
            p = unassisted_p_week * (wish_ratio if wish[j] == 1 else 1.0)
            if control[j] != INDEPENDENT:
                p *= controlled_access
            if uniform(keys[4], j, t) < p:
                status[j] = EXITED
                exited_week[j] = t
                stage[j] = -1
                out[1] += 1
    # 3. admissions from queues, in priority order: one pass sorts the queues' members by service
    nq = np.zeros(4, np.int64)
    for jj in range(live.size):
        j = live[jj]
        if status[j] == ACTIVE and stage[j] >= 0 and in_service[j] == 0:
            nq[stage[j]] += 1
    start = np.zeros(5, np.int64)
    for k in range(4):
        start[k + 1] = start[k] + nq[k]
    fill = start[:4].copy()
    idx = np.empty(start[4], np.int64)
    pri = np.empty(start[4], np.int64)
    for jj in range(live.size):
        j = live[jj]
        if status[j] == ACTIVE and stage[j] >= 0 and in_service[j] == 0:
            k = stage[j]
            boost = 0
            if trafficked_first and control[j] == TRAFFICKED:
                boost = 1 << 40
            idx[fill[k]] = j
            pri[fill[k]] = np.int64(stage_week[j]) - boost
            fill[k] += 1
    for k in range(4):
        free = np.int64(capacity[k]) - in_use[k]
        if nq[k] > 0 and free > 0:
            take = min(free, nq[k])
            chosen = first_in_line(pri[start[k] : start[k + 1]], take)
            for q in range(take):
                j = idx[start[k] + chosen[q]]
                in_service[j] = 1
                stage_week[j] = t
            out[10 + k] = take
            in_use[k] += take
            nq[k] -= take
        out[2 + k] = nq[k]
        out[6 + k] = in_use[k]
    return out


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


@nb.njit(cache=True)
def clear_all_records(live, record):
    c = 0
    for jj in range(live.size):
        j = live[jj]
        if record[j] == 1:
            record[j] = 0
            c += 1
    return c
