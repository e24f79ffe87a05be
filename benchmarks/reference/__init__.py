"""The benchmark reference model (defined in ``benchmarks/REFERENCE.md``).

One model, several implementations that must agree in distribution:

- :mod:`benchmarks.reference.engine_impl` -- struct-of-arrays state, numba kernels and
  counter-based random streams (``equality_model.model.rng``), the engine's way;
- :mod:`benchmarks.reference.mesa_impl` -- idiomatic Mesa 3 (one ``Agent`` object per agent);
- :mod:`benchmarks.reference.starsim_impl` -- Starsim 3 (optional, if ``starsim`` is installed).

Every implementation exposes ``run_*(params, seed) -> dict[str, np.ndarray]`` with the weekly
series named in :data:`OUTCOMES`, each of length ``params.weeks``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np

WEEKS_PER_YEAR = 52

#: Weekly outcome series returned by every implementation (one int64 array each).
OUTCOMES: tuple[str, ...] = (
    "transactions",  # purchases matched to a seller this week
    "failed",  # purchases that found no seller with remaining capacity
    "arrests",  # buyers arrested this week
    "active_sellers",  # sellers active in the market this week (after exits and entries)
    "busy_sellers",  # active sellers with at least one transaction this week
    "deterred",  # buyers temporarily deterred this week (could not buy; desisters excluded)
    "desisted",  # cumulative buyers who have desisted permanently, at the end of the week
    "entries",  # sellers who entered this week
    "exits",  # sellers who exited this week
)

#: End-of-run summaries compared across implementations (see :func:`totals`).
TOTALS: tuple[str, ...] = (
    "total_transactions",
    "total_failed",
    "total_arrests",
    "final_sellers",
    "final_deterred",
    "final_desisted",
    "mean_busy_sellers",
)


@dataclass(frozen=True)
class Params:
    """Parameters of the reference model; the defaults are the base configuration."""

    n_buyers: int = 10_000  # N_b
    n_sellers: int = 250  # S_0, sellers active before week 0
    weeks: int = 104  # T
    gamma_shape: float = 0.3  # k, shape of the Gamma propensity distribution
    purchases_per_year: float = 3.0  # m, mean of the uncapped Gamma times 52
    p_cap: float = 0.95  # cap on the weekly purchase probability
    capacity: int = 2  # c, transactions per seller per week
    q_arrest: float = 0.02  # q, arrest probability per transaction
    deter_mean: float = 26.0  # D, mean deterrence spell in weeks (geometric on 1, 2, ...)
    p_desist: float = 0.25  # d, probability that an arrested buyer desists permanently
    mu_exit: float = 0.01  # mu, weekly exit probability of a seller
    lambda_entry: float = 2.5  # lambda_in, Poisson mean of seller entries per week

    def __post_init__(self) -> None:
        if self.n_buyers < 1 or self.n_sellers < 0 or self.weeks < 1 or self.capacity < 0:
            raise ValueError("n_buyers and weeks must be >= 1; n_sellers and capacity >= 0")
        for name in ("q_arrest", "p_desist", "mu_exit", "p_cap"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be a probability")
        if self.deter_mean < 1.0 or self.gamma_shape <= 0 or self.purchases_per_year < 0:
            raise ValueError("deter_mean must be >= 1, gamma_shape > 0, purchases_per_year >= 0")
        if self.lambda_entry < 0:
            raise ValueError("lambda_entry must be >= 0")

    @property
    def gamma_scale(self) -> float:
        """theta = m / (52 k), so the uncapped Gamma has mean m / 52 purchases per week."""
        return self.purchases_per_year / (WEEKS_PER_YEAR * self.gamma_shape)

    def scaled(self, n_buyers: int) -> Params:
        """The same market at another size: S_0 and lambda_in scale with N_b, so S*/N_b is kept."""
        f = n_buyers / self.n_buyers
        n_sellers = round(self.n_sellers * f)
        return replace(self, n_buyers=int(n_buyers), n_sellers=n_sellers, lambda_entry=self.lambda_entry * f)

    def as_dict(self) -> dict:
        return asdict(self)


BASE = Params()
#: Small configuration for the distribution comparison (40 seeds per implementation).
SMALL = BASE.scaled(2_000)
#: Tiny configuration for the unit tests.
TINY = replace(BASE.scaled(500), weeks=52)


def totals(out: dict[str, np.ndarray]) -> dict[str, float]:
    """End-of-run summaries of one run's weekly series."""
    return {
        "total_transactions": float(out["transactions"].sum()),
        "total_failed": float(out["failed"].sum()),
        "total_arrests": float(out["arrests"].sum()),
        "final_sellers": float(out["active_sellers"][-1]),
        "final_deterred": float(out["deterred"][-1]),
        "final_desisted": float(out["desisted"][-1]),
        "mean_busy_sellers": float(out["busy_sellers"].mean()),
    }


def agent_steps(out: dict[str, np.ndarray], params: Params) -> int:
    """Agent-steps of one run: every buyer and every active seller, every week."""
    return int(params.n_buyers * params.weeks + out["active_sellers"].sum())


def empty_outcomes(weeks: int) -> dict[str, np.ndarray]:
    return {name: np.zeros(weeks, dtype=np.int64) for name in OUTCOMES}
