"""Law → policy levers: the only thing the simulation engine reads from the law.

A pure function of a Regime. Segments map to circumstances: street work happens in a
public place; indoor and online work do not, and online work involves advertising.
Implementation choices (enforcement effort, exit capacity, education) are not law and
live in the scenario, never here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from equality_model.law.catalog import Regime
from equality_model.law.evaluate import AppliedOffence, evaluate
from equality_model.law.schema import LEGALIZING_REGULATION, Act, Circumstance, Party
from equality_model.law.scorecard import DIRECT_SERVICES

SEGMENTS = ("street", "indoor", "online")
_SEGMENT_CIRCUMSTANCES: dict[str, frozenset[Circumstance]] = {
    "street": frozenset({Circumstance.public_place}),
    "indoor": frozenset(),
    "online": frozenset(),
}
_SELLER_ACTS = {
    "street": (Act.sell, Act.solicit_public),
    "indoor": (Act.sell,),
    "online": (Act.sell, Act.advertise),
}
_BUYER_ACTS = {"street": (Act.buy, Act.solicit_public), "indoor": (Act.buy,), "online": (Act.buy,)}


@dataclass(frozen=True)
class PenaltyLever:
    """The most severe penalty that applies, reduced to the numbers a model needs."""

    liable: bool
    custody_max_months: float
    fine_max: float  # local currency; 0 if none recorded
    fine_min: float
    currency: str
    offence_ids: tuple[str, ...]


@dataclass(frozen=True)
class LegalLevers:
    """What the law lets the state do, per party and market segment."""

    regime_ref: str
    currency: str
    seller: dict[str, PenaltyLever]  # by segment
    buyer: dict[str, PenaltyLever]  # by segment
    buyer_of_trafficked: PenaltyLever  # buying from a trafficking victim (aggravated or only offence)
    third_party: PenaltyLever  # procuring, keeping premises, living on earnings (most severe)
    trafficking: PenaltyLever
    record_relief: str  # none | vacatur | sealing | expungement | erasure
    record_relief_mode: str  # none | automatic | on_motion | judicial_discretion
    exit_services_in_law: bool  # a statutory general exit programme of direct services
    fines_to_survivor_services: bool
    licensed_market: bool  # a legalising regulation (licensing, registration, employment recognition)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _lever(applied: list[AppliedOffence], currency: str) -> PenaltyLever:
    if not applied:
        return PenaltyLever(False, 0.0, 0.0, 0.0, currency, ())
    worst = max(applied, key=lambda a: (a.penalty.severity_months, a.penalty.fine_max or 0.0))
    p = worst.penalty
    return PenaltyLever(
        True,
        p.severity_months,
        float(p.fine_max or p.fine_min or 0.0),
        float(p.fine_min or 0.0),
        p.currency or currency,
        tuple(a.offence.id for a in applied),
    )


def levers(regime: Regime) -> LegalLevers:
    """Reduce a regime to the engine's legal levers."""
    cur = regime.currency

    def party_levers(party: Party, acts: dict[str, tuple[Act, ...]]) -> dict[str, PenaltyLever]:
        out = {}
        for seg in SEGMENTS:
            applied: list[AppliedOffence] = []
            for act in acts[seg]:
                applied += evaluate(regime, act, party, _SEGMENT_CIRCUMSTANCES[seg])
            out[seg] = _lever(applied, cur)
        return out

    third: list[AppliedOffence] = []
    for act in (Act.procure, Act.keep_premises, Act.benefit_from_earnings):
        third += evaluate(regime, act, Party.third_party)
    traffic = evaluate(regime, Act.traffic, Party.third_party) + evaluate(
        regime, Act.traffic, Party.third_party, [Circumstance.trafficked]
    )
    direct = any(
        e.statutory and e.scope == "all" and DIRECT_SERVICES & set(e.kinds) for e in regime.exit_services
    )
    return LegalLevers(
        regime_ref=regime.ref,
        currency=cur,
        seller=party_levers(Party.seller, _SELLER_ACTS),
        buyer=party_levers(Party.buyer, _BUYER_ACTS),
        buyer_of_trafficked=_lever(evaluate(regime, Act.buy, Party.buyer, [Circumstance.trafficked]), cur),
        third_party=_lever(third, cur),
        trafficking=_lever(traffic, cur),
        record_relief=regime.record_relief.kind,
        record_relief_mode=regime.record_relief.mode,
        exit_services_in_law=direct,
        fines_to_survivor_services=any(e.fines_routed for e in regime.exit_services),
        licensed_market=any(g.kind in LEGALIZING_REGULATION for g in regime.regulation),
    )
