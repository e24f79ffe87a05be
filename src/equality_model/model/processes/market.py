"""Market clearing per segment: transactions go to people in prostitution, and prices move.

Completed purchases in segment ``s`` are matched at random to active people in that segment:
person ``j`` serves ``Poisson(T_s / n_s)`` transactions, truncated at ``3·c_s + 1`` (``c_s`` her weekly
capacity) so one person cannot absorb an implausible share; the served total is used for earnings
and violence, the purchase count for the market. The price index
moves toward clearing: ``P_s ← P_s · (A_s / (u* C_s))^κ`` where ``A_s`` is attempts, ``C_s``
capacity, ``u*`` the target utilisation (0.95, at which the baseline is set up) and ``κ`` the
adjustment speed. The fill ratio ``min(1, C_s / A_s)`` is next week's chance that
an attempt finds a seller.
"""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True)
def match_tables(counts, transactions, cap_per_seller):
    """The week's matching tables per segment, from the active people in each (``counts``): mean
    ``λ_s``, truncation ``3·c_s + 1``, the Poisson cumulative table and a guide table (Chen & Asau's
    indexed search: ``guide[s, g]`` is the first ``k`` with ``cdf[s, k] >= g/G``), so each person's
    count is found next to its answer.

    The table is built with ``rng.poisson``'s recurrence, so a lookup gives exactly
    ``min(rng.poisson(key, j, t, λ_s), 3·c_s + 1)``; means above 60 use ``rng.poisson`` directly."""
    lam = np.zeros(3, np.float64)
    cap = np.zeros(3, np.int64)
    for s in range(3):
        cap[s] = min(np.int64(3.0 * cap_per_seller[s] + 1.0), np.int64(1000))
        if counts[s] > 0:
            lam[s] = transactions[s] / counts[s]
    width = cap.max() + 1
    cdf = np.zeros((3, width), np.float64)
    guide = np.zeros((3, 4 * width), np.int64)
    n_guide = guide.shape[1]
    for s in range(3):
        if 0.0 < lam[s] <= 60.0:
            p = np.exp(-lam[s])
            acc = p
            cdf[s, 0] = acc
            for k in range(1, cap[s] + 1):
                p *= lam[s] / k
                acc += p
                cdf[s, k] = acc
            k = 0
            for g in range(n_guide):
                while k < cap[s] and cdf[s, k] < g / n_guide:
                    k += 1
                guide[s, g] = k
    return lam, cap, cdf, guide


TARGET_UTILISATION = 0.95  # the baseline market is set up to clear at this utilisation of capacity


@nb.njit(cache=True)
def update_prices(price, attempts, capacity, speed):
    """Multiplicative adjustment toward clearing at the target utilisation, bounded to [0.25, 4]."""
    out = np.empty(price.size, np.float64)
    for s in range(price.size):
        ratio = 1.0
        if capacity[s] > 0:
            ratio = max(attempts[s], 1.0) / max(TARGET_UTILISATION * capacity[s], 1.0)
        out[s] = min(max(price[s] * ratio**speed, 0.25), 4.0)
    return out


@nb.njit(cache=True)
def fill_ratio(attempts, capacity):
    """Next week's chance that a purchase attempt finds a seller."""
    out = np.empty(attempts.size, np.float64)
    for s in range(attempts.size):
        out[s] = min(1.0, capacity[s] / max(attempts[s], 1.0)) if attempts[s] > 0 else 1.0
    return out
