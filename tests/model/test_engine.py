"""The simulation engine: conservation of stocks, reproducibility, null reforms, the law, monotonicity.

Runs are small (see ``simkit.small``): the Massachusetts scenario at 200 persons per agent or with a
town-sized population, one year after the minimum burn-in.
"""

from __future__ import annotations

import numba
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from equality_model.law.levers import SEGMENTS
from equality_model.model import engine, people
from equality_model.model.engine import OUTPUTS, ROLES, ROUTES, Simulation
from equality_model.model.params import registry
from equality_model.model.scenario import SERVICES, Scenario
from equality_model.model.state import ACTIVE, B_ALIVE, CAND_GROUP, EMPTY, EXITED, GONE, INDEPENDENT, State

from .simkit import (
    SMALL_POPULATION,
    Record,
    assert_runs_identical,
    blank_record,
    differing_outputs,
    implementation,
    manual_run,
    small,
)

SELLER, BUYER, THIRD_PARTY = (ROLES.index(r) for r in ("seller", "buyer", "third_party"))
SERVICES_ROUTE, UNASSISTED, DEATH, AGED_OUT = (ROUTES.index(r) for r in ROUTES)
STREET = SEGMENTS.index("street")


# ------------------------------------------------------------------------------------ conservation


class Conservation:
    """Checks the stock-flow accounts after every week of a manual run (see ``simkit.manual_run``)."""

    def __init__(self) -> None:
        self.prev: dict[str, dict[str, object]] = {}
        self.buyer_pool = -1
        self.weeks_checked = 0

    @staticmethod
    def _snapshot(state: State) -> dict[str, object]:
        s, e = state.sellers, state.exploiters
        status = s.status[: s.n]
        return {
            "n": s.n,
            "active": int((status == ACTIVE).sum()),
            "gone": status == GONE,
            "exploiters_alive": int((e.alive[: e.n] == 1).sum()),
        }

    def start(self, arm: str, state: State) -> None:
        self._slots(state)
        if arm == "burn_in":
            b = state.buyers
            self.buyer_pool = int(((b.flags[: b.n] & B_ALIVE) != 0).sum())
            assert self.buyer_pool == b.n > 0
        self.prev[arm] = self._snapshot(state)

    @staticmethod
    def _slots(state: State) -> None:
        s = state.sellers
        status = s.status
        # every slot 0..n-1 is in exactly one status; the spare capacity is empty
        assert np.isin(status[: s.n], (ACTIVE, EXITED, GONE)).all(), np.unique(status[: s.n])
        assert (status[s.n :] == EMPTY).all()
        b = state.buyers
        assert (b.flags[b.n :] == 0).all(), "a buyer slot beyond n is in use"

    def step(self, arm: str, t: int, state: State, rec: Record) -> None:
        r = {name: np.asarray(v[0]) for name, v in rec.items()}
        prev = self.prev[arm]
        s, b, e = state.sellers, state.buyers, state.exploiters
        self._slots(state)
        status = s.status[: s.n]
        active = int((status == ACTIVE).sum())
        entrants, reentries, exits = int(r["new_entrants"]), int(r["reentries"]), r["exits"]
        where = f"{arm}, week {t}"

        # people in prostitution: active(t) = active(t-1) + entrants + re-entries - exits - deaths - aged out
        assert active == prev["active"] + entrants + reentries - int(exits.sum()), where
        assert s.n == prev["n"] + entrants, f"{where}: every entrant takes a new slot"
        gone_before = prev["gone"]
        came_back = status[: gone_before.size][gone_before] != GONE
        assert not came_back.any(), f"{where}: someone came back from GONE"
        newly_gone = int((status == GONE).sum()) - int(gone_before.sum())
        assert newly_gone >= exits[DEATH] + exits[AGED_OUT], where
        assert r["people_in_prostitution"].sum() == active == r["people_by_control"].sum(), where
        assert r["new_trafficking_victims"] <= entrants, where

        # buyers: leavers are replaced one for one; the active count matches the purchase dates
        alive = (b.flags[: b.n] & B_ALIVE) != 0
        assert int(alive.sum()) == self.buyer_pool, f"{where}: buyer pool size changed"
        assert r["active_buyers"] == int((alive & (b.last_buy[: b.n] > t - 52)).sum()), where

        # no negative counts; each event needs the one before it
        for name, v in r.items():
            assert (v >= 0).all(), f"{where}: negative {name}: {v}"
        assert (r["transactions"] <= r["purchase_attempts"]).all(), where
        assert r["arrests"][BUYER] <= r["transactions"].sum(), where
        assert (r["convictions"] <= r["arrests"]).all(), where
        assert r["arrests"][SELLER] <= prev["active"], where  # at most one arrest a person a week
        assert r["arrests"][THIRD_PARTY] <= prev["exploiters_alive"], where
        assert r["identified_victims"] <= prev["active"], where
        in_play = np.isin(status, (ACTIVE, EXITED))
        assert r["records_held"] == int(s.record[: s.n][in_play].sum()), where

        # control: an independent person has no exploiter; a controlled one has an operating exploiter
        act = status == ACTIVE
        ctl, boss = s.control[: s.n], s.exploiter[: s.n]
        assert np.array_equal(r["people_in_prostitution"], np.bincount(s.seg[: s.n][act], minlength=3)), where
        assert np.array_equal(r["people_by_control"], np.bincount(ctl[act], minlength=3)), where
        assert ((ctl[act] == INDEPENDENT) == (boss[act] < 0)).all(), where
        linked = act & (boss >= 0)
        assert (e.alive[boss[linked]] == 1).all(), f"{where}: controlled by an exploiter who stopped"
        assert np.array_equal(e.n_ctrl[: e.n], np.bincount(boss[linked], minlength=e.n)), where
        assert r["exploiters"] == int((e.alive[: e.n] == 1).sum()), where

        # exit pathway: in service only at a stage; prices and fill ratios stay in bounds
        assert not (act & (s.in_service[: s.n] == 1) & (s.stage[: s.n] < 0)).any(), where
        m = state.market
        assert ((m.price >= 0.25) & (m.price <= 4.0)).all() and ((m.fill >= 0) & (m.fill <= 1)).all(), where

        self.prev[arm] = self._snapshot(state)
        self.weeks_checked += 1


