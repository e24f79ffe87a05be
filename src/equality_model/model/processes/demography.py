"""Re-entry, ageing and mortality of people in prostitution (and who leaves for good).

People who exited re-enter with a weekly hazard ``h`` in their first year (``1 − (1 − h)^52`` equals
the re-entry parameter) and a quarter of it in the next two; after three years an exit counts as
sustained (a structural assumption that keeps the baseline stationary after burn-in).
Everyone ages a week; death occurs at the yearly
mortality rate; at the age-out age a person leaves for good.
"""

from __future__ import annotations

import numba as nb

SUSTAINED_WEEKS = 156


@nb.njit(inline="always", cache=True)
def reentry_hazard(weeks_since_exit, h_first_year):
    """Weekly re-entry hazard: ``h`` in the first year after an exit, a quarter of it in the next two
    (and none after ``SUSTAINED_WEEKS``, when the exit counts as sustained)."""
    return h_first_year if weeks_since_exit < 52 else 0.25 * h_first_year
