"""Steps 3–8 of a week for the people in prostitution, as one compiled call.

Market matching, exploitation, enforcement, violence, exit and demography each keep their own module
(``processes/``) with their equations; this driver calls their kernels in ``STEP_ORDER`` with the
week's levers, which the engine computes beforehand. One call a week instead of a dozen, and no NumPy
temporaries in between, removes most of the interpreter's share of a week.

The driver returns one float vector; ``O_*`` name its slices.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from equality_model.model import census
from equality_model.model.processes import demography, enforcement, exits, exploitation, market, violence

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
N_OUT = 36


@nb.njit(cache=True)
def people_week(
    t,
    live,
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
    transactions,
    cap_per_seller,
    price_usd,
    share_controlled,
    share_trafficked,
    p_arrest_week,
    convict_seller,
    p_tp_week,
    convict_tp,
    base_violence,
    rr_exploit,
    displacement_mult,
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
    """Market → exploitation → enforcement → violence → exit → demography for one arm-week."""
    out = np.zeros(N_OUT, np.float64)
    # 3. market clearing: completed purchases matched to active people
    market.allocate(t, live, status, seg, tx, keys[0], transactions, cap_per_seller)
    # 4. exploitation
    e_profit[:n_e] = 0.0
    kept, taken, _repaid = exploitation.exploit(
        live,
        status,
        seg,
        control,
        exploiter,
        debt,
        tx,
        price_usd,
        share_controlled,
        share_trafficked,
        e_profit,
    )
    out[O_KEPT] = kept
    out[O_TAKEN] = taken
    # 5. enforcement: people in prostitution (only where liable), exploiters, and who is freed
    s_arr, s_conv = enforcement.arrest_sellers(
        t, live, status, seg, record, keys[1], keys[2], p_arrest_week, convict_seller
    )
    e_arr, e_conv = enforcement.arrest_exploiters(
        t, n_e, e_alive, e_n_ctrl, keys[3], keys[4], p_tp_week, convict_tp
    )
    _freed, identified = enforcement.free_controlled(live, status, control, exploiter, debt, wish, e_alive)
    for s in range(3):
        out[O_S_ARR + s] = s_arr[s]
        out[O_S_CONV + s] = s_conv[s]
    out[O_E_ARR] = e_arr
    out[O_E_CONV] = e_conv
    out[O_IDENTIFIED] = identified
    # 6. violence under the three hypotheses
    viol = violence.incidents(live, status, seg, control, tx, base_violence, rr_exploit, displacement_mult)
    for h in range(3):
        out[O_VIOLENCE + h] = viol[h]
    # 7. exit: record relief at the start of automatic relief, then the pathway
    if clear_records:
        out[O_RELIEVED0] = exits.clear_all_records(live, record)
    ex = exits.exit_week(
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
        keys[5:10],
        wish_p_week,
        controlled_access,
        places,
        service_weeks,
        service_success,
        record_barrier,
        trafficked_first,
        relief_p_week,
        unassisted_p_week,
        wish_ratio,
    )
    for i in range(ex.size):
        out[O_EXIT + i] = ex[i]
    # 8. re-entry, ageing and mortality; exploiters with nobody left stop operating
    dem = demography.demography_week(
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
        keys[10:12],
        reentry_p_week,
        mortality_p_week,
        age_out,
    )
    for i in range(3):
        out[O_DEM + i] = dem[i]
    by_type = census.refresh_exploiters(live, status, control, exploiter, n_e, e_n_ctrl, e_alive)
    for c in range(3):
        out[O_BY_TYPE + c] = by_type[c]
    return out