# parameters varied by the property test, drawn inside their registry ranges
VARIED = (
    "seller.reentry_first_year",
    "seller.share_trafficked",
    "seller.mortality_per_year",
    "seller.age_out",
    "buyer.pool_turnover_years",
    "buyer.displacement",
    "buyer.desist_after_arrest",
    "enforce.conviction_seller",
    "exit.wish_rate_per_year",
)
REGIMES = (
    ("US-MA", "US-MA+equality-model"),
    ("SE@1998-12-31", "SE@2000-01-01"),
    ("NZ@2004-01-01", "CA@2015-01-01"),
)


def _param_values() -> st.SearchStrategy[dict[str, float]]:
    reg = registry()
    return st.fixed_dictionaries(
        {name: st.floats(*reg[name].range, allow_nan=False, allow_infinity=False) for name in VARIED}
    )


@settings(max_examples=10, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**40),
    scale=st.sampled_from([50.0, 100.0, 200.0]),
    regimes=st.sampled_from(REGIMES),
    params=_param_values(),
)
def test_stocks_are_conserved_every_week(
    ma: Scenario, seed: int, scale: float, regimes: tuple[str, str], params: dict[str, float]
) -> None:
    base, reform = regimes
    sc = small(ma, seed=seed, scale=scale, baseline=base, reform=reform, parameters=params)
    checker = Conservation()
    out = manual_run(Simulation(sc, replicate=seed % 3), checker)
    assert checker.weeks_checked == engine.MIN_BURN_IN + 2 * sc.weeks
    # the run did something: people entered, left and were bought from
    for arm in ("baseline", "reform"):
        assert out[arm]["transactions"].sum() > 0
    assert out["burn_in"]["new_entrants"].sum() > 0 and out["burn_in"]["exits"].sum() > 0


def test_conservation_checker_catches_a_lost_person(ma: Scenario) -> None:
    """The checker is not vacuous: a person silently removed from the trade breaks the accounts."""
    sim = Simulation(small(ma, seed=3), 0)
    checker = Conservation()
    state = sim.initial_state()
    checker.start("burn_in", state)
    rec = blank_record()
    sim.step(state, "baseline", -sim.burn, rec, 0)
    j = int(np.flatnonzero(state.sellers.status[: state.sellers.n] == ACTIVE)[0])
    state.sellers.status[j] = EXITED  # an exit nobody recorded
    with pytest.raises(AssertionError, match="week"):
        checker.step("burn_in", -sim.burn, state, rec)


