"""Population state as a struct of arrays: layout, growth, copying, and the engine's initial state."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from equality_model.model.engine import Simulation
from equality_model.model.state import (
    ACTIVE,
    B_ALIVE,
    EMPTY,
    INDEPENDENT,
    NEVER,
    TRAFFICKED,
    Buyers,
    Exploiters,
    Market,
    Sellers,
    State,
)

from .simkit import rate_class, small


def test_buyers_are_thirty_four_bytes_an_agent() -> None:
    b = Buyers.empty(100, weeks=10, chunks=4)
    assert b.bytes_per_agent == 34
    assert all(getattr(b, name).size == 100 for name in Buyers.PER_AGENT)
    assert b.leave_head.shape == (10,) and b.expire.shape == (4, 62) and b.active.shape == (4,)
    assert (b.next_cand == NEVER).all() and (b.leave_next == -1).all() and (b.flags == 0).all()
    assert (b.ident == -1).all()


def test_buyer_capacity_is_fixed_up_front() -> None:
    b = Buyers.empty(10, weeks=5, chunks=2)
    b.ensure(10)
    with pytest.raises(RuntimeError, match="capacity"):
        b.ensure(11)


def test_sellers_are_small_and_grow_keeping_ids_and_fill_values() -> None:
    s = Sellers.empty(8)
    assert s.bytes_per_agent < 64
    s.status[:8] = ACTIVE
    s.age[:8] = np.arange(8)
    s.exploiter[:8] = 3
    s.ensure(8)
    assert s.status.size == 8  # no growth when it fits
    s.ensure(9)
    assert s.status.size >= 12  # grows by at least 50%
    sizes = {getattr(s, name).size for name in vars(s) if name != "n"}
    assert sizes == {s.status.size}
    assert np.array_equal(s.age[:8], np.arange(8)) and (s.exploiter[:8] == 3).all()
    assert (s.status[8:] == EMPTY).all() and (s.exploiter[8:] == -1).all() and (s.stage[8:] == -1).all()
    assert (s.exited_week[8:] == -NEVER).all()
    s.ensure(100)
    assert s.status.size == 100


def test_exploiters_grow() -> None:
    e = Exploiters.empty(2)
    e.alive[:] = 1
    e.n_ctrl[:] = 4
    e.ensure(3)
    assert e.alive.size == e.n_ctrl.size == e.profit.size >= 3
    assert list(e.alive[:3]) == [1, 1, 0] and list(e.n_ctrl[:3]) == [4, 4, 0]


def test_state_copy_is_deep() -> None:
    st = State(
        Buyers.empty(4, 3, 2),
        Sellers.empty(4),
        Exploiters.empty(2),
        Market(price=np.ones(3), fill=np.ones(3), capacity_per_seller=np.ones(3)),
    )
    st.sellers.n = 2
    c = st.copy()
    c.sellers.status[0] = ACTIVE
    c.buyers.rate[0] = 0.5
    c.market.price[0] = 2.0
    c.market.entries.append(np.zeros(3))
    c.sellers.n = 3
    assert st.sellers.status[0] == EMPTY and st.buyers.rate[0] == 0 and st.market.price[0] == 1.0
    assert st.market.entries == [] and st.sellers.n == 2
    assert st.n_agents == 2 and st.nbytes() > 0 and st.bytes_per_agent() == st.nbytes() / 2


def test_lockstep_shares_only_what_policy_cannot_change() -> None:
    """Two arms in lockstep share the buyer schedule and fixed attributes; everything an arm's
    policy can change (desistance, deterrence, purchase history, people, market) is its own: a
    column of the per-arm matrices, starting from the original's values."""
    st = State(
        Buyers.empty(4, 3, 2),
        Sellers.empty(4),
        Exploiters.empty(2),
        Market(price=np.ones(3), fill=np.ones(3), capacity_per_seller=np.ones(3)),
    )
    st.buyers.flags[1] = 5
    st.buyers.active[0] = 7
    a, b = st.lockstep(2)
    assert (a.buyers.arm, b.buyers.arm) == (0, 1)
    for name in Buyers.SHARED:
        assert getattr(a.buyers, name) is getattr(b.buyers, name) is getattr(st.buyers, name), name
    for name in Buyers.PER_ARM:
        assert getattr(a.buyers, name) is getattr(b.buyers, name), name
        assert not np.shares_memory(getattr(a.buyers, name), getattr(st.buyers, name)), name
    assert a.buyers.arm_flags.shape == (4, 2) and a.buyers.arm_active.shape == (2, 2)
    for name in ("flags", "last_buy", "deter_until", "expire", "active"):
        assert np.array_equal(getattr(a.buyers, name), getattr(st.buyers, name)), name
        assert np.array_equal(getattr(b.buyers, name), getattr(st.buyers, name)), name
        assert not np.shares_memory(getattr(a.buyers, name), getattr(b.buyers, name)), name
    a.sellers.status[0] = ACTIVE
    a.market.price[0] = 2.0
    assert st.sellers.status[0] == EMPTY and st.market.price[0] == 1.0 and b.market.price[0] == 1.0
    assert set(Buyers.SHARED) | set(Buyers.PER_ARM) | {"n", "next_id", "arm"} == {
        fl.name for fl in dataclasses.fields(Buyers)
    }


