"""Re-entry, ageing and mortality of people in prostitution (and who leaves for good).

People who exited re-enter with a weekly hazard ``h`` in their first year (``1 − (1 − h)^52`` equals
the re-entry parameter) and a quarter of it in the next two; after three years an exit counts as
sustained (a structural assumption that keeps the baseline stationary after burn-in).
Everyone ages a week; death occurs at the yearly
mortality rate; at the age-out age a person leaves for good.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from equality_model.model.rng import uniform
from equality_model.model.state import ACTIVE, EXITED, GONE

SUSTAINED_WEEKS = 156


@nb.njit(cache=True)
def demography_week(
    t,
    live,
    status,
    age,
    wish,
    stage,
    in_service,
    exited_week,
    reentries,
    entered,
    keys,
    reentry_p_week,
    mort_p_week,
    age_out,
):
    """Returns [re-entries, deaths among active, aged out among active]."""
    out = np.zeros(3, np.int64)
    for jj in range(live.size):
        j = live[jj]
        st = status[j]
        if st in (ACTIVE, EXITED):
            age[j] += np.float32(1.0 / 52.0)
        if st == EXITED:
            since = t - exited_week[j]
            if since >= SUSTAINED_WEEKS:
                status[j] = GONE  # a sustained exit: no longer at risk of re-entry in the model
                continue
            h = reentry_p_week if since < 52 else 0.25 * reentry_p_week
            if uniform(keys[0], j, t) < h:
                status[j] = ACTIVE
                reentries[j] += 1
                entered[j] = t
                wish[j] = 0
                stage[j] = -1
                in_service[j] = 0
                out[0] += 1
            elif age[j] >= age_out:
                status[j] = GONE
            continue
        if st != ACTIVE:
            continue
        if uniform(keys[1], j, t) < mort_p_week:
            status[j] = GONE
            out[1] += 1
        elif age[j] >= age_out:
            status[j] = GONE
            out[2] += 1
    return out