def test_manual_steps_reproduce_run(ma: Scenario) -> None:
    """``Simulation.step`` driven by hand (with records in burn-in) gives exactly ``run()``'s outputs."""
    sc = small(ma, seed=11, scale=100)
    manual = manual_run(Simulation(sc, 1))
    ran = Simulation(sc, 1).run()
    for arm in ("baseline", "reform"):
        for name in OUTPUTS:
            factor = 1.0 if name in engine.UNSCALED else sc.scale
            assert np.array_equal(manual[arm][name] * factor, ran[arm][name]), f"{arm}/{name}"


# ------------------------------------------------------------------------------- reproducibility


def test_equal_seeds_give_bit_identical_results(ma: Scenario) -> None:
    sc = small(ma, seed=123)
    sim = Simulation(sc, 1)
    a = sim.run()
    b = Simulation(sc, 1).run()
    assert_runs_identical(a, b)
    assert_runs_identical(a, sim.run())  # no state carried over between runs of one Simulation
    for arm in a:
        assert set(a[arm]) == set(OUTPUTS)
        for name, (_dim, labels) in OUTPUTS.items():
            assert a[arm][name].shape == ((sc.weeks, len(labels)) if labels else (sc.weeks,)), name


def test_week_levers_are_shared_by_replicates_and_seeds_but_not_by_parameters(ma: Scenario) -> None:
    """Replicates of one scenario share the memo of week levers; other parameters or another
    scenario get their own, and a replicate with the memo already filled gives the same results."""
    sc = small(ma, seed=321)
    first = Simulation(sc, 0)
    assert Simulation(sc, 1)._levers is first._levers
    assert Simulation(small(ma, seed=322), 0)._levers is first._levers
    other_p = sc.params().with_overrides({"buyer.course_effect": 0.31})
    assert Simulation(sc, 0, params=other_p)._levers is not first._levers
    assert Simulation(small(ma, seed=321, ramp_up_years=0), 0)._levers is not first._levers
    engine._LEVER_MEMOS.clear()
    fresh = Simulation(sc, 0).run()
    assert len(Simulation(sc, 0)._levers) > 0  # filled by the run above
    assert_runs_identical(fresh, Simulation(sc, 0).run())


def test_different_seeds_and_replicates_differ(ma: Scenario) -> None:
    sc = small(ma, seed=123)
    ref = Simulation(sc, 0).run()["baseline"]
    other_seed = Simulation(small(ma, seed=124), 0).run()["baseline"]
    other_rep = Simulation(sc, 1).run()["baseline"]
    for other in (other_seed, other_rep):
        changed = differing_outputs(ref, other)
        assert {"transactions", "purchase_attempts", "people_in_prostitution"} <= set(changed), changed


def test_results_do_not_depend_on_the_numba_thread_count(ma: Scenario) -> None:
    """The parallel buyer kernel gives the same state and counts on one thread or two."""
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("numba has a single thread here")
    # more than N_CHUNKS blocks of buyers, so every parallel chunk has work
    pop = {**SMALL_POPULATION, "adult_men": 400_000}
    sim = Simulation(small(ma, scale=1, population=pop, seed=5), 0)
    start = sim.initial_state()
    assert start.buyers.n > engine.demand.N_CHUNKS * engine.demand.BLOCK
    runs = []
    before = numba.get_num_threads()
    try:
        for threads in (1, 2):
            numba.set_num_threads(threads)
            state = start.copy()
            recs = []
            for t in range(-sim.burn, -sim.burn + 6):
                rec = blank_record()
                sim.step(state, "baseline", t, rec, 0)
                recs.append(rec)
            runs.append((state, recs))
    finally:
        numba.set_num_threads(before)
    (s1, r1), (s2, r2) = runs
    for w, (a, b) in enumerate(zip(r1, r2, strict=True)):
        assert differing_outputs(a, b) == [], f"week {w}"
    for name in ("flags", "last_buy", "deter_until", "next_cand", "expire", "active"):
        assert np.array_equal(getattr(s1.buyers, name), getattr(s2.buyers, name)), name
    assert s1.buyers.n == s2.buyers.n


