"""Violence against people in prostitution, under competing hypotheses (reported side by side).

Expected incidents for person ``j`` this week are ``tx_j · v_s / 1000`` times a multiplier:

- exploitation hypothesis: ``RR`` if controlled or trafficked, else 1 (less exploitation, less violence);
- displacement hypothesis (Platt et al. 2018): ``1 + (OR − 1) · x_s`` where ``x_s`` is the segment's
  exposure to repressive policing, ``min(1, (a_sell,s + w · a_buy,s) / a_ref)`` with arrests per
  person-year of people in prostitution and of buyers (weight ``w``);
- combined: the product.

Violence does not feed back into other processes, so all three are computed in every run.
"""

from __future__ import annotations

import numba as nb
import numpy as np

HYPOTHESES = ("exploitation", "displacement", "combined")


@nb.njit(cache=True)
def exposure(seller_arrests_py, buyer_arrests_py, weight, reference):
    """Each segment's exposure to repressive policing, in [0, 1]."""
    out = np.empty(seller_arrests_py.size, np.float64)
    for s in range(out.size):
        out[s] = min(1.0, (seller_arrests_py[s] + weight * buyer_arrests_py[s]) / reference)
    return out


@nb.njit(inline="always", cache=True)
def incidents(tx, per_1000, exploited, rr_exploit, disp):
    """One person's expected incidents this week under the three hypotheses (``HYPOTHESES``)."""
    base = tx * per_1000 / 1000.0
    ex = rr_exploit if exploited else 1.0
    return base * ex, base * disp, base * ex * disp
