"""The simulation engine: weekly steps over struct-of-arrays state, two arms with common random numbers.

Order of processes within each week (``STEP_ORDER``), documented with equations in docs/model.md:
norms → demand (buyers, with buyer arrests) → market clearing → exploitation → enforcement
(people in prostitution, exploiters) → violence → exit → re-entry, ageing and mortality → entry and
trafficking inflow (after the outflows, so burn-in can replace them) → fines routed to services.

Both arms share the burn-in (run once under the baseline regime) and then continue from a copy of
the same state with the same stream keys, so their difference is the policy's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from equality_model.law.catalog import Regime, default_catalog
from equality_model.law.levers import SEGMENTS, LegalLevers, levers
from equality_model.model import people
from equality_model.model.params import ParamSet
from equality_model.model.processes import (
    demand,
    enforcement,
    entry,
    fines,
    market,
    norms,
    violence,
)
from equality_model.model.rng import Streams
from equality_model.model.scenario import SERVICES, Implementation, Scenario
from equality_model.model.state import (
    CONTROLLED,
    TRAFFICKED,
    Buyers,
    Exploiters,
    Market,
    Sellers,
    State,
)

STEP_ORDER = (
    "norms",
    "demand",
    "market",
    "exploitation",
    "enforcement",
    "violence",
    "exit",
    "demography",
    "entry",
    "fines",
)
ROLES = ("seller", "buyer", "third_party")
ROUTES = ("services", "unassisted", "death", "aged_out")
CONTROL = ("independent", "controlled", "trafficked")
COSTS = ("enforcement", "services", "education")
MIN_BURN_IN = 156  # three years, so the pool of recent exits reaches steady state

# name -> (extra dimension, labels)
OUTPUTS: dict[str, tuple[str | None, tuple[str, ...] | None]] = {
    "people_in_prostitution": ("segment", SEGMENTS),
    "people_by_control": ("control", CONTROL),
    "new_trafficking_victims": (None, None),
    "new_entrants": (None, None),
    "active_buyers": (None, None),
    "purchase_attempts": ("segment", SEGMENTS),
    "transactions": ("segment", SEGMENTS),
    "price_index": ("segment", SEGMENTS),
    "arrests": ("role", ROLES),
    "convictions": ("role", ROLES),
    "exits": ("route", ROUTES),
    "reentries": (None, None),
    "waiting_list": ("service", SERVICES),
    "in_service": ("service", SERVICES),
    "violence": ("hypothesis", violence.HYPOTHESES),
    "records_held": (None, None),
    "records_relieved": (None, None),
    "identified_victims": (None, None),
    "exploiters": (None, None),
    "cost": ("cost_item", COSTS),
    "fine_revenue": (None, None),
    "fines_to_services": (None, None),
}
# outputs that are levels, not counts: not multiplied by the scale
UNSCALED = {"price_index"}


class Record(dict[str, np.ndarray]):
    """One arm's outputs, week by week: named views (week, ...) of one matrix, one column per output
    and label in the order of ``OUTPUTS``, so the step writes a week in one assignment."""

    def __init__(self, weeks: int) -> None:
        widths = [len(labels) if labels else 1 for _dim, labels in OUTPUTS.values()]
        self.matrix = np.zeros((weeks, sum(widths)))
        a = 0
        for (name, (_dim, labels)), width in zip(OUTPUTS.items(), widths, strict=True):
            b = a + width
            super().__setitem__(name, self.matrix[:, a:b] if labels else self.matrix[:, a])
            a = b


# the keys of demand.init_buyers, in its order
BUYER_INIT_KEYS = ("buyer.init", "buyer.segment", "buyer.first", "buyer.leave", "buyer.sensitivity")
# the buyer kernel's streams, in the order ``demand.buyer_week`` takes them
BUYER_WEEK_KEYS = ("buyer.candidate", "buyer.accept", "buyer.convict", "buyer.deterrence")
STREAM_NAMES = (
    *BUYER_INIT_KEYS,
    *BUYER_WEEK_KEYS,
    "seller.init",
    "seller.record",
    *people.KEY_NAMES,
    "entry.count",
)


@dataclass(frozen=True)
class ArmLaw:
    """Legal levers of an arm before and after the start date."""

    before: LegalLevers
    after: LegalLevers


@dataclass(frozen=True)
class WeekLevers:
    """Everything a week needs that depends only on the arm, the phase (before or after the start
    date) and the ramp weight: computed once per combination (``Simulation._week_levers``)."""

    law: LegalLevers
    imp: Implementation
    edu_usd: float  # community education spending, USD a year
    norm_target: float  # norms: this arm's target shift and the baseline's
    norm_base: float
    arrest_p: np.ndarray  # float64[3] buyer arrest probability per completed purchase
    dpen: np.ndarray  # float64[3] change in buyers' expected penalty against baseline
    course_on: bool
    p_arrest_week: np.ndarray  # float64[3] weekly arrest probability of people in prostitution
    seller_arrests_py: np.ndarray  # the same as arrests per person-year
    tp_rate: float  # arrests per exploiter-year, and the weekly probability where liable
    tp_week: float
    places: np.ndarray  # float64[4] service places per agent, before places paid by fines
    service_weeks: np.ndarray  # int64[4]
    service_success: np.ndarray  # float64[4]
    cost_per_week: np.ndarray  # float64[4]
    mean_cost_per_week: float
    relief_p_week: float
    clear_records: bool  # automatic relief starts with this arm's reform: clear records at week 0
    trafficked_first: bool
    exploiter_risk: float
    liable_share: float  # share of the market where selling is an offence
    dpen_mean: float  # buyers' penalty change averaged over the segments' initial shares
    buyer_fine_usd: float
    seller_fine_usd: float


@dataclass(frozen=True)
class WeekDemand:
    """What buyers face in one arm this week: the arm's levers, and norms and price."""

    levers: WeekLevers
    mult: np.ndarray  # float64[3] norms × price multiplier of the purchase rate


