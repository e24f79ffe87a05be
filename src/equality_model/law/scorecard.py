"""How a regime meets the Equality Model's three pillars, and which kind of regime it is.

Each pillar gets a level (full, partial, none) and the reasons that decided it: the
offences and provisions read, with citations. The rules are stated in docs/law.md;
they read the law's facts and never a conclusion written into the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from equality_model.law.catalog import Regime
from equality_model.law.schema import LEGALIZING_REGULATION, Act, Circumstance, Offence, Party


class Level(StrEnum):
    full = "full"
    partial = "partial"
    none = "none"


class RegimeType(StrEnum):
    equality_model = "equality_model"
    legalization_regulation = "legalization_regulation"
    decriminalization = "decriminalization"
    prohibition = "prohibition"
    other = "other"


REGIME_TYPE_LABELS = {
    RegimeType.equality_model: "Equality Model (Nordic model)",
    RegimeType.legalization_regulation: "Legalization / regulation",
    RegimeType.decriminalization: "Decriminalization",
    RegimeType.prohibition: "Prohibition",
    RegimeType.other: "Other",
}

DIRECT_SERVICES = frozenset(
    {
        "housing",
        "substance_use",
        "education",
        "training",
        "jobs",
        "health",
        "income_support",
        "case_management",
        "residence_permit",
        "legal_aid",
    }
)


@dataclass
class PillarScore:
    level: Level
    reasons: list[str] = field(default_factory=list)
    details: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {"level": self.level.value, "reasons": list(self.reasons), **self.details}


@dataclass
class Scorecard:
    regime_ref: str
    regime_label: str
    regime_type: RegimeType
    type_reasons: list[str]
    decriminalize: PillarScore
    demand: PillarScore
    exit: PillarScore

    def as_dict(self) -> dict[str, object]:
        """The CLI/API JSON shape (a promise to scripts: extend, never rename)."""
        return {
            "regime": self.regime_ref,
            "label": self.regime_label,
            "regime_type": self.regime_type.value,
            "regime_type_label": REGIME_TYPE_LABELS[self.regime_type],
            "regime_type_reasons": list(self.type_reasons),
            "pillars": {
                "decriminalize": self.decriminalize.as_dict(),
                "demand": self.demand.as_dict(),
                "exit": self.exit.as_dict(),
            },
        }


def _cite(o: Offence) -> str:
    cond = ""
    if o.requires:
        cond = " (only if " + ", ".join(c.value for c in o.requires) + ")"
    if o.exempt_when:
        cond += " (except " + ", ".join(c.value for c in o.exempt_when) + ")"
    return f"{o.id}: {o.description.rstrip('.')}{cond} — {o.citation}"


def general_sell_offences(r: Regime) -> list[Offence]:
    return [o for o in r.offences if o.party == Party.seller and o.act == Act.sell and not o.requires]


def demand_offences(r: Regime) -> list[Offence]:
    """Buyer offences that target adult demand (child-protection-only offences do not count)."""
    return [
        o
        for o in r.offences
        if o.party == Party.buyer
        and o.act in (Act.buy, Act.solicit_public)
        and Circumstance.minor not in o.requires
    ]


def _earlier(h: Regime, r: Regime) -> bool:
    """Whether version ``h`` was in force before regime ``r`` started."""
    if h.version_id == r.version_id or r.in_force_from is None:
        return False
    return h.in_force_from is None or h.in_force_from < r.in_force_from


def _had_seller_offences_before(history: list[Regime] | None, r: Regime) -> bool | None:
    if history is None:
        return None
    earlier = [h for h in history if _earlier(h, r)]
    if any(o.party == Party.seller for h in earlier for o in h.offences):
        return True
    if any(not h.verified for h in earlier):
        return None  # an earlier version is not researched: whether selling was an offence is unknown
    return False


def score_decriminalize(r: Regime, history: list[Regime] | None = None) -> PillarScore:
    seller = [o for o in r.offences if o.party == Party.seller]
    general = general_sell_offences(r)
    relief = r.record_relief
    relief_text = (
        f"record relief: {relief.kind} ({relief.mode.replace('_', ' ')}) — {relief.citation}"
        if relief.kind != "none"
        else "no record relief for past selling convictions"
    ) + ("" if relief.verified else f" (unverified: {relief.verification_note})")
    details = {"seller_offences": [o.id for o in seller], "record_relief": relief.kind}
    if general:
        return PillarScore(
            Level.none, ["selling is an offence: " + _cite(o) for o in general] + [relief_text], details
        )
    if seller:
        return PillarScore(
            Level.partial,
            ["selling itself is lawful, but these offences still apply to people in prostitution:"]
            + [_cite(o) for o in seller]
            + [relief_text],
            details,
        )
    reasons = ["no offence applies to people in prostitution for selling, soliciting or advertising"]
    if relief.kind != "none" or relief.not_applicable:
        reasons.append(
            relief_text if relief.kind != "none" else "record relief not needed: selling was not an offence"
        )
        return PillarScore(Level.full, reasons, details)
    before = _had_seller_offences_before(history, r)
    if before is False:
        reasons.append("no earlier version in the catalogue made selling or soliciting an offence")
        return PillarScore(Level.full, reasons, details)
    if before is None:
        reasons.append(
            "the earlier law is not researched (unverified), so past convictions cannot be ruled out"
        )
    reasons.append(relief_text + (": past convictions remain on record" if before else ""))
    return PillarScore(Level.partial, reasons, details)


def score_demand(r: Regime) -> PillarScore:
    offences = demand_offences(r)
    third = [o for o in r.offences if o.party == Party.third_party]
    general = [o for o in offences if not o.requires and not o.exempt_when]
    details: dict[str, object] = {
        "buyer_offences": [o.id for o in offences],
        "third_party_offences": [o.id for o in third],
    }
    if general:
        main = max(general, key=lambda o: o.penalty.severity_months)
        p = main.penalty
        details["severity"] = {
            "custody_max_months": p.custody_max_months,
            "fine_min": p.fine_min,
            "fine_max": p.fine_max,
            "currency": p.currency,
            "class": p.class_,
            "fine_only": p.fine_only,
        }
        reasons = ["buying sex is an offence: " + _cite(main)]
        reasons += [f"also: {_cite(o)}" for o in offences if o is not main]
        reasons += [f"exploiters: {_cite(o)}" for o in third]
        return PillarScore(Level.full, reasons, details)
    if offences:
        return PillarScore(
            Level.partial,
            ["buying sex is an offence only in some circumstances:"]
            + [_cite(o) for o in offences]
            + [f"exploiters: {_cite(o)}" for o in third],
            details,
        )
    return PillarScore(
        Level.none,
        ["buying sex from an adult is not an offence"] + [f"exploiters: {_cite(o)}" for o in third],
        details,
    )


def score_exit(r: Regime) -> PillarScore:
    statutory = [e for e in r.exit_services if e.statutory]
    other = [e for e in r.exit_services if not e.statutory]
    details = {"exit_services": [e.id for e in statutory]}
    ctx = [f"outside the statute (context only): {e.description} — {e.citation}" for e in other]

    def line(e) -> str:  # type: ignore[no-untyped-def]
        extra = f"; funding {e.funding}" if e.funding != "unknown" else ""
        unv = "" if e.verified else f" (unverified: {e.verification_note})"
        what = f"[{', '.join(e.kinds)}; scope {e.scope}{extra}]"
        return f"{e.id}: {e.description.rstrip('.')} {what} — {e.citation}{unv}"

    full = [e for e in statutory if e.scope == "all" and DIRECT_SERVICES & set(e.kinds)]
    if full:
        return PillarScore(
            Level.full, ["exit services provided in law:"] + [line(e) for e in statutory] + ctx, details
        )
    if statutory:
        return PillarScore(
            Level.partial,
            [
                "only limited exit provisions in law "
                "(no general programme of services for all people in prostitution):"
            ]
            + [line(e) for e in statutory]
            + ctx,
            details,
        )
    return PillarScore(Level.none, ["no exit services provided in law", *ctx], details)


def regime_type(r: Regime) -> tuple[RegimeType, list[str]]:
    legalizing = [g for g in r.regulation if g.kind in LEGALIZING_REGULATION]
    if legalizing:
        return RegimeType.legalization_regulation, [
            f"{g.kind}: {g.description} — {g.citation}" for g in legalizing
        ]
    sell = general_sell_offences(r)
    buy = [o for o in demand_offences(r) if o.act == Act.buy and not o.requires and not o.exempt_when]
    if buy and not sell:
        return RegimeType.equality_model, ["selling is not an offence", "buying is: " + _cite(buy[0])]
    if buy and sell:
        return RegimeType.prohibition, [
            "selling is an offence: " + _cite(sell[0]),
            "buying is: " + _cite(buy[0]),
        ]
    if not buy and not sell:
        brothel = [
            o
            for o in r.offences
            if o.party == Party.third_party and o.act == Act.keep_premises and not o.requires
        ]
        if not brothel:
            return RegimeType.decriminalization, [
                "neither selling nor buying between adults is an offence in general",
                "keeping premises is not a general offence; no licensing or registration conditions legality",
            ]
        return RegimeType.other, [
            "neither selling nor buying between adults is an offence in general",
            "but third parties are criminalised: " + _cite(brothel[0]),
        ]
    return RegimeType.other, ["selling is an offence but buying is not: " + _cite(sell[0])]


def score(r: Regime, history: list[Regime] | None = None) -> Scorecard:
    """Score a regime. ``history`` (the jurisdiction's earlier versions) lets pillar 1 check record relief."""
    t, reasons = regime_type(r)
    return Scorecard(
        regime_ref=r.ref,
        regime_label=r.label,
        regime_type=t,
        type_reasons=reasons,
        decriminalize=score_decriminalize(r, history),
        demand=score_demand(r),
        exit=score_exit(r),
    )
