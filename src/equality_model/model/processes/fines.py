"""Fines: revenue from convictions, routed to survivor services where the law does so.

Expected fine per conviction is the midpoint of the law's fine range (converted to USD). Where
the regime routes fines to survivor services (the Massachusetts bill routes them to the Victims
of Human Trafficking Trust Fund), the routed share funds extra service places at their cost.
"""

from __future__ import annotations

from equality_model.law.levers import PenaltyLever


def expected_fine_usd(lever: PenaltyLever, usd_per_unit: float) -> float:
    if not lever.liable:
        return 0.0
    lo, hi = lever.fine_min, lever.fine_max
    if hi <= 0 and lo <= 0:
        return 0.0
    return 0.5 * (lo + (hi if hi > 0 else lo)) * usd_per_unit


def extra_places(fund_usd: float, weekly_cost_per_place: float) -> float:
    """Places a fund can pay for over one year."""
    if weekly_cost_per_place <= 0:
        return 0.0
    return fund_usd / (52.0 * weekly_cost_per_place)