def arm_levers(sc: Scenario) -> dict[str, ArmLaw]:
    cat = default_catalog()
    base = levers(cat.resolve(sc.baseline))
    ref = levers(cat.resolve(sc.reform)) if sc.reform else base
    return {"baseline": ArmLaw(base, base), "reform": ArmLaw(base, ref)}


def regimes(sc: Scenario) -> tuple[Regime, Regime]:
    cat = default_catalog()
    b = cat.resolve(sc.baseline)
    return b, (cat.resolve(sc.reform) if sc.reform else b)


def rate_targets(p: ParamSet) -> tuple[float, float, float]:
    """The buyer-structure targets the purchase-rate distribution is fitted to
    (``demand.fit_rate_distribution``)."""
    return (
        p["buyer.share_past_year"] / p["buyer.share_ever"],
        p["buyer.high_freq_share_of_active"],
        p["buyer.high_freq_share_of_transactions"],
    )


LeverMemo = dict[tuple[str, bool, float], WeekLevers]
# week levers by (scenario without its seed and replicate count, parameters): at most a few
_LEVER_MEMOS: dict[tuple[str, tuple[tuple[str, float], ...]], LeverMemo] = {}
_LEVER_MEMOS_KEPT = 4


def _lever_memo(sc: Scenario, p: ParamSet) -> LeverMemo:
    """The memo of ``Simulation._week_levers``, shared by every replicate of the same scenario and
    parameters in this process: levers never depend on the replicate, and recomputing them each week
    of a ramp-up was 1.5 % of a replicate (measured). Levers are never changed in place."""
    key = (sc.model_dump_json(exclude={"seed", "replicates"}), tuple(sorted(p.values.items())))
    memo = _LEVER_MEMOS.get(key)
    if memo is None:
        while len(_LEVER_MEMOS) >= _LEVER_MEMOS_KEPT:
            del _LEVER_MEMOS[next(iter(_LEVER_MEMOS))]  # the oldest
        memo = _LEVER_MEMOS[key] = {}
    return memo


def _liable(lv: dict, seg_names=SEGMENTS) -> np.ndarray:  # type: ignore[type-arg]
    return np.array([lv[s].liable for s in seg_names], dtype=bool)


