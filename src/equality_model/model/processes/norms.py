"""Norm change: the law's expressive effect and community education shift buyers' propensity.

The norm index ``ν`` (log-points, 0 at baseline) moves toward its target with time constant ``τ``:
``ν ← ν + (ν* − ν)/(52 τ)``, where ``ν* = −(ε_x · [buying is an offence] + e · spend per man)``
relative to the baseline's own target. Demand scales with ``exp(ν)``.
"""

from __future__ import annotations


def target(
    buying_offence: bool, education_usd_per_man_year: float, expressive: float, edu_effect: float
) -> float:
    return -(expressive * float(buying_offence) + edu_effect * education_usd_per_man_year)


def step(norm: float, tgt: float, base_tgt: float, tau_years: float) -> float:
    return norm + ((tgt - base_tgt) - norm) / (52.0 * tau_years)
