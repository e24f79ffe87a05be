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

from equality_model.model.rng import poisson, uniform
from equality_model.model.state import ACTIVE


@nb.njit(cache=True)
def allocate(t, live, status, seg, tx, key, transactions, cap_per_seller):
    """Random matching of this week's transactions to active people, by segment.

    Each person's count is ``rng.poisson`` truncated at ``3·c_s + 1``; for means up to 60 it is
    read off the segment's cumulative table (built with the same recurrence, so the draws are
    identical) instead of recomputing ``exp(−λ)`` and the sum for every person."""
    counts = np.zeros(3, np.int64)
    for jj in range(live.size):
        j = live[jj]
        tx[j] = 0.0
        if status[j] == ACTIVE:
            counts[seg[j]] += 1
    lam = np.zeros(3, np.float64)
    cap = np.zeros(3, np.int64)
    for s in range(3):
        cap[s] = min(np.int64(3.0 * cap_per_seller[s] + 1.0), np.int64(1000))
        if counts[s] > 0:
            lam[s] = transactions[s] / counts[s]
    cdf = np.zeros((3, cap.max() + 1), np.float64)
    for s in range(3):
        if 0.0 < lam[s] <= 60.0:
            p = np.exp(-lam[s])
            acc = p
            cdf[s, 0] = acc
            for k in range(1, cap[s] + 1):
                p *= lam[s] / k
                acc += p
                cdf[s, k] = acc
    served = np.zeros(3, np.float64)
    for jj in range(live.size):
        j = live[jj]
        if status[j] != ACTIVE:
            continue
        s = seg[j]
        if lam[s] <= 0.0:
            continue
        if lam[s] > 60.0:
            k = min(poisson(key, j, t, lam[s]), cap[s])
        else:
            u = uniform(key, j, t)
            k = 0
            while k < cap[s] and u > cdf[s, k]:
                k += 1
        tx[j] = k
        served[s] += k
    return counts, served


TARGET_UTILISATION = 0.95  # the baseline market is set up to clear at this utilisation of capacity


def update_prices(price: np.ndarray, attempts: np.ndarray, capacity: np.ndarray, speed: float) -> np.ndarray:
    """Multiplicative adjustment toward clearing at the target utilisation, bounded to [0.25, 4]."""
    ratio = np.where(
        capacity > 0, np.maximum(attempts, 1.0) / np.maximum(TARGET_UTILISATION * capacity, 1.0), 1.0
    )
    return np.clip(price * ratio**speed, 0.25, 4.0)


def fill_ratio(attempts: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    return np.where(attempts > 0, np.minimum(1.0, capacity / np.maximum(attempts, 1.0)), 1.0)