class Simulation:
    """One replicate of one scenario: builds the initial state and steps both arms."""

    def __init__(self, sc: Scenario, replicate: int = 0, params: ParamSet | None = None) -> None:
        self.sc = sc
        self.p = params or sc.params()
        self.rep = replicate
        self.streams = Streams(sc.seed, replicate)
        self.keys = {n: self.streams[n] for n in STREAM_NAMES}
        self.law = arm_levers(sc)
        self.scale = sc.scale
        self.burn = max(MIN_BURN_IN, sc.burn_in_weeks)
        p = self.p
        self.rate_shape, self.rate_scale = demand.fit_rate_distribution(*rate_targets(p))
        seg_share = np.array(
            [
                p["seller.share_street"],
                1 - p["seller.share_street"] - p["seller.share_online"],
                p["seller.share_online"],
            ]
        )
        if seg_share[1] <= 0:
            from equality_model.errors import InputError

            raise InputError("seller.share_street + seller.share_online must be below 1", field="parameters")
        self.seg_share = seg_share
        self.seg_cum = np.cumsum(seg_share)[:2].copy()
        traf = p["seller.share_trafficked"]
        self.entry_mix = np.array(
            [max(0.0, 1 - traf - p["seller.share_controlled"]), p["seller.share_controlled"], traf]
        )
        self.entry_mix = self.entry_mix / self.entry_mix.sum()
        self.base_price_usd = np.array(
            [p["market.price_street"], p["market.price_indoor"], p["market.price_online"]]
        )
        self._levers = _lever_memo(sc, self.p)
        self._buyer_init_keys = np.array([self.keys[n] for n in BUYER_INIT_KEYS])
        self._people_keys = np.array([self.keys[n] for n in people.KEY_NAMES])
        self._buyer_keys = np.array([self.keys[n] for n in BUYER_WEEK_KEYS])
        # needs at entry by segment (street, indoor, online: online people share the indoor rates)
        self._sud_p = np.array([p["seller.sud_street"], p["seller.sud_indoor"], p["seller.sud_indoor"]])
        self._housing_p = np.array(
            [
                p["seller.housing_need_street"],
                p["seller.housing_need_indoor"],
                p["seller.housing_need_indoor"],
            ]
        )
        self._const = {
            "share_controlled": p["exploit.share_controlled"],
            "share_trafficked": p["exploit.share_trafficked"],
            "convict_seller": p["enforce.conviction_seller"],
            "convict_tp": p["enforce.conviction_third_party"],
            "base_violence": np.array(
                [p["violence.per_1000_street"], p["violence.per_1000_indoor"], p["violence.per_1000_indoor"]]
            ),
            "rr_exploit": p["violence.exploitation_rate_ratio"],
            "wish_p_week": 1 - np.exp(-p["exit.wish_rate_per_year"] / 52),
            "controlled_access": p["exit.controlled_access"],
            "record_barrier": p["exit.record_barrier"],
            "unassisted_p_week": 1 - np.exp(-1 / (52 * p["seller.unassisted_exit_years"])),
            "wish_ratio": p["exit.unassisted_with_wish_ratio"],
            "reentry_p_week": 1 - (1 - p["seller.reentry_first_year"]) ** (1 / 52),
            "mortality_p_week": 1 - np.exp(-p["seller.mortality_per_year"] / 52),
            "age_out": p["seller.age_out"],
        }
        # the entry equation's parameters, looked up once (the step reads them every week)
        self._entry_const = (
            p["market.supply_elasticity"],
            p["seller.deterred_by_liability"],
            p["traffic.buyer_penalty_passthrough"],
            p["traffic.profit_elasticity"],
            p["traffic.risk_sensitivity"],
        )
        self._cost_per_arrest = p["enforce.cost_per_arrest"]

    # ------------------------------------------------------------------ initial state
    def initial_state(self) -> State:
        sc, p = self.sc, self.p
        n_b = max(1, round(sc.population.adult_men * p["buyer.share_ever"] / self.scale))
        n_sellers_people = (
            sc.population.sellers or sc.population.total * p["seller.per_100k_population"] / 1e5
        )
        n_s = max(10, round(n_sellers_people / self.scale))
        horizon = self.burn + sc.weeks
        buyers = Buyers.empty(n_b, horizon, demand.N_CHUNKS)
        ids = np.arange(n_b, dtype=np.int64)
        rates = self._draw_rates(ids)
        self._place_buyers(buyers, ids, rates, np.arange(n_b, dtype=np.int64), -self.burn)
        buyers.n = buyers.next_id = n_b
        sellers = Sellers.empty(n_s * 4 + 64)
        expl = Exploiters.empty(n_s + 64)
        n_traf = round(n_s * p["seller.share_trafficked"])
        p_ctrl = p["seller.share_controlled"] / max(1e-9, 1 - p["seller.share_trafficked"])
        self._add_people(
            sellers, expl, -self.burn, [n_traf, n_s - n_traf], [1.0, p_ctrl], [True, False], np.zeros(3)
        )
        # records where selling is an offence at the start
        liable = _liable(self.law["baseline"].before.seller)
        rng = self.streams.generator("seller.record")
        u = rng.random(n_s)
        sellers.record[:n_s] = (
            liable[sellers.seg[:n_s]] & (u < p["seller.record_share_criminalized"])
        ).astype(np.uint8)
        # capacity so that the baseline market clears at ~95% utilisation
        mean_rate = float(np.mean(rates.astype(np.float32)))  # in id order, as stored
        counts = np.bincount(sellers.seg[:n_s], minlength=3).astype(float)
        weekly_demand = n_b * mean_rate * self.seg_share
        cap = weekly_demand / np.maximum(counts, 1) / market.TARGET_UTILISATION
        m = Market(price=np.ones(3), fill=np.ones(3), capacity_per_seller=cap)
        return State(buyers, sellers, expl, m)

    def _draw_rates(self, ids: np.ndarray) -> np.ndarray:
        return demand.draw_rates(ids, self.keys["buyer.init"], self.rate_shape, self.rate_scale)

    def _place_buyers(
        self, b: Buyers, ids: np.ndarray, rates: np.ndarray, free_slots: np.ndarray, t_start: int
    ) -> None:
        """Put buyers ``ids`` into ``free_slots``, the highest rate in the lowest slot
        (``demand.place_order``), and draw the rest of their attributes from their ids."""
        p = self.p
        order, slots = demand.place_order(rates, free_slots)
        demand.init_buyers(
            ids,
            rates,
            order,
            slots,
            np.int32(t_start),
            np.int32(-self.burn),
            b.rate,
            b.inv_log_q,
            b.sens,
            b.seg,
            b.ident,
            b.arm_last_buy,
            b.arm_deter_until,
            b.arm_flags,
            b.next_cand,
            b.cand_min,
            b.leave_head,
            b.leave_next,
            self._buyer_init_keys,
            self.seg_cum,
            p["buyer.pool_turnover_years"] * 52,
            p["buyer.risk_sensitivity"],
            p["buyer.risk_sensitivity_sd"],
        )

    def _add_people(
        self,
        s: Sellers,
        e: Exploiters,
        t: int,
        sizes: list[int],
        p_controlled: list[float],
        trafficked: list[bool],
        seg_weights: np.ndarray,
    ) -> None:
        """Groups of people after the last id in use: the initial stock (segments by the sellers'
        shares), or the week's entrants (segments by ``seg_weights``, the week's completed
        purchases; ``entry.add_entrants``)."""
        p = self.p
        lo, total = s.n, sum(sizes)
        s.ensure(lo + total)
        e.ensure(e.n + total + 1)
        first_week = t <= -self.burn
        e.n = int(
            entry.add_entrants(
                lo,
                np.array(sizes, np.int64),
                np.array(p_controlled, np.float64),
                np.array(trafficked, np.bool_),
                t,
                s.columns(),
                self.keys["seller.init"],
                seg_weights,
                self.seg_share,
                p["seller.entry_age_mean"],
                p["seller.unassisted_exit_years"] if first_week else 0.0,
                p["exploit.initial_debt"],
                self._sud_p,
                self._housing_p,
                p["exit.needs_education_share"],
                p["seller.wish_to_exit"] if first_week else 0.0,
                e.alive,
                e.n_ctrl,
                e.n,
                p["exploit.persons_per_exploiter"],
            )
        )
        s.n = lo + total

    # ------------------------------------------------------------------ helpers
    def _implementation(self, arm: str, t: int) -> tuple[Implementation, float]:
        """The arm's implementation and the ramp weight (0 = baseline levers, 1 = reform levers)."""
        if arm == "baseline" or t < 0:
            return self.sc.baseline_implementation, 0.0
        ramp_weeks = self.sc.ramp_up_years * 52
        w = 1.0 if ramp_weeks <= 0 else min(1.0, (t + 1) / ramp_weeks)
        return self.sc.implementation("reform"), w

    def _blend(self, arm: str, t: int, get: Callable[[Implementation], object]) -> np.ndarray:
        """Baseline and reform levers mixed by the ramp weight (``_week_levers`` memoises the week)."""
        imp, w = self._implementation(arm, t)
        a = np.asarray(get(self.sc.baseline_implementation), dtype=float)
        b = np.asarray(get(imp), dtype=float)
        return np.where(a == b, a, (1 - w) * a + w * b)  # equal levers blend exactly (null reforms)

    def _penalty_index(self, lv: LegalLevers, seg: str) -> float:
        p = self.p
        pl = lv.buyer[seg]
        if not pl.liable:
            return 0.0
        fine_usd = fines.expected_fine_usd(pl, self.sc.usd_per_currency_unit)
        return (
            p["buyer.stigma_of_arrest"]
            + p["buyer.custody_weight"] * min(pl.custody_max_months, 60.0)
            + fine_usd / p["buyer.usd_per_custody_month"]
        )

    def _expected_penalty(self, lv: LegalLevers, arrest_p: np.ndarray, perceived: float) -> np.ndarray:
        p = self.p
        out = np.zeros(3)
        for i, seg in enumerate(SEGMENTS):
            if lv.buyer[seg].liable:
                risk = perceived + p["buyer.perceived_risk_multiplier"] * arrest_p[i]
                out[i] = min(1.0, risk) * self._penalty_index(lv, seg)
        return out

    def _week_levers(self, arm: str, t: int) -> WeekLevers:
        """The arm's levers this week; memoised per (arm, phase, ramp weight)."""
        imp, w = self._implementation(arm, t)
        key = (arm, t >= 0, w)
        hit = self._levers.get(key)
        if hit is not None:
            return hit
        sc, p = self.sc, self.p
        law = self.law[arm].after if t >= 0 else self.law[arm].before
        base_law = self.law["baseline"].before
        edu_usd = float(self._blend(arm, t, lambda i: i.education_usd_per_year))
        men = sc.population.adult_men
        tgt = norms.target(
            bool(law.buyer["indoor"].liable),
            edu_usd / men,
            p["buyer.expressive_effect"],
            p["buyer.education_effect_per_capita_usd"],
        )
        base_tgt = norms.target(
            bool(base_law.buyer["indoor"].liable),
            sc.baseline_implementation.education_usd_per_year / men,
            p["buyer.expressive_effect"],
            p["buyer.education_effect_per_capita_usd"],
        )
        per1000 = self._blend(arm, t, lambda i: i.enforcement.buyer_arrests_per_1000_purchases.as_tuple())
        perceived = float(self._blend(arm, t, lambda i: i.enforcement.perceived_arrest_risk))
        arrest_p = enforcement.buyer_arrest_probability(per1000, _liable(law.buyer))
        base_per1000 = np.array(
            sc.baseline_implementation.enforcement.buyer_arrests_per_1000_purchases.as_tuple()
        )
        base_arrest = enforcement.buyer_arrest_probability(base_per1000, _liable(base_law.buyer))
        dpen = self._expected_penalty(law, arrest_p, perceived) - self._expected_penalty(
            base_law, base_arrest, sc.baseline_implementation.enforcement.perceived_arrest_risk
        )
        course_on = (bool(imp.enforcement.demand_course) and t >= 0) or bool(
            sc.baseline_implementation.enforcement.demand_course
        )
        s_rate = self._blend(arm, t, lambda i: i.enforcement.seller_arrests_per_person_year.as_tuple())
        p_week = enforcement.weekly_probability(s_rate) * _liable(law.seller)
        tp_rate = float(self._blend(arm, t, lambda i: i.enforcement.third_party_arrests_per_exploiter_year))
        tp_week = float(enforcement.weekly_probability(tp_rate)) if law.third_party.liable else 0.0
        places = (
            np.array(
                [self._blend(arm, t, lambda i, nm=nm: i.services.pool(nm).capacity) for nm in SERVICES],
                dtype=float,
            )
            / self.scale
        )
        cost_w = np.array([imp.services.pool(nm).cost_per_week for nm in SERVICES])
        relief_p = {"automatic": 1.0, "on_motion": 1.0, "judicial_discretion": 0.5}.get(
            law.record_relief_mode, 0.0
        )
        relief_p *= 1 - np.exp(-p["exit.relief_motion_rate_per_year"] / 52)
        lv = WeekLevers(
            law=law,
            imp=imp,
            edu_usd=edu_usd,
            norm_target=tgt,
            norm_base=base_tgt,
            arrest_p=arrest_p,
            dpen=dpen,
            course_on=course_on,
            p_arrest_week=p_week,
            seller_arrests_py=p_week * 52,
            tp_rate=tp_rate,
            tp_week=tp_week,
            places=places,
            service_weeks=np.array([imp.services.pool(nm).weeks for nm in SERVICES], dtype=np.int64),
            service_success=np.array([imp.services.pool(nm).success for nm in SERVICES]),
            cost_per_week=cost_w,
            mean_cost_per_week=float(cost_w.mean()),
            relief_p_week=float(relief_p),
            clear_records=(
                law.record_relief_mode == "automatic"
                and t >= 0
                and arm == "reform"
                and self.law[arm].before.record_relief_mode != "automatic"
            ),
            trafficked_first=imp.services.priority == "trafficked_first",
            exploiter_risk=self._exploiter_risk(law, tp_rate),
            liable_share=float(np.dot(self.seg_share, _liable(law.seller))),
            dpen_mean=float(np.dot(self.seg_share, dpen)),
            buyer_fine_usd=fines.expected_fine_usd(law.buyer["indoor"], sc.usd_per_currency_unit),
            seller_fine_usd=fines.expected_fine_usd(law.seller["street"], sc.usd_per_currency_unit),
        )
        self._levers[key] = lv
        return lv

    # ------------------------------------------------------------------ demand inputs
    def _demand_inputs(self, st: State, arm: str, t: int) -> WeekDemand:
        """Norms (step 1) and the conditions buyers face this week in one arm."""
        lv = self._week_levers(arm, t)
        m = st.market
        m.norm = norms.step(m.norm, lv.norm_target, lv.norm_base, self.p["buyer.norm_change_years"])
        mult = np.exp(m.norm) * m.price ** self.p["market.price_elasticity_demand"]
        return WeekDemand(lv, mult)

    def _buyers_week(self, t: int, states: list[State], wd: list[WeekDemand]) -> np.ndarray:
        """Demand for one arm, or two in lockstep sharing the buyer schedule (``demand.buyer_week``).

        Men who leave the pool are replaced one for one by newcomers in their slots, whose draws
        come from their own new ids, so arms that share the policy-independent buyer arrays stay in
        step. Returns counters per arm."""
        p = self.p
        pools = [st.buyers for st in states]
        b = pools[0]
        if [x.arm for x in pools] != list(range(b.arm_flags.shape[1])):
            raise ValueError("step every arm that shares the buyer pool, in the order of its columns")
        counts, left = demand.buyer_week(
            np.int32(t),
            np.int32(-self.burn),
            b.n,
            b.rate,
            b.inv_log_q,
            b.sens,
            b.seg,
            b.next_cand,
            b.leave_head,
            b.leave_next,
            b.ident,
            b.cand_min,
            b.arm_flags,
            b.arm_last_buy,
            b.arm_deter_until,
            b.arm_expire,
            b.arm_active,
            self._buyer_keys,
            np.array([d.mult for d in wd]),
            np.array([d.levers.dpen for d in wd]),
            p["buyer.displacement"],
            np.array([st.market.fill for st in states]),
            np.array([d.levers.arrest_p for d in wd]),
            p["enforce.conviction_buyer"],
            p["buyer.desist_after_arrest"],
            p["buyer.deterrence_weeks"],
            np.array([d.levers.course_on for d in wd]),
            p["buyer.course_attendance"],
            p["buyer.course_effect"],
        )
        if left.size:  # newcomers take the leavers' slots; their draws come from their own new ids
            ids = np.arange(b.next_id, b.next_id + left.size, dtype=np.int64)
            self._place_buyers(b, ids, self._draw_rates(ids), left, t + 1)  # in every arm's column
            for x in pools:
                x.next_id += left.size
        return counts

    # ------------------------------------------------------------------ one week
    def step(self, st: State, arm: str, t: int, rec: Record | None, wi: int) -> None:
        """One week of one arm, in ``STEP_ORDER``."""
        wd = self._demand_inputs(st, arm, t)
        counts = self._buyers_week(t, [st], [wd])
        self._after_demand(st, arm, t, wd, counts[0], rec, wi)

    def _after_demand(
        self,
        st: State,
        arm: str,
        t: int,
        wd: WeekDemand,
        counts: np.ndarray,
        rec: Record | None,
        wi: int,
    ) -> None:
        """The week after demand: market, exploitation, enforcement, violence, exit, demography
        (one compiled call, ``people.people_week``), then entry and fines."""
        p = self.p
        lv = wd.levers
        law, imp = lv.law, lv.imp
        s, e, m = st.sellers, st.exploiters, st.market
        scale = self.scale
        attempts = counts[demand.C_ATTEMPT : demand.C_ATTEMPT + 3].astype(float)
        tx = counts[demand.C_TX : demand.C_TX + 3].astype(float)
        b_arrests = counts[demand.C_ARREST : demand.C_ARREST + 3]
        # 7. service places: the arm's capacity plus places paid by routed fines
        cap = lv.places
        if law.fines_to_survivor_services:
            cap = cap + fines.extra_places(m.fund_usd, lv.mean_cost_per_week) / 4 / scale
        c = self._const
        o = people.people_week(
            np.int32(t),
            s.n,
            *s.columns(),
            e.n,
            e.alive,
            e.n_ctrl,
            e.profit,
            self._people_keys,
            attempts,
            tx,
            b_arrests,
            m.capacity_per_seller,
            m.price,
            m.fill,
            p["market.price_adjustment"],
            self.base_price_usd,
            c["share_controlled"],
            c["share_trafficked"],
            lv.p_arrest_week,
            c["convict_seller"],
            lv.tp_week,
            c["convict_tp"],
            c["base_violence"],
            c["rr_exploit"],
            lv.seller_arrests_py,
            p["violence.buyer_policing_weight"],
            p["violence.reference_policing"],
            p["violence.policing_odds_ratio"],
            lv.clear_records and t == 0,
            cap,
            lv.service_weeks,
            lv.service_success,
            c["wish_p_week"],
            c["controlled_access"],
            c["record_barrier"],
            lv.trafficked_first,
            lv.relief_p_week,
            c["unassisted_p_week"],
            c["wish_ratio"],
            c["reentry_p_week"],
            c["mortality_p_week"],
            c["age_out"],
        )
        ol = o.tolist()  # Python numbers: cheaper than NumPy scalars for the few sums below
        cl = counts.tolist()
        kept, taken = ol[people.O_KEPT], ol[people.O_TAKEN]
        by_type = ol[people.O_BY_TYPE : people.O_BY_TYPE + 3]
        by_type_before = ol[people.O_BY_TYPE_BEFORE : people.O_BY_TYPE_BEFORE + 3]

        # 9. entry and trafficking inflow (after outflows, so burn-in keeps the stock steady)
        n_active = int(sum(by_type))
        earn = kept / max(n_active, 1)
        n_ctrl_people = int(by_type[CONTROLLED] + by_type[TRAFFICKED])
        profit_pp = taken / max(n_ctrl_people, 1)
        if t < 0:
            # Burn-in holds the stock and its trafficked part steady: trafficking victims replace the
            # week's fall in victims (exits, repaid debts, people freed); other entrants make up the rest
            # of the net outflow, split by the initial make-up (independent, controlled). A surplus is
            # carried forward (negative) so weekly noise does not ratchet the stock up.
            due = int(sum(by_type_before)) - n_active + int(m.entry_carry)
            n_traf = max(0, int(by_type_before[TRAFFICKED] - by_type[TRAFFICKED]))
            rest = max(0, due) - n_traf
            m.entry_carry = min(0, due) + min(0, rest)
            mix = self.entry_mix[:2] / max(self.entry_mix[:2].sum(), 1e-12)
            ind_ctl = self.streams.generator(f"entry.count.{t}").multinomial(max(0, rest), mix)
            n_by = np.array([ind_ctl[0], ind_ctl[1], n_traf])
            m.entries.append(n_by.astype(float))
            if t == -1:
                tail = max(1, min(52, len(m.entries)))
                m.entry_rates = np.mean(m.entries[-tail:], axis=0)
                m.earn0 = max(earn, 1e-9)
                m.profit0 = max(profit_pp, 1e-9)
                m.risk0 = lv.exploiter_risk
                m.liable0 = lv.liable_share
        else:
            ec = self._entry_const
            supply = (max(earn, 1e-9) / m.earn0) ** ec[0]
            supply *= (1 - ec[1] * lv.liable_share) / (1 - ec[1] * m.liable0)
            risk = lv.exploiter_risk + ec[2] * lv.dpen_mean
            traffic = (max(profit_pp, 1e-9) / m.profit0) ** ec[3] * np.exp(-ec[4] * (risk - m.risk0))
            lam = m.entry_rates * np.array([supply, supply * traffic**0.5, traffic])
            n_by = entry.counts(self.keys["entry.count"], t, lam)  # same uniforms in both arms
        n_ind, n_ctl, n_traf = n_by.tolist()
        n_new = n_ind + n_ctl
        s_lo, e_lo = s.n, e.n
        if n_new + n_traf:
            # trafficking victims, people under a third party's control, independent entrants
            self._add_people(s, e, t, [n_traf, n_ctl, n_ind], [1.0, 1.0, 0.0], [True, False, False], tx)

        # 10. fines, costs, routing
        b_arr_sum = cl[demand.C_ARREST] + cl[demand.C_ARREST + 1] + cl[demand.C_ARREST + 2]
        b_conv_sum = cl[demand.C_CONVICT] + cl[demand.C_CONVICT + 1] + cl[demand.C_CONVICT + 2]
        s_conv = ol[people.O_S_CONV] + ol[people.O_S_CONV + 1] + ol[people.O_S_CONV + 2]
        revenue = (b_conv_sum * lv.buyer_fine_usd + s_conv * lv.seller_fine_usd) * scale
        routed = revenue * imp.fines_to_services_share if law.fines_to_survivor_services else 0.0
        m.fund_usd = m.fund_usd * (51 / 52) + routed  # a rolling year of routed fines
        if rec is None:
            return
        s_arr = ol[people.O_S_ARR] + ol[people.O_S_ARR + 1] + ol[people.O_S_ARR + 2]
        e_arr = ol[people.O_E_ARR]
        # the week-end census: the pass's counts after the outflows, plus the entrants (all active,
        # no records) and the exploiters entry added
        new_seg = s.seg[s_lo : s.n].tolist()
        ex, dem = people.O_EXIT, people.O_DEM
        # one row in the order of OUTPUTS (``Record``)
        rec.matrix[wi] = [
            *(ol[people.O_BY_SEG + k] + new_seg.count(k) for k in range(3)),  # people_in_prostitution
            by_type[0] + n_ind, by_type[1] + n_ctl, by_type[2] + n_traf,  # people_by_control
            n_traf,  # new_trafficking_victims
            n_new + n_traf,  # new_entrants
            cl[demand.C_ACTIVE],  # active_buyers
            *cl[demand.C_ATTEMPT : demand.C_ATTEMPT + 3],  # purchase_attempts
            *cl[demand.C_TX : demand.C_TX + 3],  # transactions
            *m.price.tolist(),  # price_index
            s_arr, b_arr_sum, e_arr,  # arrests
            s_conv, b_conv_sum, ol[people.O_E_CONV],  # convictions
            ol[ex], ol[ex + 1], ol[dem + 1], ol[dem + 2],  # exits
            ol[dem],  # reentries
            *ol[ex + 2 : ex + 6],  # waiting_list
            *ol[ex + 6 : ex + 10],  # in_service
            *ol[people.O_VIOLENCE : people.O_VIOLENCE + 3],  # violence
            ol[people.O_RECORDS],  # records_held
            ol[ex + 14] + ol[people.O_RELIEVED0],  # records_relieved
            ol[people.O_IDENTIFIED],  # identified_victims
            ol[people.O_OPERATING] + (e.n - e_lo),  # exploiters
            (b_arr_sum + s_arr + e_arr) * self._cost_per_arrest,  # cost
            float((o[ex + 6 : ex + 10] * lv.cost_per_week).sum()),
            lv.edu_usd / 52 / scale,
            revenue / scale,  # fine_revenue
            routed / scale,  # fines_to_services
        ]  # fmt: skip

    def _exploiter_risk(self, law: LegalLevers, tp_rate: float) -> float:
        if not law.third_party.liable:
            return 0.0
        return (
            tp_rate
            * self.p["enforce.conviction_third_party"]
            * min(law.third_party.custody_max_months, 120)
            / 12
        )

    # ------------------------------------------------------------------ run
    def run(self, progress: Callable[[int], None] | None = None) -> dict[str, dict[str, np.ndarray]]:
        """Burn-in once, then both arms from the same state, in lockstep; returns arm -> output ->
        array (week, ...).

        The arms share the buyer schedule and the policy-independent buyer arrays (``State.lockstep``),
        so the week's candidate scan and draws are done once for both; each arm's outcomes are
        exactly those of stepping it alone (``step``)."""
        st = self.initial_state()
        for t in range(-self.burn, 0):
            self.step(st, "baseline", t, None, 0)
        arms = ("baseline", "reform")
        states = st.lockstep(len(arms))
        del st  # its per-arm buyer arrays are copied into the lockstep matrices
        recs = [Record(self.sc.weeks) for _ in arms]
        for t in range(self.sc.weeks):
            wd = [self._demand_inputs(x, arm, t) for x, arm in zip(states, arms, strict=True)]
            counts = self._buyers_week(t, states, wd)
            for a, arm in enumerate(arms):
                self._after_demand(states[a], arm, t, wd[a], counts[a], recs[a], t)
            if progress is not None and t % 52 == 51:
                progress(2 * 52)
        out: dict[str, dict[str, np.ndarray]] = {}
        for arm, rec in zip(arms, recs, strict=True):
            out[arm] = {
                name: np.ascontiguousarray(v) if name in UNSCALED else v * self.scale
                for name, v in rec.items()
            }
        self.final_state = states[1]
        return out


def start_dates(sc: Scenario) -> list[dt.date]:
    return [sc.start + dt.timedelta(weeks=w) for w in range(sc.weeks)]