def test_initial_state_of_a_small_massachusetts_run(ma) -> None:
    sc = small(ma, scale=100)
    sim = Simulation(sc, 0)
    st = sim.initial_state()
    p = sc.params()
    b, s, e = st.buyers, st.sellers, st.exploiters
    assert b.n == round(sc.population.adult_men * p["buyer.share_ever"] / sc.scale)
    assert ((b.flags[: b.n] & B_ALIVE) != 0).all() and (b.flags[b.n :] == 0).all()
    assert ((b.rate[: b.n] >= 0) & (b.rate[: b.n] <= np.float32(0.95))).all()  # capped weekly rate
    # every id once, stored by falling rate class (frequent buyers together in memory)
    assert np.array_equal(np.sort(b.ident[: b.n]), np.arange(b.n)) and b.next_id == b.n
    r = b.rate[: b.n].astype(np.float64)
    assert (np.diff(rate_class(r)) >= 0).all()
    expected_sellers = round(sc.population.total * p["seller.per_100k_population"] / 1e5 / sc.scale)
    assert s.n == expected_sellers
    assert (s.status[: s.n] == ACTIVE).all() and (s.status[s.n :] == EMPTY).all()
    assert (s.age[: s.n] >= 18).all()
    assert int((s.control[: s.n] == TRAFFICKED).sum()) == round(s.n * p["seller.share_trafficked"])
    controlled = s.control[: s.n] != INDEPENDENT
    assert (s.exploiter[: s.n][controlled] >= 0).all() and (s.exploiter[: s.n][~controlled] == -1).all()
    assert np.array_equal(e.n_ctrl[: e.n], np.bincount(s.exploiter[: s.n][controlled], minlength=e.n))
    assert (e.n_ctrl[: e.n] <= p["exploit.persons_per_exploiter"]).all() and (e.alive[: e.n] == 1).all()
    # selling is an offence in Massachusetts: some people start with a record
    assert 0 < s.record[: s.n].sum() < s.n
    assert (st.market.capacity_per_seller > 0).all()


def test_no_records_at_the_start_where_selling_is_lawful(ma) -> None:
    st = Simulation(small(ma, scale=100, baseline="SE@2000-01-01", reform=None), 0).initial_state()
    assert st.sellers.record.sum() == 0


def test_a_population_override_sets_the_number_of_people(ma) -> None:
    pop = {"total": 1_000_000, "adult_men": 50_000, "sellers": 1234, "source": "test"}
    st = Simulation(small(ma, scale=2, population=pop), 0).initial_state()
    assert st.sellers.n == 617 and st.buyers.n == 5000
    # at least ten agents however large the scale
    assert Simulation(small(ma, scale=10_000), 0).initial_state().sellers.n == 10
