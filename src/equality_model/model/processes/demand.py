"""Demand: which buyers try to buy this week, where, and what happens when they are arrested.

Each buyer ``i`` has a baseline weekly purchase probability ``λ_i`` (Gamma-distributed across
the pool, fitted to the US buyer structure, see ``fit_rate_distribution``). In week ``t`` he buys
in segment ``s`` with probability

    p_i,t = λ_i · m_s,t · exp(−σ_i · ΔR_s,t) · (1 − c_i·e)

where ``m_s,t = exp(ν_t) · P_s,t^ε_d`` (norms and price), ``ΔR_s,t`` the change in his expected
penalty per purchase against baseline (perceived arrest risk × penalty, in custody-month
equivalents), ``σ_i`` his risk sensitivity (lognormal), ``c_i`` course attendance with effect ``e``.

Thinning: candidate purchase weeks follow a Bernoulli process at the bound ``q_i = min(1, M·λ_i)``,
drawn as geometric skips into ``next_cand``, and a candidate is accepted with probability
``p_i,t / q_i``. This is exact for ``p_i,t ≤ q_i``; the week's heavy work is proportional to
purchases, and the rest is one sequential scan of a 4-byte array. Leaving the pool is a calendar
queue (one linked list per week). A buyer
deterred in his segment buys in the least-risky segment instead with probability ``displacement``
(same uniform, so arms stay coupled). A purchase finds a seller with the lagged fill ratio; a
completed purchase leads to arrest with the segment's arrest probability where the law makes
buyers liable (``enforcement.buyer_arrest_probability``).

Active buyers (a purchase in the last 52 weeks) are counted incrementally with an expiry ring.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from equality_model.model.rng import draw_u64, geometric_gap, geometric_skip, normal, uniform
from equality_model.model.state import B_ALIVE, B_COURSE, B_DESISTED, CAND_GROUP, U

THINNING_BOUND = 1.25  # M: demand may rise at most 25% above baseline conditions (documented cap)
NIL = np.int32(-1)
NEVER_WEEK = np.int32(2**30)
# counters returned by buyer_week
C_ATTEMPT, C_TX, C_ARREST, C_CONVICT, C_LEFT, C_DESIST, C_CAND, C_ACTIVE = 0, 3, 6, 9, 12, 13, 14, 15
N_COUNTERS = 16
_INV21 = 1.0 / 2097152.0
N_CHUNKS = 16
BLOCK = 4096  # ids are dealt to chunks in blocks, round robin: a fixed, balanced mapping


# fitted rate distributions by target: a fit takes about 0.1 s, and every replicate of a scenario
# asks for the same one (the oldest are dropped beyond RATE_FITS_KEPT, as an LRU cache would)
_RATE_FITS: dict[tuple[float, float, float], tuple[float, float]] = {}
RATE_FITS_KEPT = 256


def fit_rate_distribution(share_active: float, hf_share: float, hf_tx_share: float) -> tuple[float, float]:
    """Gamma(shape, scale) of weekly purchase rates matching the buyer-structure targets.

    Targets (Demand Abolition 2019): share of ever-buyers who bought in the past year; share of
    those who buy 12+ times a year; their share of purchases. Annual counts are negative binomial.
    Cached per process; a worker process is handed its parent's fit (``remember_rate_fit``), so it
    never imports SciPy (about 0.7 s of a worker's start-up).
    """
    key = (float(share_active), float(hf_share), float(hf_tx_share))
    fit = _RATE_FITS.get(key)
    if fit is None:
        fit = _fit_rate_distribution(*key)
        remember_rate_fit(key, fit)
    return fit


def remember_rate_fit(targets: tuple[float, float, float], fit: tuple[float, float]) -> None:
    while len(_RATE_FITS) >= RATE_FITS_KEPT:
        del _RATE_FITS[next(iter(_RATE_FITS))]  # the oldest
    _RATE_FITS[targets] = fit


def _fit_rate_distribution(share_active: float, hf_share: float, hf_tx_share: float) -> tuple[float, float]:
    from scipy import optimize, stats  # here, so that importing the engine does not load SciPy

    def moments(k: float, th: float) -> tuple[float, float, float]:
        d = stats.nbinom(k, 1.0 / (1.0 + 52.0 * th))
        act = 1.0 - d.pmf(0)
        ys = np.arange(0, 4000)
        pm = d.pmf(ys)
        return act, d.sf(11) / act, float((ys[12:] * pm[12:]).sum() / (ys * pm).sum())

    def loss(x: np.ndarray) -> float:
        a, h, s = moments(*np.exp(x))
        return float(np.log(a / share_active) ** 2 + np.log(h / hf_share) ** 2 + np.log(s / hf_tx_share) ** 2)

    res = optimize.minimize(
        loss, np.log([0.2, 0.05]), method="Nelder-Mead", options={"xatol": 1e-6, "fatol": 1e-12}
    )
    k, th = np.exp(res.x)
    return float(k), float(th)


@nb.njit(inline="always", cache=True)
def _buys(u, lam, m, sens_i, d, personal, q):
    """``u < λ·m·exp(−σ·d)·personal/q``, with the same floating-point result as evaluating it.

    The bounds ``1 − x ≤ e^−x ≤ 1 − x + x²/2`` (the upper one for ``x ≥ 0``) settle almost every
    candidate without the exponential, the kernel's costliest instruction; the margins of 1e-9
    are far wider than the few ulps of rounding, so a decision near the edge takes the exact path."""
    a = lam * m * personal / q  # the whole probability when d = 0 (×1.0 is exact)
    if d == 0.0:
        return u < a
    x = sens_i * d
    if u < a * (1.0 - x) * (1.0 - 1e-9):
        return True
    if x >= 0.0 and u >= a * (1.0 - x + 0.5 * x * x) * (1.0 + 1e-9):
        return False
    return u < lam * m * np.exp(-x) * personal / q


@nb.njit(inline="always", cache=True)
def _push(head, nxt, slot, i):
    nxt[i] = head[slot]
    head[slot] = i


@nb.njit(cache=True, error_model="numpy")
def _leavers(t, t0, slot, flags, last_buy, next_cand, leave_head, leave_next, expire, active):
    n_left = 0
    i = leave_head[slot]
    while i != NIL:
        n_left += 1
        i = leave_next[i]
    left = np.empty(n_left, np.int64)
    i = leave_head[slot]
    k = 0
    while i != NIL:
        next_cand[i] = NEVER_WEEK
        c = (i // BLOCK) % N_CHUNKS
        for a in range(flags.shape[1]):
            flags[i, a] = flags[i, a] & ~np.uint8(B_ALIVE)
            lb = last_buy[i, a]
            if lb > t - 52:
                active[a, c] -= 1
                if lb + 52 - t0 < expire.shape[2]:
                    expire[a, c, lb + 52 - t0] -= 1
        left[k] = i
        k += 1
        i = leave_next[i]
    return left


def _buyer_week(
    t,
    t0,
    n,
    rate,
    inv_log_q,
    sens,
    seg,
    next_cand,
    leave_head,
    leave_next,
    ident,  # the buyer's permanent id per slot: every draw is keyed by it
    cand_min,  # int32[slots / CAND_GROUP]: a lower bound of next_cand per group of slots
    flags,  # uint8[slots, arms]: alive, desisted, course
    last_buy,  # int32[slots, arms]
    deter_until,  # int32[slots, arms]
    expire,  # int64[arms, N_CHUNKS, weeks + 52]: active buyers whose last purchase expires that week
    active,  # int64[arms, N_CHUNKS]: buyers with a purchase in the last 52 weeks
    keys,  # uint64[4]: candidate, week draws (accept/fill/arrest), convict/desist/course, deterrence
    mult,  # float64[arms, 3] and likewise dpen, fill, arrest_p: the arms' conditions
    dpen,
    displacement,
    fill,
    arrest_p,
    convict_p,
    desist_p,
    deter_weeks,
    course_on,  # bool[arms]
    course_attend,
    course_effect,
):
    """One week of the buyer pool for one arm, or for two arms in lockstep, in parallel chunks of slots.

    The candidate schedule (``next_cand``) and the buyers' fixed attributes do not depend on policy,
    so two arms share the scan, the gap draws and the week's uniforms; each arm keeps its own
    desistance, deterrence, course and purchase history (a column of ``flags``, ``deter_until``,
    ``last_buy``). Each candidate is decided in every arm in turn, so his attributes are read once.
    A buyer who desists stays in the schedule and is skipped in the arm where he desisted. Every
    draw is keyed by (buyer id, week), never by slot, and counters are integers summed per chunk,
    so results depend neither on the number of threads nor on where a buyer is stored.
    Returns the counters (arm × counter) and the slots of buyers who left."""
    n_arms = flags.shape[1]
    slot = t - t0  # this week's entry of the expiry ring; the ring has weeks + 52 entries
    n_blocks = (n + BLOCK - 1) // BLOCK
    for a in range(n_arms):
        for c in range(N_CHUNKS):
            active[a, c] -= expire[a, c, slot]  # purchases older than 52 weeks expire from the count
    left = _leavers(t, t0, slot, flags, last_buy, next_cand, leave_head, leave_next, expire, active)
    best = np.zeros(n_arms, np.int64)
    for a in range(n_arms):
        for s in range(3):
            if dpen[a, s] < dpen[a, best[a]]:
                best[a] = s
    counts = np.zeros((N_CHUNKS, n_arms, N_COUNTERS), np.int64)
    for c in nb.prange(N_CHUNKS):
        cand = np.empty(BLOCK, np.int64)  # scratch: the block's candidate slots, ids and draw bits
        cid = np.empty(BLOCK, np.int64)
        bits = np.empty(BLOCK, np.uint64)
        out = counts[c]
        newly = np.zeros(n_arms, np.int64)  # the block's buyers with no purchase in the last 52 weeks
        bought = np.zeros(n_arms, np.int64)  # the block's purchases, which expire in week t + 52
        for blk in range(c, n_blocks, N_CHUNKS):
            # a tight scan for this block's candidates, then their next candidate week and the
            # week's shared draw bits, then each candidate's decision in each arm. Slots and arms
            # index as unsigned integers (``U``): Numba wraps negative signed indices, which cost
            # three instructions an access, 8 % of the lockstep week (measured)
            mu = U(0)
            hi = min(n, (blk + 1) * BLOCK)
            g0, g1 = blk * (BLOCK // CAND_GROUP), (hi + CAND_GROUP - 1) // CAND_GROUP
            for g in range(g0, g1):
                if cand_min[g] > t:
                    continue  # no candidate in this group this week
                for i in range(U(g * CAND_GROUP), U(min(hi, (g + 1) * CAND_GROUP))):
                    cand[mu] = i
                    mu += U(next_cand[i] == t)
            m = np.int64(mu)
            for ci in range(m):
                i = U(cand[ci])
                j = np.int64(ident[i])
                cid[ci] = j
                iv = inv_log_q[i]
                gap = geometric_gap(keys[0], j, t, -iv) if iv < 0.0 else np.int64(1)
                next_cand[i] = np.int32(min(np.int64(t) + gap, np.int64(NEVER_WEEK)))
                bits[ci] = draw_u64(keys[1], j, t)
            for g in range(g0, g1):  # the groups scanned: their bound is now their minimum
                if cand_min[g] <= t:
                    low = NEVER_WEEK
                    for i in range(U(g * CAND_GROUP), U(min(hi, (g + 1) * CAND_GROUP))):
                        low = min(low, next_cand[i])
                    cand_min[g] = low
            newly[:] = 0
            bought[:] = 0
            for ci in range(m):
                i = U(cand[ci])
                h = bits[ci]
                lam = rate[i]
                q = min(1.0, THINNING_BOUND * lam)
                u_acc = float(h & np.uint64(0x1FFFFF)) * _INV21
                u_fill = float((h >> np.uint64(21)) & np.uint64(0x1FFFFF)) * _INV21
                u_arr = float((h >> np.uint64(42)) & np.uint64(0x1FFFFF)) * _INV21
                home = np.int64(seg[i])
                sens_i = sens[i]
                for ai in range(n_arms):
                    a = U(ai)
                    f = flags[i, a]
                    if f & B_DESISTED:
                        continue
                    out[a, U(C_CAND)] += 1
                    if t < deter_until[i, a]:
                        continue
                    personal = 1.0 - course_effect if (f & B_COURSE) else 1.0
                    s = home
                    if not _buys(u_acc, lam, mult[a, U(s)], sens_i, dpen[a, U(s)], personal, q):
                        alt = best[a]
                        if alt == s or displacement <= 0.0:
                            continue
                        if not _buys(u_acc, lam, mult[a, U(alt)], sens_i, dpen[a, U(alt)], personal, q):
                            continue
                        if uniform(keys[2], cid[ci], 4 * t + 3) >= displacement:
                            continue
                        s = alt
                    out[a, U(C_ATTEMPT + s)] += 1
                    if u_fill >= fill[a, U(s)]:
                        continue
                    out[a, U(C_TX + s)] += 1
                    # his previous purchase leaves the expiry ring and this one joins it. Without
                    # a branch: a purchase already expired (or none, -2**30) decrements a past
                    # week's entry, which is never read again; the block's new purchases and
                    # newly active buyers are counted per block and added after it
                    lb = np.int64(last_buy[i, a])
                    expire[a, U(c), U(max(lb + 52 - t0, 0))] -= 1
                    newly[a] += np.int64(lb <= t - 52)
                    bought[a] += 1
                    last_buy[i, a] = t
                    if u_arr >= arrest_p[a, U(s)]:
                        continue
                    j = cid[ci]
                    out[a, U(C_ARREST + s)] += 1
                    if uniform(keys[2], j, 4 * t) < convict_p:
                        out[a, U(C_CONVICT + s)] += 1
                    if uniform(keys[2], j, 4 * t + 1) < desist_p:
                        flags[i, a] = flags[i, a] | np.uint8(B_DESISTED)
                        out[a, U(C_DESIST)] += 1
                    else:
                        skip = geometric_skip(keys[3], j, t, 1.0 / deter_weeks)
                        deter_until[i, a] = np.int32(min(np.int64(NEVER_WEEK), np.int64(t) + skip))
                    if course_on[a] and uniform(keys[2], j, 4 * t + 2) < course_attend:
                        flags[i, a] = flags[i, a] | np.uint8(B_COURSE)
            for ai in range(n_arms):
                active[U(ai), U(c)] += newly[ai]
                expire[U(ai), U(c), U(slot + 52)] += bought[ai]
    total = np.zeros((n_arms, N_COUNTERS), np.int64)
    for c in range(N_CHUNKS):
        total += counts[c]
    for a in range(n_arms):
        total[a, C_LEFT] = left.size
        for c in range(N_CHUNKS):
            total[a, C_ACTIVE] += active[a, c]  # buyers with a purchase in the last 52 weeks, at week end
    return total, left


# One kernel, two compilations: threads pay off only for large pools; small ones run serially
# (thread wake-ups dominate, and under load they can cost more than the work). Results are the
# same either way: draws are keyed by (buyer, week) and counters are integers per fixed chunk.
buyer_week_parallel = nb.njit(parallel=True, cache=True, error_model="numpy")(_buyer_week)
buyer_week_serial = nb.njit(cache=True, error_model="numpy")(_buyer_week)
PARALLEL_MIN_BUYERS = 200_000


def buyer_week(t, t0, n, *args):  # type: ignore[no-untyped-def]
    """One week of the buyer pool (see ``_buyer_week``); picks the threaded build for large pools."""
    threaded = n >= PARALLEL_MIN_BUYERS and nb.get_num_threads() > 1
    kernel = buyer_week_parallel if threaded else buyer_week_serial
    return kernel(t, t0, n, *args)


@nb.njit(cache=True, error_model="numpy")
def draw_rates(ids, key, shape, scale):
    """Baseline weekly purchase probabilities of buyers ``ids``, each from his own id: Gamma(shape,
    scale) capped at 0.95. Drawn before the buyers are placed, so slots can follow the rates."""
    out = np.empty(ids.size, np.float64)
    for idx in range(ids.size):
        i = ids[idx]
        # Gamma(shape < 1): G(a) = G(a+1)·U^(1/a), G(a+1) by Marsaglia–Tsang
        a = shape + 1.0
        d = a - 1.0 / 3.0
        cc = 1.0 / np.sqrt(9.0 * d)
        k = 0
        while True:
            x = normal(key, i, 10 * k)
            v = (1.0 + cc * x) ** 3
            k += 1
            if v <= 0.0:
                continue
            u = uniform(key, i, 10 * k + 5)
            if u < 1.0 - 0.0331 * x * x * x * x:  # the squeeze: accepts most draws without logs
                break
            if np.log(max(u, 1e-300)) < 0.5 * x * x + d - d * v + d * np.log(v):
                break
        g = d * v * uniform(key, i, 999_983) ** (1.0 / shape)
        out[idx] = min(0.95, g * scale)
    return out


RATE_BUCKETS = 512  # placement classes: eight per power of two of the purchase rate


@nb.njit(cache=True)
def place_order(rates, free_slots):
    """Which newcomer takes which free slot: the highest rate the lowest slot, so that the pool,
    ordered by rate at the start, stays nearly so as newcomers replace leavers.

    Placement only decides where a buyer is stored: his draws are keyed by his id, so outcomes do
    not depend on it. So rates are ranked by class (a counting sort, linear in the pool, over
    ``RATE_BUCKETS`` classes, eight per power of two), in input order within a class.
    Returns (positions into ``rates`` in placement order, the slots in ascending order)."""
    n = rates.size
    bits = rates.view(np.uint64)  # the class from the float's exponent and top three mantissa bits:
    bucket = np.empty(n, np.int16)  # no logarithm (it was a third of placing a buyer, measured)
    count = np.zeros(RATE_BUCKETS + 1, np.int64)
    for k in range(n):
        x = bits[k]
        e = np.int64((x >> np.uint64(52)) & np.uint64(0x7FF))
        b = 8 * (1023 - e) - np.int64((x >> np.uint64(49)) & np.uint64(7)) - 1
        b = RATE_BUCKETS - 1 if rates[k] <= 0.0 else min(RATE_BUCKETS - 1, max(0, b))
        bucket[k] = b
        count[b + 1] += 1
    for b in range(RATE_BUCKETS):
        count[b + 1] += count[b]
    order = np.empty(n, np.int64)
    for k in range(n):
        order[count[bucket[k]]] = k
        count[bucket[k]] += 1
    for k in range(1, free_slots.size):  # the initial pool's slots come in order: no sort needed
        if free_slots[k] < free_slots[k - 1]:
            return order, np.sort(free_slots)
    return order, free_slots.copy()


@nb.njit(cache=True, error_model="numpy")
def init_buyers(
    ids,
    lam_of,
    order,
    slots,
    t_start,
    t0,
    rate,
    inv_log_q,
    sens,
    seg,
    ident,
    last_buy,
    deter_until,
    flags,
    next_cand,
    cand_min,
    leave_head,
    leave_next,
    keys,
    seg_cum,
    turnover_weeks,
    sens_mu,
    sens_sd,
):
    """Place buyers ``ids`` (rates ``lam_of`` from ``draw_rates``), the ``k``-th of ``order`` in
    ``slots[k]`` (``place_order``): draw the rest of their attributes from their own ids (CRN-stable
    across arms) and schedule their first candidate week and their leaving week from ``t_start``."""
    horizon = leave_head.size
    leave_scale = -1.0 / np.log1p(-1.0 / turnover_weeks)  # as geometric_skip(…, 1 / turnover_weeks)
    for b0 in range(0, order.size, BLOCK):
        # a block's ids and rates gathered first: these are random reads, which overlap in a tight
        # gather but not in the long loop below (a third of the initial pool's time when read
        # there, measured); blocks keep the scratch small for pools of tens of millions
        part = order[b0 : b0 + BLOCK]
        ids_o = ids[part]
        lam_o = lam_of[part]
        for k in range(part.size):
            i = ids_o[k]
            j = slots[b0 + k]
            lam = lam_o[k]
            ident[j] = i
            rate[j] = lam
            q = min(1.0, THINNING_BOUND * lam)
            inv_log_q[j] = 1.0 / np.log1p(-q) if 0.0 < q < 1.0 else 0.0
            sens[j] = sens_mu * np.exp(sens_sd * normal(keys[4], i, 0) - 0.5 * sens_sd * sens_sd)
            u = uniform(keys[1], i, 0)
            s = 0
            while s < 2 and u >= seg_cum[s]:
                s += 1
            seg[j] = s
            for a in range(flags.shape[1]):  # a newcomer is the same man in every arm
                last_buy[j, a] = -(2**30)
                deter_until[j, a] = -(2**30)
                flags[j, a] = B_ALIVE
            if q > 0.0:
                gap = geometric_gap(keys[2], i, 7, -inv_log_q[j]) if q < 1.0 else np.int64(1)
                next_cand[j] = np.int32(min(np.int64(t_start) + gap - 1, np.int64(NEVER_WEEK)))
                cand_min[j // CAND_GROUP] = min(cand_min[j // CAND_GROUP], next_cand[j])
            else:
                next_cand[j] = NEVER_WEEK
            leave = np.int64(t_start) + geometric_gap(keys[3], i, 0, leave_scale)
            if leave - t0 < horizon:
                _push(leave_head, leave_next, leave - t0, j)