def test_a_record_row_fills_the_named_outputs_in_order() -> None:
    rec = engine.Record(3)
    for name, (_dim, labels) in OUTPUTS.items():
        assert rec[name].shape == ((3, len(labels)) if labels else (3,)), name
        assert np.shares_memory(rec[name], rec.matrix), name
    rec.matrix[1] = np.arange(rec.matrix.shape[1])
    flat = np.concatenate([np.atleast_2d(rec[name][1]).ravel() for name in OUTPUTS])
    assert np.array_equal(flat, np.arange(rec.matrix.shape[1]))
    assert not rec.matrix[[0, 2]].any()


def test_newcomers_replace_leavers_in_their_slots(ma: Scenario) -> None:
    """The pool keeps its size and its slots: each leaver's slot goes to a newcomer with a new id,
    and the slots stay close to sorted by rate as the pool turns over."""
    sim = Simulation(small(ma, scale=20, years=1), 0)
    st = sim.initial_state()
    n = st.buyers.n
    for t in range(-sim.burn, 0):
        sim.step(st, "baseline", t, None, 0)
    b = st.buyers
    assert b.n == n and b.next_id > n  # men left and were replaced one for one
    ids = b.ident[:n]
    assert np.unique(ids).size == n and ids.max() == b.next_id - 1
    assert ((b.flags[:n] & B_ALIVE) != 0).all()
    rank_by_slot = np.argsort(np.argsort(-b.rate[:n], kind="stable"))
    assert np.corrcoef(rank_by_slot, np.arange(n))[0, 1] > 0.95
    # the scan's bounds: never above a group's earliest candidate week, and past the last week run
    pad = np.full(b.cand_min.size * CAND_GROUP, engine.demand.NEVER_WEEK, np.int32)
    pad[:n] = b.next_cand[:n]
    group_min = pad.reshape(-1, CAND_GROUP).min(axis=1)
    assert (b.cand_min <= group_min).all() and (b.cand_min > -1).all()


# ---------------------------------------------------------------------------------- null reform


@pytest.mark.parametrize("explicit", [False, True], ids=["reform-none", "reform-equals-baseline"])
def test_null_reform_without_ramp_gives_exactly_zero_difference(ma: Scenario, explicit: bool) -> None:
    changes: dict[str, object] = {"reform": None, "reform_implementation": None, "ramp_up_years": 0}
    if explicit:
        changes.update(reform=ma.baseline, reform_implementation=implementation(ma, "baseline"))
    out = Simulation(small(ma, seed=7, **changes), 0).run()
    assert differing_outputs(out["baseline"], out["reform"]) == []
    assert out["baseline"]["transactions"].sum() > 0


def test_a_real_reform_differs_from_the_baseline(ma: Scenario) -> None:
    """Control for the null-reform tests: the same comparison does see a reform."""
    out = Simulation(small(ma, seed=7, ramp_up_years=0), 0).run()
    assert {"arrests", "records_held"} <= set(differing_outputs(out["baseline"], out["reform"]))


@pytest.mark.parametrize("explicit", [False, True], ids=["reform-none", "reform-equals-baseline"])
def test_null_reform_during_ramp_up_gives_exactly_zero_difference(ma: Scenario, explicit: bool) -> None:
    changes: dict[str, object] = {"reform": None, "reform_implementation": None, "ramp_up_years": 2}
    if explicit:
        changes.update(reform=ma.baseline, reform_implementation=implementation(ma, "baseline"))
    out = Simulation(small(ma, seed=20261121, **changes), 0).run()
    assert differing_outputs(out["baseline"], out["reform"]) == []


