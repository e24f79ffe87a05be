"""Entry and recruitment, and trafficking inflow.

Entrants per week come in three kinds, each ``Poisson(rate_0 · factor)``: independent entrants with
factor ``S_t = (w_t / w_0)^ε_s · L_t`` (``w`` earnings per person, through which demand and price pass;
``ε_s`` the supply elasticity; ``L_t`` the change in deterrence from seller liability against baseline);
people recruited under a third party's control with ``S_t · √F_t``; trafficking victims with
``F_t = (π_t / π_0)^ε_π · exp(−κ (R_t − R_0))`` (``π`` exploiters' profit per controlled person, ``R``
their expected penalty: arrest rate × conviction × custody, plus a pass-through share of buyers'
penalty change; Lee & Persson; Cho, Dreher & Neumayer: the scale effect). The baseline rates are set
at the end of burn-in, during which entrants replace the net outflow (split by the initial make-up),
so the baseline starts in steady state. Counts are counter-based Poisson draws keyed by (kind, week),
the same uniforms in both arms (``counts``). Entrants join segments in proportion to completed
purchases.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from equality_model.model.rng import poisson, uniform
from equality_model.model.state import (
    ACTIVE,
    CONTROLLED,
    NEED_EDUCATION,
    NEED_HOUSING,
    NEED_SUD,
    NEVER,
    TRAFFICKED,
)


@nb.njit(cache=True)
def add_entrants(
    lo,
    sizes,
    p_controlled,
    trafficked,
    t,
    columns,
    key,
    seg_weights,
    seg_fallback,
    age_mean,
    tenure_years,
    debt0,
    sud_p,
    housing_p,
    edu_p,
    wish_p,
    e_alive,
    e_nctrl,
    n_e,
    per_exploiter,
):
    """Initialise groups of people (new entrants or the initial stock) in consecutive ids from
    ``lo``, drawing from their ids: group ``g`` has ``sizes[g]`` people, trafficked or not, each
    under a third party's control with ``p_controlled[g]``. ``columns`` is ``Sellers.columns()``.
    Segments are drawn in proportion to ``seg_weights`` (the week's completed purchases), or with
    the shares ``seg_fallback`` if they sum to zero. ``tenure_years`` > 0 (the initial stock) adds
    an exponential time in the trade to the entry age. Returns the number of exploiters in use
    (new exploiters are added when loads are full)."""
    (status, age, entered, seg, control, exploiter, debt, needs, record, wish, stage, in_service,
     stage_week, exited_week, reentries, tx) = columns  # fmt: skip
    seg_cum = segment_cumulative(seg_weights, seg_fallback)
    for g in range(sizes.size):
        for j in range(lo, lo + sizes[g]):
            status[j] = ACTIVE
            u = uniform(key, j, 1)
            s = 0
            while s < 2 and u >= seg_cum[s]:
                s += 1
            seg[j] = s
            a = age_mean + 5.0 * (uniform(key, j, 2) + uniform(key, j, 3) + uniform(key, j, 4) - 1.5)
            if tenure_years > 0.0:  # the initial stock: plus an exponential time in the trade
                a += min(-np.log(max(uniform(key, j, 11), 1e-12)) * tenure_years, 40.0)
            age[j] = max(18.0, a)
            entered[j] = t
            record[j] = 0
            stage[j] = -1
            in_service[j] = 0
            stage_week[j] = t
            exited_week[j] = -NEVER
            reentries[j] = 0
            tx[j] = 0.0
            c = 0
            if trafficked[g]:
                c = TRAFFICKED
            elif uniform(key, j, 5) < p_controlled[g]:
                c = CONTROLLED
            control[j] = c
            debt[j] = debt0 if c == TRAFFICKED else 0.0
            exploiter[j] = -1
            if c != 0:
                # join a random operating exploiter with room, else a new one
                e = np.int64(uniform(key, j, 6) * max(n_e, 1))
                if n_e > 0 and e_alive[e] == 1 and e_nctrl[e] < per_exploiter:
                    exploiter[j] = e
                else:
                    exploiter[j] = n_e
                    e_alive[n_e] = 1
                    e_nctrl[n_e] = 0
                    n_e += 1
                e_nctrl[exploiter[j]] += 1
            sud = NEED_SUD if uniform(key, j, 7) < sud_p[s] else 0
            hou = NEED_HOUSING if uniform(key, j, 8) < housing_p[s] else 0
            edu = NEED_EDUCATION if uniform(key, j, 9) < edu_p else 0
            needs[j] = sud | hou | edu
            wish[j] = 1 if uniform(key, j, 10) < wish_p else 0
        lo += sizes[g]
    return n_e


@nb.njit(cache=True)
def counts(key, t, lam):
    """The week's entrant counts by kind (independent, controlled, trafficked): Poisson with means
    ``lam``, by exact inversion of the uniform keyed by (kind, week) (``rng.poisson``).
    Both arms invert the same uniform, so a larger mean never gives a smaller count."""
    out = np.empty(3, np.int64)
    for k in range(3):
        out[k] = poisson(key, k, t, lam[k])
    return out


@nb.njit(cache=True)
def segment_cumulative(weights, fallback):
    """Cumulative segment shares (street, street + indoor) in proportion to ``weights``, or the
    shares ``fallback`` if the weights sum to zero."""
    tot = 0.0
    for k in range(3):
        tot += weights[k]
    out = np.empty(2, np.float64)
    if tot > 0.0:
        out[0] = weights[0] / tot
        out[1] = out[0] + weights[1] / tot
    else:
        out[0] = fallback[0]
        out[1] = fallback[0] + fallback[1]
    return out
