"""Weekly head counts of the people-in-prostitution state, in one compiled pass each.

The step needs the same few counts several times a week (who is still in play, active people by
control and segment, records held, exploiters still operating). NumPy masks over the whole slot
range cost about 20 µs each; these loops replace a dozen of them per arm-week.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from equality_model.model.state import ACTIVE, EXITED


@nb.njit(cache=True)
def live_slots(n, status, control, seg):
    """Ids still in play (active or exited: the rest left for good), and active people by control
    and by segment."""
    m = 0
    by_type = np.zeros(3, np.int64)
    by_seg = np.zeros(3, np.int64)
    for j in range(n):
        st = status[j]
        if st == ACTIVE:
            m += 1
            by_type[control[j]] += 1
            by_seg[seg[j]] += 1
        elif st == EXITED:
            m += 1
    live = np.empty(m, np.int64)
    k = 0
    for j in range(n):
        st = status[j]
        if st in (ACTIVE, EXITED):
            live[k] = j
            k += 1
    return live, by_type, by_seg


@nb.njit(cache=True)
def week_end(n, status, seg, control, record, n_e, alive):
    """Active people by segment and by control, records held (active or exited), exploiters operating."""
    by_seg = np.zeros(3, np.int64)
    by_type = np.zeros(3, np.int64)
    records = 0
    for j in range(n):
        st = status[j]
        if st == ACTIVE:
            by_seg[seg[j]] += 1
            by_type[control[j]] += 1
            records += record[j]
        elif st == EXITED:
            records += record[j]
    operating = 0
    for e in range(n_e):
        operating += alive[e] == 1
    return by_seg, by_type, records, operating
