"""Steps 3–8 of a week for the people in prostitution, as one compiled call.

Each process keeps its module and its equations (``processes/``: market, exploitation,
enforcement, violence, exits, demography); this driver applies them in ``STEP_ORDER`` in one pass
over the people still in play, person by person, then admits from the service queues. No process
reads another person's state changed earlier in the same pass, so the order of work gives exactly
the outcomes of one pass per process, which it replaced: the fused pass does the week in about
half the time, measured (the data are read once, not ten times). Demography (step 8) runs in the
same pass, before admissions: admissions change only service places and dates, which demography
does not read. Exploiters' arrests come first, since they free the people those exploiters
controlled.

The driver returns one float vector; ``O_*`` name its slices.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from equality_model.model import census
from equality_model.model.processes import demography, enforcement, exits, exploitation, market, violence
from equality_model.model.rng import poisson, uniform
from equality_model.model.state import (
    ACTIVE,
    CONTROLLED,
    EXITED,
    GONE,
    INDEPENDENT,
    TRAFFICKED,
    U,
)

# keys: the streams of the people's week, in this order
KEY_NAMES = (
    "market.match",
    "seller.arrest",
    "seller.convict",
    "exploiter.arrest",
    "exploiter.convict",
    "exit.success",
    "exit.wish",
    "exit.access",
    "exit.relief",
    "exit.unassisted",
    "demography.reentry",
    "demography.death",
    "exit.capacity",
)
# slices of the returned vector
O_KEPT, O_TAKEN = 0, 1  # earnings kept by people, profit taken by exploiters (USD)
O_S_ARR, O_S_CONV = 2, 5  # arrests and convictions of people in prostitution, by segment
O_E_ARR, O_E_CONV, O_IDENTIFIED = 8, 9, 10  # exploiters arrested and convicted; victims identified
O_VIOLENCE = 11  # incidents under the three hypotheses
O_RELIEVED0 = 14  # records cleared at once (automatic relief starting)
O_EXIT = 15  # exits.exit_week's 15 counts
O_DEM = 30  # demography's 3 counts
O_BY_TYPE = 33  # active people by control after the outflows
O_BY_TYPE_BEFORE = 36  # and at the start of the week
O_BY_SEG = 39  # active people by segment after the outflows
O_RECORDS = 42  # selling records held by people active or exited after the outflows
O_OPERATING = 43  # exploiters still operating
N_OUT = 44


@nb.njit(cache=True)
def people_week(
    t,
    n,
    status,
    age,
    entered,
    seg,
    control,
    exploiter,
    debt,
    needs,
    record,
    wish,
    stage,
    in_service,
    stage_week,
    exited_week,
    reentries,
    tx,
    n_e,
    e_alive,
    e_n_ctrl,
    e_profit,
    keys,
    attempts,
    transactions,
    b_arrests,
    cap_per_seller,
    price,
    fill,
    price_adjustment,
    base_price_usd,
    share_controlled,
    share_trafficked,
    p_arrest_week,
    convict_seller,
    p_tp_week,
    convict_tp,
    base_violence,
    rr_exploit,
    seller_arrests_py,
    policing_weight,
    reference_policing,
    policing_odds_ratio,
    clear_records,
    places,
    service_weeks,
    service_success,
    wish_p_week,
    controlled_access,
    record_barrier,
    trafficked_first,
    relief_p_week,
    unassisted_p_week,
    wish_ratio,
    reentry_p_week,
    mortality_p_week,
    age_out,
):
    """Market → exploitation → enforcement → violence → exit → demography for one arm-week.

    ``price`` and ``fill`` (the arm's market) are updated in place; ``places`` are the week's service
    places in agents before rounding."""
    out = np.zeros(N_OUT, np.float64)
    # slots still in play (active or exited); the rest left for good and are never visited
    live, by_type_before, n_seg = census.live_slots(n, status, control, seg)
    for c in range(3):
        out[O_BY_TYPE_BEFORE + c] = by_type_before[c]
    # 3. prices move toward clearing; the fill ratio is next week's chance a purchase finds a seller
    capacity = n_seg * cap_per_seller
    price[:] = market.update_prices(price, attempts, capacity, price_adjustment)
    fill[:] = market.fill_ratio(attempts, capacity)
    price_usd = base_price_usd * price
    # 6. exposure to repressive policing, for the displacement hypothesis
    buyer_arrests_py = np.empty(3, np.float64)
    for s in range(3):
        buyer_arrests_py[s] = b_arrests[s] * 52 / max(n_seg[s], 1)
    x = violence.exposure(seller_arrests_py, buyer_arrests_py, policing_weight, reference_policing)
    displacement_mult = 1.0 + (policing_odds_ratio - 1.0) * x
    # 7. places in agents: a fractional place (scale > 1) is available with that probability
    places = exits.whole_places(places, keys[12], np.int64(t))
    # 3. market: the week's matching tables (``market.match_tables``)
    lam, cap, cdf, guide = market.match_tables(n_seg, transactions, cap_per_seller)
    n_guide = guide.shape[1]
    # 5. exploiters first: a convicted exploiter stops operating, which frees the people he controlled
    e_profit[:n_e] = 0.0
    e_arr, e_conv = enforcement.arrest_exploiters(
        t, n_e, e_alive, e_n_ctrl, keys[3], keys[4], p_tp_week, convict_tp
    )
    kept = 0.0
    taken = 0.0
    s_arr = np.zeros(3, np.int64)
    s_conv = np.zeros(3, np.int64)
    identified = 0
    v0 = 0.0
    v1 = 0.0
    v2 = 0.0
    relieved0 = 0
    ex = np.zeros(15, np.int64)
    in_use = np.zeros(4, np.int64)
    dem = np.zeros(3, np.int64)
    by_type = np.zeros(3, np.int64)
    by_seg = np.zeros(3, np.int64)
    records = 0
    e_n_ctrl[:n_e] = 0  # exploiters' loads, counted again as people are visited
    # the service queues, filled in line order as the pass visits people (``exits.admit``)
    nq = np.zeros(4, np.int64)
    q_idx = np.empty((4, live.size), np.int64)
    q_pri = np.empty((4, live.size), np.int64)
    for jj in range(live.size):
        j = U(live[jj])  # unsigned: no negative-index wrapping on each access (12 % of the pass)
        # 3. market: Poisson(λ_s) transactions, truncated, by inversion from the guide table
        tx[j] = 0.0
        st = status[j]
        if st == ACTIVE:
            s = seg[j]
            if lam[s] > 0.0:
                if lam[s] > 60.0:
                    kk = min(poisson(keys[0], j, t, lam[s]), cap[s])
                else:
                    u = uniform(keys[0], j, t)
                    kk = guide[s, min(np.int64(u * n_guide), n_guide - 1)]
                    while kk > 0 and u <= cdf[s, kk - 1]:
                        kk -= 1
                    while kk < cap[s] and u > cdf[s, kk]:
                        kk += 1
                tx[j] = kk
            # 4. exploitation: the third party's take; a victim's debt is repaid from the rest
            if tx[j] != 0.0:
                gross = tx[j] * price_usd[s]
                c = control[j]
                take, left = exploitation.take(gross, c, debt[j], share_controlled, share_trafficked)
                if c == TRAFFICKED:
                    debt[j] = left
                    if debt[j] <= 0.0:
                        control[j] = CONTROLLED  # debt repaid: no longer held by debt
                if take > 0.0 and exploiter[j] >= 0:
                    e_profit[U(exploiter[j])] += take
                kept += gross - take
                taken += take
            # 5. arrests of people in prostitution: only where selling is an offence (p = 0 elsewhere)
            if p_arrest_week[s] > 0.0 and uniform(keys[1], j, t) < p_arrest_week[s]:
                s_arr[s] += 1
                if uniform(keys[2], j, t) < convict_seller:
                    s_conv[s] += 1
                    record[j] = 1
        # 5. freed when the exploiter stopped operating; trafficking victims are identified
        e = exploiter[j]
        if e >= 0 and e_alive[U(e)] == 0:
            if st == ACTIVE and control[j] == TRAFFICKED:
                identified += 1
                wish[j] = 1
            control[j] = INDEPENDENT
            exploiter[j] = -1
            debt[j] = 0.0
        # 6. violence under the three hypotheses
        if st == ACTIVE and tx[j] != 0.0:
            s = seg[j]
            a0, a1, a2 = violence.incidents(
                tx[j], base_violence[s], control[j] != INDEPENDENT, rr_exploit, displacement_mult[s]
            )
            v0 += a0
            v1 += a1
            v2 += a2
        # 7. exit: relief at the start of automatic relief
        if clear_records and record[j] == 1:
            record[j] = 0
            relieved0 += 1
        if st == ACTIVE:
            # 7. exit: people whose service ends succeed (next step, or exit) or return to the trade
            out_now = False  # exited this week: the rest of step 7 is skipped
            if stage[j] >= 0 and in_service[j] != 0:
                k = stage[j]
                if t - stage_week[j] < service_weeks[k]:
                    in_use[k] += 1
                else:
                    p = exits.completion_success(service_success[k], k, record[j] == 1, record_barrier)
                    if uniform(keys[5], j, t) < p:
                        nk = exits.next_step(needs[j], k)
                        if nk >= 4:
                            status[j] = EXITED
                            exited_week[j] = t
                            stage[j] = -1
                            in_service[j] = 0
                            ex[0] += 1
                            out_now = True
                        else:
                            stage[j] = nk
                            in_service[j] = 0
                            stage_week[j] = t
                    else:
                        stage[j] = -1
                        in_service[j] = 0
            if not out_now:
                # 7. exit: wishes, queueing, relief, unassisted exit
                if wish[j] == 0 and uniform(keys[6], j, t) < wish_p_week:
                    wish[j] = 1
                if (
                    wish[j] == 1
                    and stage[j] < 0
                    and (control[j] == INDEPENDENT or uniform(keys[7], j, t) < controlled_access)
                ):
                    stage[j] = exits.next_step(needs[j], -1)
                    in_service[j] = 0
                    stage_week[j] = t
                if (
                    record[j] == 1
                    and stage[j] >= 0
                    and relief_p_week > 0.0
                    and uniform(keys[8], j, t) < relief_p_week
                ):
                    record[j] = 0
                    ex[14] += 1
                if stage[j] < 0 or in_service[j] == 0:
                    ctl = control[j] != INDEPENDENT
                    p = exits.unassisted_probability(
                        unassisted_p_week, wish[j] == 1, ctl, wish_ratio, controlled_access
                    )
                    if uniform(keys[9], j, t) < p:
                        status[j] = EXITED
                        exited_week[j] = t
                        stage[j] = -1
                        ex[1] += 1
                        out_now = True
            if stage[j] >= 0 and in_service[j] == 0:  # an exit set stage to -1
                # 7. exit: waiting for a service (this person's state is final for step 7)
                k = stage[j]
                q_idx[k, nq[k]] = j
                victim_first = trafficked_first and control[j] == TRAFFICKED
                q_pri[k, nq[k]] = exits.queue_priority(stage_week[j], victim_first)
                nq[k] += 1
        # 8. re-entry, ageing and mortality, and the week-end counts, in the same pass (see the
        # module docstring): a second pass after admissions gave the same outcomes 5–8 % slower
        st = status[j]
        if st in (ACTIVE, EXITED):
            age[j] += np.float32(1.0 / 52.0)
        if st == EXITED:
            since = t - exited_week[j]
            if since >= demography.SUSTAINED_WEEKS:
                status[j] = GONE  # a sustained exit: no longer at risk of re-entry in the model
                continue
            if uniform(keys[10], j, t) < demography.reentry_hazard(since, reentry_p_week):
                status[j] = ACTIVE
                reentries[j] += 1
                entered[j] = t
                wish[j] = 0
                stage[j] = -1
                in_service[j] = 0
                dem[0] += 1
            elif age[j] >= age_out:
                status[j] = GONE
                continue
            else:
                records += record[j]  # still exited
                continue
        elif st == ACTIVE:
            if uniform(keys[11], j, t) < mortality_p_week:
                status[j] = GONE
                dem[1] += 1
                continue
            elif age[j] >= age_out:
                status[j] = GONE
                dem[2] += 1
                continue
        else:
            continue
        by_type[control[j]] += 1  # still active
        by_seg[seg[j]] += 1
        records += record[j]
        e = exploiter[j]
        if e >= 0:
            e_n_ctrl[U(e)] += 1
    # 7. admissions from the queues, up to the free places
    exits.admit(t, q_idx, q_pri, nq, in_service, stage_week, places, in_use, ex)
    operating = 0  # exploiters with nobody left stop operating
    for e in range(n_e):
        if e_n_ctrl[e] == 0:
            e_alive[e] = 0
        operating += e_alive[e] == 1
    out[O_KEPT] = kept
    out[O_TAKEN] = taken
    for s in range(3):
        out[O_S_ARR + s] = s_arr[s]
        out[O_S_CONV + s] = s_conv[s]
    out[O_E_ARR] = e_arr
    out[O_E_CONV] = e_conv
    out[O_IDENTIFIED] = identified
    out[O_VIOLENCE] = v0
    out[O_VIOLENCE + 1] = v1
    out[O_VIOLENCE + 2] = v2
    out[O_RELIEVED0] = relieved0
    for i in range(15):
        out[O_EXIT + i] = ex[i]
    for i in range(3):
        out[O_DEM + i] = dem[i]
    for c in range(3):
        out[O_BY_TYPE + c] = by_type[c]
        out[O_BY_SEG + c] = by_seg[c]
    out[O_RECORDS] = records
    out[O_OPERATING] = operating
    return out