def test_ramp_blend_of_equal_levers_is_exact(ma: Scenario) -> None:
    sc = small(ma, reform=None, reform_implementation=None, ramp_up_years=2, years=2)
    sim = Simulation(sc, 0)
    imp = sc.baseline_implementation
    levers = {
        "perceived": lambda i: i.enforcement.perceived_arrest_risk,
        "b1000": lambda i: i.enforcement.buyer_arrests_per_1000_purchases.as_tuple(),
        "s_rate": lambda i: i.enforcement.seller_arrests_per_person_year.as_tuple(),
        **{f"cap.{nm}": (lambda i, nm=nm: i.services.pool(nm).capacity) for nm in SERVICES},
    }
    bad = []
    for t in range(sc.weeks):
        for key, get in levers.items():
            if not np.array_equal(sim._blend("reform", t, get), np.asarray(get(imp), dtype=float)):
                bad.append((t, key))
    assert bad == []


# ------------------------------------------------------------------------------------------ law

STRONG = {  # enforcement effort high enough that a small run arrests whoever the law makes liable
    "enforcement": {
        "buyer_arrests_per_1000_purchases": {"street": 20.0, "indoor": 20.0, "online": 20.0},
        "seller_arrests_per_person_year": {"street": 3.0, "indoor": 3.0, "online": 3.0},
        "third_party_arrests_per_exploiter_year": 5.0,
    }
}


def _law_run(ma: Scenario, baseline: str, reform: str | None = None, effort: dict | None = None, **kw):
    imp = implementation(ma, "baseline", **(effort or STRONG))
    sc = small(
        ma, baseline=baseline, reform=reform, baseline_implementation=imp, reform_implementation=None, **kw
    )
    return Simulation(sc, 0).run()


def _total(out: dict[str, Record], name: str, index: int) -> float:
    return float(sum(out[arm][name][:, index].sum() for arm in ("baseline", "reform")))


def test_no_seller_arrests_where_selling_is_lawful(ma: Scenario) -> None:
    lawful = _law_run(ma, "SE@2000-01-01")
    for arm in ("baseline", "reform"):
        assert (lawful[arm]["arrests"][:, SELLER] == 0).all(), arm
        assert (lawful[arm]["convictions"][:, SELLER] == 0).all(), arm
        assert (lawful[arm]["records_held"] == 0).all(), arm  # no records at the start, none created
        assert lawful[arm]["arrests"][:, BUYER].sum() > 0, arm  # buying is an offence in Sweden
    # the same effort where selling is an offence does arrest people in prostitution
    liable = _law_run(ma, "US-MA")
    assert _total(liable, "arrests", SELLER) > 0 and _total(liable, "convictions", SELLER) > 0


def test_massachusetts_reform_stops_seller_arrests_from_its_start(ma: Scenario) -> None:
    imp = implementation(ma, "baseline", **STRONG)
    sc = small(ma, baseline_implementation=imp, reform_implementation=imp)
    out = Simulation(sc, 0).run()
    assert (out["reform"]["arrests"][:, SELLER] == 0).all()
    assert out["baseline"]["arrests"][:, SELLER].sum() > 0
    # automatic expungement clears every record in week 0, and no new ones are made
    assert (out["reform"]["records_held"] == 0).all()
    assert out["reform"]["records_relieved"][0] > 0
    assert (out["baseline"]["records_held"] > 0).all()
    # buyers and exploiters stay liable
    assert out["reform"]["arrests"][:, BUYER].sum() > 0 and out["reform"]["arrests"][:, THIRD_PARTY].sum() > 0


@pytest.mark.parametrize("regime", ["NZ@2004-01-01", "DE@2003-01-01"])
def test_no_buyer_arrests_where_buying_is_lawful(ma: Scenario, regime: str) -> None:
    lawful = _law_run(ma, regime)
    for arm in ("baseline", "reform"):
        assert (lawful[arm]["arrests"][:, BUYER] == 0).all(), arm
        assert (lawful[arm]["convictions"][:, BUYER] == 0).all(), arm
        assert (lawful[arm]["arrests"][:, SELLER] == 0).all(), arm
        assert (lawful[arm]["arrests"][:, THIRD_PARTY] == 0).all(), arm  # no third-party offences either
        assert (lawful[arm]["fine_revenue"] == 0).all(), arm
        assert lawful[arm]["transactions"].sum() > 0, arm


def test_buyer_and_exploiter_arrests_where_they_are_liable(ma: Scenario) -> None:
    """Control for the lawful-buying test: the same effort under the Swedish law arrests buyers."""
    liable = _law_run(ma, "SE@2000-01-01")
    assert _total(liable, "arrests", BUYER) > 0 and _total(liable, "convictions", BUYER) > 0
    assert _total(liable, "arrests", THIRD_PARTY) > 0


