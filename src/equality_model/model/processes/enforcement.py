"""Enforcement against exactly the parties the law makes liable, with effort from the scenario.

Effort is given in observable units (buyer arrests per 1,000 purchases; arrests per person-year
for people in prostitution; per exploiter-year for third parties). The law gates it: where
selling is lawful in a segment there are no arrests of sellers there, where buying is lawful
none of buyers, and a Canada-style partial liability (street soliciting only) applies only to
the street segment. Convictions create a selling record; a convicted exploiter stops operating,
which frees the people he controlled, and identified trafficking victims are referred to exit services.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from equality_model.model.rng import uniform
from equality_model.model.state import ACTIVE, INDEPENDENT, TRAFFICKED


def buyer_arrest_probability(per_1000: np.ndarray, liable: np.ndarray) -> np.ndarray:
    """Arrest probability per completed purchase, zero where buying is lawful in the segment."""
    return np.where(liable, per_1000 / 1000.0, 0.0)


def weekly_probability(per_year: np.ndarray | float) -> np.ndarray:
    return 1.0 - np.exp(-np.asarray(per_year, dtype=np.float64) / 52.0)


@nb.njit(cache=True)
def arrest_sellers(t, live, status, seg, record, key_arrest, key_convict, p_week, convict_p):
    """Arrests (and convictions) of people in prostitution; p_week is zero where selling is lawful."""
    arrests = np.zeros(3, np.int64)
    convictions = np.zeros(3, np.int64)
    for jj in range(live.size):
        j = live[jj]
        if status[j] != ACTIVE:
            continue
        s = seg[j]
        if p_week[s] <= 0.0:
            continue
        if uniform(key_arrest, j, t) < p_week[s]:
            arrests[s] += 1
            if uniform(key_convict, j, t) < convict_p:
                convictions[s] += 1
                record[j] = 1
    return arrests, convictions


@nb.njit(cache=True)
def arrest_exploiters(t, n_e, alive, n_ctrl, key_arrest, key_convict, p_week, convict_p):
    """Arrests of exploiters; convicted ones stop operating."""
    n_arr = 0
    n_conv = 0
    for e in range(n_e):
        if alive[e] == 0 or p_week <= 0.0:
            continue
        if uniform(key_arrest, e, t) < p_week:
            n_arr += 1
            if uniform(key_convict, e, t) < convict_p:
                n_conv += 1
                alive[e] = 0
                n_ctrl[e] = 0
    return n_arr, n_conv


@nb.njit(cache=True)
def free_controlled(live, status, control, exploiter, debt, wish, e_alive):
    """People whose exploiter stopped operating become independent; victims are identified."""
    freed = 0
    identified = 0
    for jj in range(live.size):
        j = live[jj]
        e = exploiter[j]
        if e < 0 or e_alive[e] != 0:
            continue
        if status[j] == ACTIVE and control[j] == TRAFFICKED:
            identified += 1
            wish[j] = 1
        control[j] = INDEPENDENT
        exploiter[j] = -1
        debt[j] = 0.0
        freed += 1
    return freed, identified
