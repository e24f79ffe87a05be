"""Head counts of the people-in-prostitution state at the start of a week, in one compiled pass.

The week needs who is still in play and the active people by control and segment before anything
happens; NumPy masks over the whole slot range cost about 20 µs each. The counts at the end of
the week come from the people pass itself (``people.people_week``) plus the entrants.
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