def test_canada_arrests_people_in_prostitution_only_on_the_street(
    ma: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[np.ndarray] = []
    real = people.people_week

    def spy(*args):  # arrests of people in prostitution by segment, from each week's counts
        out = real(*args)
        seen.append(out[people.O_S_ARR : people.O_S_ARR + 3].copy())
        return out

    monkeypatch.setattr(people, "people_week", spy)
    imp = implementation(ma, "baseline", **STRONG)
    sc = small(
        ma, baseline="CA@2015-01-01", baseline_implementation=imp, reform=None, reform_implementation=None
    )
    sim = Simulation(sc, 0)
    out = sim.run()
    by_segment = np.sum(seen, axis=0)
    assert by_segment[STREET] > 0
    assert by_segment[SEGMENTS.index("indoor")] == 0 and by_segment[SEGMENTS.index("online")] == 0
    # the state agrees: records (from selling convictions) are held only by people on the street
    s = sim.final_state.sellers
    assert s.record[: s.n].sum() > 0
    assert (s.seg[: s.n][s.record[: s.n] == 1] == STREET).all()
    assert out["reform"]["arrests"][:, SELLER].sum() > 0


def test_canada_without_street_effort_has_no_seller_arrests(ma: Scenario) -> None:
    effort = {
        "enforcement": {
            **STRONG["enforcement"],
            "seller_arrests_per_person_year": {"street": 0.0, "indoor": 3.0, "online": 3.0},
        }
    }
    canada = _law_run(ma, "CA@2015-01-01", effort=effort)
    assert _total(canada, "arrests", SELLER) == 0
    assert _total(canada, "arrests", BUYER) > 0
    # control: indoor and online effort does arrest people where selling itself is an offence
    assert _total(_law_run(ma, "US-MA", effort=effort), "arrests", SELLER) > 0


# --------------------------------------------------------------------------------- monotonicity


def _with_capacity(ma: Scenario, capacity: float) -> dict:
    """The MA baseline implementation with every exit service at ``capacity`` places."""
    services = ma.baseline_implementation.services.model_dump()
    for nm in SERVICES:
        services[nm]["capacity"] = capacity
    # no fine-funded places either (current MA law routes fines to the trust fund), so 0 means 0
    return implementation(ma, "baseline", services=services, fines_to_services_share=0.0)


def _service_exits(ma: Scenario, capacity: float, replicates: int = 3) -> np.ndarray:
    sc = small(
        ma,
        scale=10,  # 400 agents for 4,000 people; capacity in persons is divided by the scale
        population={"total": 7_000_000, "adult_men": 200_000, "sellers": 4_000, "source": "test"},
        reform=None,
        reform_implementation=None,
        baseline_implementation=_with_capacity(ma, capacity),
        seed=99,
    )
    return np.array(
        [
            manual_run(Simulation(sc, r), arms=("baseline",))["baseline"]["exits"][:, SERVICES_ROUTE].sum()
            for r in range(replicates)
        ]
    )


def test_more_exit_capacity_never_gives_fewer_service_exits(ma: Scenario) -> None:
    """Common random numbers (same seed, same replicates), capacity 0, 50 and 200 places per service."""
    none, some, more = (_service_exits(ma, c) for c in (0, 50, 200))
    assert (none == 0).all()  # no places, nobody exits through services
    assert some.mean() > 0
    # a reversal larger than 10% of the smaller capacity's exits would fail
    assert more.mean() >= 0.9 * some.mean(), (some, more)
    assert more.mean() > some.mean(), (some, more)


def test_fractional_exit_capacity_is_not_lost_at_scale(ma: Scenario) -> None:
    # Sweden 2000 routes no fines to services, so the pools are the only places
    sc = small(
        ma,
        scale=200,
        baseline="SE@2000-01-01",
        reform=None,
        reform_implementation=None,
        baseline_implementation=_with_capacity(ma, 100.0),
    )
    out = Simulation(sc, 0).run()
    assert out["baseline"]["waiting_list"].sum() > 0  # people are waiting for places
    assert out["baseline"]["in_service"].sum() > 0
