"""Population state as a struct of arrays: one contiguous NumPy array per attribute.

Agent ids are permanent. People in prostitution and exploiters keep their array position as their
id and are never compacted away (Starsim's design). Buyers carry their id in ``Buyers.ident``: a man
who leaves the pool frees his slot for a newcomer (see ``Buyers``), so the pool's arrays stay the
size of the pool. Arrays are allocated with spare capacity and grown by at least 50% at a time.
Dtypes are the smallest that hold the values, to keep state well under 64 bytes an agent.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields

import numpy as np

# seller status
EMPTY, ACTIVE, EXITED, GONE = 0, 1, 2, 3
# control
INDEPENDENT, CONTROLLED, TRAFFICKED = 0, 1, 2
# needs bitmask (jobs is always the last step)
NEED_SUD, NEED_HOUSING, NEED_EDUCATION = 1, 2, 4
# buyer flags
B_ALIVE, B_DESISTED, B_COURSE = 1, 2, 4
NEVER = np.int32(2**30)
# the index type of the compiled hot loops: Numba wraps negative signed indices on every access
# (a few instructions each) but not unsigned ones
U = np.uint64
CAND_GROUP = 64  # slots per entry of Buyers.cand_min: the weekly scan skips groups with no candidate


def _grow(a: np.ndarray, n: int, fill: object) -> np.ndarray:
    out = np.empty(n, dtype=a.dtype)
    out[: a.size] = a
    out[a.size :] = fill
    return out


@dataclass
class Buyers:
    """Men in the buyer pool (ever-buyers): 34 bytes an agent.

    ``next_cand`` (the week of a buyer's next candidate purchase) is scanned sequentially each
    week, skipping groups of 64 slots whose ``cand_min`` (a lower bound of their ``next_cand``) is
    later than the week; only candidates read the other arrays. Leaving weeks are a calendar queue
    (``leave_head[week]`` → ``leave_next[slot]``), and the count of active buyers is kept per chunk
    of slots with an expiry ring, so parallel chunks never write to shared counters.

    A buyer's draws are keyed by his permanent id (``ident``), never by his slot. Slots are only
    where his attributes are stored: the pool starts ordered by purchase rate (frequent buyers
    together, so a week's candidates share cache lines), and each week's newcomers take the slots
    of the week's leavers, matched by rate so the order holds. The pool's size is fixed
    (newcomers replace leavers one for one), so its arrays never grow.

    What policy can change (desistance, deterrence, course, purchase history) is kept per arm, in
    matrices with one column (or row) per arm stepped in lockstep (``lockstep``): the kernel
    reads both arms of a buyer from one cache line. ``arm`` is this pool's column, and ``flags``,
    ``last_buy``, ``deter_until``, ``expire`` and ``active`` are its views.
    """

    rate: np.ndarray  # float32: weekly purchase probability under baseline conditions
    inv_log_q: np.ndarray  # float32: 1 / log(1 - q_i), q_i the thinning bound (0 if q_i is 0 or 1)
    sens: np.ndarray  # float32: risk sensitivity
    seg: np.ndarray  # uint8: usual segment
    arm_flags: np.ndarray  # uint8[slots, arms]: alive, desisted, attended course
    arm_last_buy: np.ndarray  # int32[slots, arms]: week of the last purchase
    arm_deter_until: np.ndarray  # int32[slots, arms]: deterred after arrest until this week
    next_cand: np.ndarray  # int32: week of the next candidate purchase
    leave_next: np.ndarray  # int32: next slot leaving in the same week (-1 ends)
    ident: np.ndarray  # int32: the permanent id of the buyer in the slot (keys his draws)
    cand_min: np.ndarray  # int32[slots / 64]: a lower bound of next_cand in each group of 64 slots
    leave_head: np.ndarray  # int32[weeks]: first buyer leaving the pool in each week
    arm_expire: np.ndarray  # int64[arms, chunks, weeks + 52]: active buyers whose last purchase expires then
    arm_active: np.ndarray  # int64[arms, chunks]: buyers with a purchase in the last 52 weeks
    n: int = 0  # slots used (0..n-1)
    next_id: int = 0  # the id the next newcomer gets
    arm: int = 0  # this pool's column in the per-arm matrices

    @property
    def flags(self) -> np.ndarray:
        return self.arm_flags[:, self.arm]

    @property
    def last_buy(self) -> np.ndarray:
        return self.arm_last_buy[:, self.arm]

    @property
    def deter_until(self) -> np.ndarray:
        return self.arm_deter_until[:, self.arm]

    @property
    def expire(self) -> np.ndarray:
        return self.arm_expire[self.arm]

    @property
    def active(self) -> np.ndarray:
        return self.arm_active[self.arm]

    PER_AGENT = (
        "rate",
        "inv_log_q",
        "sens",
        "seg",
        "flags",
        "last_buy",
        "deter_until",
        "next_cand",
        "leave_next",
        "ident",
    )

    @classmethod
    def empty(cls, capacity: int, weeks: int, chunks: int) -> Buyers:
        return cls(
            rate=np.zeros(capacity, np.float32),
            inv_log_q=np.zeros(capacity, np.float32),
            sens=np.zeros(capacity, np.float32),
            seg=np.zeros(capacity, np.uint8),
            arm_flags=np.zeros((capacity, 1), np.uint8),
            arm_last_buy=np.full((capacity, 1), -(2**30), np.int32),
            arm_deter_until=np.full((capacity, 1), -(2**30), np.int32),
            next_cand=np.full(capacity, NEVER, np.int32),
            leave_next=np.full(capacity, -1, np.int32),
            ident=np.full(capacity, -1, np.int32),
            cand_min=np.full((capacity + CAND_GROUP - 1) // CAND_GROUP, NEVER, np.int32),
            leave_head=np.full(weeks, -1, np.int32),
            arm_expire=np.zeros((1, chunks, weeks + 52), np.int64),
            arm_active=np.zeros((1, chunks), np.int64),
        )

    def ensure(self, n_needed: int) -> None:
        """The pool never grows (newcomers take leavers' slots, and chunk bookkeeping is by slot
        range), so asking for more slots than were allocated is an error."""
        if n_needed > self.rate.size:
            raise RuntimeError(f"buyer capacity {self.rate.size} exceeded ({n_needed}); raise the allocation")

    @property
    def bytes_per_agent(self) -> int:
        return sum(getattr(self, name).itemsize for name in self.PER_AGENT)

    # attributes that do not depend on policy: two arms stepped in lockstep share them
    SHARED = (
        "rate",
        "inv_log_q",
        "sens",
        "seg",
        "next_cand",
        "leave_next",
        "ident",
        "cand_min",
        "leave_head",
    )

    PER_ARM = ("arm_flags", "arm_last_buy", "arm_deter_until", "arm_expire", "arm_active")

    def lockstep(self, arms: int) -> list[Buyers]:
        """The pools of ``arms`` arms stepped together, each starting from this one's state: they
        share every array, and the per-arm matrices get one column (or row) per arm."""
        together = {
            "arm_flags": np.repeat(self.flags[:, None], arms, axis=1),
            "arm_last_buy": np.repeat(self.last_buy[:, None], arms, axis=1),
            "arm_deter_until": np.repeat(self.deter_until[:, None], arms, axis=1),
            "arm_expire": np.repeat(self.expire[None], arms, axis=0),
            "arm_active": np.repeat(self.active[None], arms, axis=0),
        }
        same = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in self.PER_ARM}
        return [Buyers(**{**same, **together, "arm": a}) for a in range(arms)]


@dataclass
class Sellers:
    """People in prostitution, including those who exited (kept for re-entry)."""

    status: np.ndarray  # int8
    age: np.ndarray  # float32 years
    entered: np.ndarray  # int32 week of (last) entry
    seg: np.ndarray  # uint8
    control: np.ndarray  # uint8
    exploiter: np.ndarray  # int32, -1 none
    debt: np.ndarray  # float32 USD
    needs: np.ndarray  # uint8 bitmask
    record: np.ndarray  # uint8 selling conviction on record
    wish: np.ndarray  # uint8 wish to exit
    stage: np.ndarray  # int8 -1 none; service index while waiting or in service
    in_service: np.ndarray  # uint8
    stage_week: np.ndarray  # int32 week the stage (queue or service) began
    exited_week: np.ndarray  # int32
    reentries: np.ndarray  # uint8
    tx: np.ndarray  # float32 transactions this week (scratch)
    n: int = 0

    @classmethod
    def empty(cls, capacity: int) -> Sellers:
        return cls(
            status=np.zeros(capacity, np.int8),
            age=np.zeros(capacity, np.float32),
            entered=np.zeros(capacity, np.int32),
            seg=np.zeros(capacity, np.uint8),
            control=np.zeros(capacity, np.uint8),
            exploiter=np.full(capacity, -1, np.int32),
            debt=np.zeros(capacity, np.float32),
            needs=np.zeros(capacity, np.uint8),
            record=np.zeros(capacity, np.uint8),
            wish=np.zeros(capacity, np.uint8),
            stage=np.full(capacity, -1, np.int8),
            in_service=np.zeros(capacity, np.uint8),
            stage_week=np.zeros(capacity, np.int32),
            exited_week=np.full(capacity, -NEVER, np.int32),
            reentries=np.zeros(capacity, np.uint8),
            tx=np.zeros(capacity, np.float32),
        )

    def ensure(self, n_needed: int) -> None:
        cap = self.status.size
        if n_needed <= cap:
            return
        new = max(n_needed, cap + cap // 2)
        fills = {"exploiter": -1, "stage": -1, "exited_week": -NEVER}
        for f in fields(self):
            if f.name == "n":
                continue
            setattr(self, f.name, _grow(getattr(self, f.name), new, fills.get(f.name, 0)))

    @property
    def bytes_per_agent(self) -> int:
        return sum(getattr(self, f.name).itemsize for f in fields(self) if f.name != "n")

    def columns(self) -> tuple[np.ndarray, ...]:
        """Every per-person array, in field order: the kernels that read or set a whole person
        (``entry.add_entrants``, ``people.people_week``) take them in this order."""
        return tuple(getattr(self, name) for name in _SELLER_COLUMNS)


# the per-person arrays of ``Sellers`` in field order (looked up once: ``fields`` is slow per call)
_SELLER_COLUMNS = tuple(f.name for f in fields(Sellers) if f.name != "n")


@dataclass
class Exploiters:
    """Third parties who control people: how many, and whether still operating."""

    alive: np.ndarray  # uint8
    n_ctrl: np.ndarray  # int32 people controlled
    profit: np.ndarray  # float32 USD this week
    n: int = 0

    @classmethod
    def empty(cls, capacity: int) -> Exploiters:
        return cls(np.zeros(capacity, np.uint8), np.zeros(capacity, np.int32), np.zeros(capacity, np.float32))

    def ensure(self, n_needed: int) -> None:
        cap = self.alive.size
        if n_needed <= cap:
            return
        new = max(n_needed, cap + cap // 2)
        self.alive = _grow(self.alive, new, 0)
        self.n_ctrl = _grow(self.n_ctrl, new, 0)
        self.profit = _grow(self.profit, new, 0.0)


@dataclass
class Market:
    """Aggregate market state carried between weeks."""

    price: np.ndarray  # float64[3] price index (1 = baseline)
    fill: np.ndarray  # float64[3] share of purchase attempts that find a seller (lagged clearing)
    capacity_per_seller: np.ndarray  # float64[3] weekly transactions a person can serve
    norm: float = 0.0  # log-point shift of buyers' propensity from norms (0 at baseline)
    fund_usd: float = 0.0  # routed fines not yet spent
    entry_rates: np.ndarray = field(default_factory=lambda: np.zeros(3))  # per week by control, at baseline
    earn0: float = 1.0  # earnings per person per week at baseline
    profit0: float = 1.0  # exploiter profit per controlled person per week at baseline
    risk0: float = 0.0  # exploiters' expected penalty at baseline
    entry_carry: int = 0  # burn-in: surplus entrants carried forward (<= 0)
    liable0: float = 0.0  # share of the market where selling is an offence at baseline
    entries: list[np.ndarray] = field(default_factory=list)  # burn-in entrants by control, for the rates


@dataclass
class State:
    buyers: Buyers
    sellers: Sellers
    exploiters: Exploiters
    market: Market

    def copy(self) -> State:
        return copy.deepcopy(self)

    def lockstep(self, arms: int) -> list[State]:
        """States for ``arms`` arms stepped together from this one: the buyer pools share what
        policy cannot change and keep the rest per arm (``Buyers.lockstep``); people in
        prostitution, exploiters and the market are copied."""
        return [
            State(b, copy.deepcopy(self.sellers), copy.deepcopy(self.exploiters), copy.deepcopy(self.market))
            for b in self.buyers.lockstep(arms)
        ]

    @property
    def n_agents(self) -> int:
        return self.buyers.n + self.sellers.n + self.exploiters.n

    def nbytes(self) -> int:
        """Bytes of this arm's state: of the buyers' per-arm matrices, its own column."""
        total = 0
        arms = self.buyers.arm_flags.shape[1]
        for pop in (self.buyers, self.sellers, self.exploiters):
            for f in fields(pop):
                v = getattr(pop, f.name)
                if isinstance(v, np.ndarray):
                    total += v.nbytes // arms if f.name in Buyers.PER_ARM else v.nbytes
        return total

    def bytes_per_agent(self) -> float:
        """Bytes of state per agent slot in use (all populations, calendars included)."""
        return self.nbytes() / max(1, self.n_agents)
