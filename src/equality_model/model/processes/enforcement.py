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


def buyer_arrest_probability(per_1000: np.ndarray, liable: np.ndarray) -> np.ndarray:
    """Arrest probability per completed purchase, zero where buying is lawful in the segment."""
    return np.where(liable, per_1000 / 1000.0, 0.0)


def weekly_probability(per_year: np.ndarray | float) -> np.ndarray:
    return 1.0 - np.exp(-np.asarray(per_year, dtype=np.float64) / 52.0)


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
