"""The reference model in idiomatic Mesa 3: one ``Agent`` object per buyer and per seller.

Buyers act in a fresh random order every week (``AgentSet.shuffle_do``), each drawing its own
Bernoulli(p_i) purchase from ``model.random``; a purchase goes to a uniformly random seller among
those with capacity left this week. Randomness comes from Mesa's own generators (``model.random``
for per-agent draws, ``model.rng`` for NumPy draws), seeded by ``rng=seed``, so a run is
reproducible but agrees with the engine only in distribution, not draw for draw.
"""

from __future__ import annotations

import mesa
import numpy as np

from . import OUTCOMES, Params


class SellerAgent(mesa.Agent):
    """A seller with a weekly capacity; leaves the market for good with probability mu a week."""

    def __init__(self, model: ReferenceModel) -> None:
        super().__init__(model)
        self.remaining = 0  # transactions left this week
        self.sales = 0  # transactions over the run

    def turnover(self) -> None:
        if self.random.random() < self.model.params.mu_exit:
            self.model.exits += 1
            self.remove()

    def open(self) -> None:
        self.remaining = self.model.params.capacity

    def sell(self) -> None:
        if self.remaining == self.model.params.capacity:
            self.model.busy_sellers += 1
        self.remaining -= 1
        self.sales += 1


class BuyerAgent(mesa.Agent):
    """A buyer with weekly purchase probability p; deterred for a spell or for good after arrest."""

    def __init__(self, model: ReferenceModel, p: float) -> None:
        super().__init__(model)
        self.p = float(p)
        self.deterred_until = -1  # last week of the current deterrence spell
        self.desisted = False

    def step(self) -> None:
        model = self.model
        if self.desisted:
            return
        if self.deterred_until >= model.week:
            model.deterred += 1
            return
        if self.random.random() >= self.p:
            return
        seller = model.find_seller()
        if seller is None:
            model.failed += 1
            return
        seller.sell()
        model.transactions += 1
        params = model.params
        if self.random.random() < params.q_arrest:
            model.arrests += 1
            if self.random.random() < params.p_desist:
                self.desisted = True
                model.desisted += 1
            else:
                self.deterred_until = model.week + int(model.rng.geometric(1.0 / params.deter_mean))


class ReferenceModel(mesa.Model):
    """The reference model (benchmarks/REFERENCE.md) with Mesa's scheduling and data collection."""

    def __init__(self, params: Params, seed: int) -> None:
        super().__init__(rng=seed)
        self.params = params
        self.week = 0
        self.available: list[SellerAgent] = []
        self._reset_counters()
        self.desisted = 0
        p = np.minimum(self.rng.gamma(params.gamma_shape, params.gamma_scale, params.n_buyers), params.p_cap)
        BuyerAgent.create_agents(self, params.n_buyers, p)
        SellerAgent.create_agents(self, params.n_sellers)
        self.datacollector = mesa.DataCollector(model_reporters={name: name for name in OUTCOMES})

    def _reset_counters(self) -> None:
        self.transactions = self.failed = self.arrests = self.busy_sellers = 0
        self.deterred = self.entries = self.exits = self.active_sellers = 0

    def sellers(self) -> mesa.agent.AgentSet:
        return self.agents_by_type.get(SellerAgent, mesa.agent.AgentSet([], random=self.random))

    def find_seller(self) -> SellerAgent | None:
        """A uniformly random seller with capacity left this week, or None if there is none."""
        available = self.available
        if not available:
            return None
        k = self.random.randrange(len(available))
        seller = available[k]
        if seller.remaining == 1:  # about to be full: swap-remove it from the available list
            available[k] = available[-1]
            available.pop()
        return seller

    def step(self) -> None:
        self._reset_counters()
        params = self.params
        # 1. Seller turnover: exits, then Poisson entries.
        self.sellers().do("turnover")
        self.entries = int(self.rng.poisson(params.lambda_entry))
        SellerAgent.create_agents(self, self.entries)
        sellers = self.sellers()
        self.active_sellers = len(sellers)
        # 2-4. Open the market, then buyers act in random order (purchase, match, arrest).
        sellers.do("open")
        self.available = list(sellers) if params.capacity > 0 else []
        self.agents_by_type[BuyerAgent].shuffle_do("step")
        self.datacollector.collect(self)
        self.week += 1


def run_mesa(params: Params, seed: int) -> dict[str, np.ndarray]:
    """One run of the reference model in Mesa; returns the weekly series named in ``OUTCOMES``."""
    model = ReferenceModel(params, seed)
    for _ in range(params.weeks):
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    return {name: frame[name].to_numpy(dtype=np.int64) for name in OUTCOMES}
