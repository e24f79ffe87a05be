"""The reference model in Starsim 3 (optional: needs ``pip install starsim``).

How the model maps onto Starsim:

- buyers and sellers are all ``People``; a ``seller`` state tells them apart. Buyer ids are
  ``0 .. N_b - 1``, the initial sellers follow, and entrants are added with ``people.grow`` (as
  ``ss.Births`` adds newborns) and marked as sellers;
- one custom module, :class:`Market`, holds the per-agent states (``p``, ``deterred_until``,
  ``desisted``, ``sales``) as Starsim arrays and does the weekly step with vectorised
  operations over uids. Its per-agent draws are Starsim distributions (common random numbers by
  agent slot): ``ss.gamma`` for p_i, ``ss.bernoulli`` for purchases, arrests, desistance and
  exits, ``ss.nbinom(n=1, p=1/D) + 1`` for the geometric spell, ``ss.random`` for the random
  order and the seller choice;
- a seller's exit takes effect at once in the market (its ``active`` state is cleared) and it is
  removed from the population with ``people.request_death`` at the end of the week;
- the week's number of entrants is one market-level Poisson draw (``ss.poisson``, drawn for
  a single value, so not a per-agent CRN draw);
- the only sequential piece, matching purchases to sellers with capacity left, is a short
  Python loop over the week's purchases when capacity does not bind (when it binds, every
  seller sells exactly c and the failing purchases are the last ones in the random order, as in
  the engine).

Time steps are weeks (``dt=ss.week``), and every rate is a per-step probability or mean.
"""

from __future__ import annotations

import numpy as np

from . import OUTCOMES, Params

try:
    import starsim as ss
except ImportError:  # pragma: no cover - optional dependency
    ss = None

AVAILABLE = ss is not None


def _require() -> None:
    if ss is None:
        raise ImportError("starsim is not installed: pip install starsim")


if ss is not None:

    class Market(ss.Module):
        """Buyers, sellers and the weekly market of the reference model."""

        def __init__(self, params: Params, **kwargs) -> None:
            super().__init__(**kwargs)
            self.params = params
            self.define_states(
                ss.BoolState("seller", label="Is a seller"),
                ss.BoolState("active", label="Active seller"),
                ss.FloatArr("p", default=ss.gamma(a=params.gamma_shape, scale=params.gamma_scale), label="p"),
                ss.FloatArr("deterred_until", default=-1.0, label="Last week of deterrence"),
                ss.BoolState("desisted", label="Desisted"),
                ss.FloatArr("sales", default=0.0, label="Transactions"),
            )
            self.purchase = ss.bernoulli(p=lambda self, sim, uids: self.p[uids])
            self.arrest = ss.bernoulli(p=params.q_arrest)
            self.desist = ss.bernoulli(p=params.p_desist)
            self.spell = ss.nbinom(n=1, p=1.0 / params.deter_mean)  # failures before success: D - 1
            self.exit = ss.bernoulli(p=params.mu_exit)
            self.entry = ss.poisson(lam=params.lambda_entry)
            self.order = ss.random()
            self.match = ss.random()
            self.counts = {name: np.zeros(0, dtype=np.int64) for name in OUTCOMES}

        def init_post(self) -> None:
            super().init_post()
            prm = self.params
            sellers = ss.uids(np.arange(prm.n_buyers, prm.n_buyers + prm.n_sellers))
            self.seller[sellers] = True
            self.active[sellers] = True
            uids = self.sim.people.auids
            self.p[uids] = np.minimum(self.p[uids], prm.p_cap)
            self.counts = {name: np.zeros(prm.weeks, dtype=np.int64) for name in OUTCOMES}
            self.desisted_total = 0

        def step(self) -> None:
            prm = self.params
            week = self.ti
            rec = self.counts
            people = self.sim.people

            # 1. Seller turnover: exits (out of the market now, out of the population at week end).
            sellers = self.active.uids
            leaving = self.exit.filter(sellers)
            self.active[leaving] = False
            people.request_death(leaving)
            n_new = int(self.entry.rvs(1)[0])
            if n_new:
                new = people.grow(n_new)
                self.seller[new] = True
                self.active[new] = True
            sellers = self.active.uids
            rec["exits"][week] = len(leaving)
            rec["entries"][week] = n_new
            rec["active_sellers"][week] = len(sellers)

            # 2. Purchase decisions of buyers who are neither deterred nor desisted.
            buyers = (~self.seller & ~self.desisted).uids
            deterred = self.deterred_until[buyers] >= week
            rec["deterred"][week] = int(deterred.sum())
            purchasers = self.purchase.filter(buyers[~deterred])

            # 3. Matching in a random order; when capacity binds, the last in that order fail.
            cap = len(sellers) * prm.capacity
            prio = self.order.rvs(purchasers)
            match = self.match.rvs(purchasers)
            if len(purchasers) >= cap:
                served = purchasers[np.argsort(prio, kind="stable")[:cap]]
                self.sales[sellers] += prm.capacity
                busy = len(sellers) if cap else 0
            else:
                served = purchasers
                busy = self._match(sellers, match)
            rec["transactions"][week] = len(served)
            rec["failed"][week] = len(purchasers) - len(served)
            rec["busy_sellers"][week] = busy

            # 4. Arrests, desistance, deterrence.
            arrested = self.arrest.filter(served)
            desisting = self.desist.filter(arrested)
            deterred_now = arrested.remove(desisting)
            self.desisted[desisting] = True
            self.deterred_until[deterred_now] = week + self.spell.rvs(deterred_now) + 1
            self.desisted_total += len(desisting)
            rec["arrests"][week] = len(arrested)
            rec["desisted"][week] = self.desisted_total

        def _match(self, sellers, draws: np.ndarray) -> int:
            """Each purchase in turn goes to a uniformly random seller with capacity left."""
            capacity = self.params.capacity
            n_avail = len(sellers)
            avail = np.arange(n_avail)
            remaining = np.full(n_avail, capacity)
            busy = 0
            for u in draws:
                a = int(u * n_avail)
                pos = avail[a]
                busy += remaining[pos] == capacity
                remaining[pos] -= 1
                if remaining[pos] == 0:
                    n_avail -= 1
                    avail[a] = avail[n_avail]
            self.sales[sellers] += capacity - remaining
            return int(busy)


def run_starsim(params: Params, seed: int) -> dict[str, np.ndarray]:
    """One run of the reference model in Starsim; returns the weekly series named in ``OUTCOMES``."""
    _require()
    sim = ss.Sim(
        n_agents=params.n_buyers + params.n_sellers,
        dt=ss.week,
        dur=ss.weeks(params.weeks - 1),  # weeks 0 .. T-1: T steps
        rand_seed=int(seed),
        custom=Market(params),
        use_aging=False,
        people_results=False,
        verbose=0,
    )
    sim.run()
    market = sim.custom[0]  # the sim works on its own copy of the module
    return {name: market.counts[name].copy() for name in OUTCOMES}
