"""The evaluator: which offences apply to a person doing an act under a regime, and how severe.

Pure and deterministic: the answer depends only on the regime and the case, so every
later layer (scorecard, levers, simulation) can build on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from equality_model.errors import InputError
from equality_model.law.catalog import Regime
from equality_model.law.schema import Act, Aggravation, Circumstance, Offence, Party, Penalty


@dataclass(frozen=True)
class AppliedOffence:
    """An offence that applies to a case, with the penalty that results from its circumstances."""

    offence: Offence
    penalty: Penalty
    aggravation: Aggravation | None

    @property
    def citation(self) -> str:
        return self.aggravation.citation if self.aggravation else self.offence.citation

    def as_dict(self) -> dict[str, object]:
        """The CLI/API JSON shape (a promise to scripts: extend, never rename)."""
        p = self.penalty
        return {
            "id": self.offence.id,
            "act": self.offence.act.value,
            "party": self.offence.party.value,
            "description": self.offence.description,
            "penalty": {
                "class": p.class_,
                "fine_min": p.fine_min,
                "fine_max": p.fine_max,
                "currency": p.currency,
                "custody_max_months": p.custody_max_months,
                "custody_max_life": p.custody_max_life,
                "custody_min_months": p.custody_min_months,
                "fine_mandatory_minimum": p.fine_mandatory_minimum,
                "notes": p.notes,
            },
            "citation": self.citation,
            "aggravation": sorted(c.value for c in self.aggravation.when) if self.aggravation else None,
            "verified": self.offence.verified
            and p.verified
            and (self.aggravation is None or self.aggravation.verified),
            "verification_note": self.offence.verification_note or p.verification_note,
        }


def parse_act(value: str) -> Act:
    try:
        return Act(value)
    except ValueError:
        raise InputError(
            f"unknown act {value!r}; expected one of {', '.join(a.value for a in Act)}", field="act"
        ) from None


def parse_party(value: str) -> Party:
    try:
        return Party(value)
    except ValueError:
        raise InputError(
            f"unknown party {value!r}; expected one of {', '.join(p.value for p in Party)}", field="party"
        ) from None


def parse_circumstances(values: Iterable[str]) -> frozenset[Circumstance]:
    out = set()
    for v in values:
        try:
            out.add(Circumstance(v))
        except ValueError:
            raise InputError(
                f"unknown circumstance {v!r}; expected one of {', '.join(c.value for c in Circumstance)}",
                field="circumstances",
            ) from None
    return frozenset(out)


def _severity(p: Penalty) -> tuple[float, float, float]:
    return (p.severity_months, float(p.custody_min_months or 0), float(p.fine_max or p.fine_min or 0))


def applies(offence: Offence, act: Act, party: Party, circumstances: frozenset[Circumstance]) -> bool:
    """An offence applies iff act and party match, all ``requires`` hold and no ``exempt_when`` holds."""
    return (
        offence.act == act
        and offence.party == party
        and set(offence.requires) <= circumstances
        and not (set(offence.exempt_when) & circumstances)
    )


def effective(offence: Offence, circumstances: frozenset[Circumstance]) -> AppliedOffence:
    """The offence's penalty under ``circumstances``: the most severe matching aggravation, if any."""
    matching = [a for a in offence.aggravations if set(a.when) <= circumstances]
    if not matching:
        return AppliedOffence(offence, offence.penalty, None)
    best = max(matching, key=lambda a: _severity(a.penalty))
    if _severity(best.penalty) < _severity(offence.penalty):
        # An aggravation never lowers a known penalty (its own maximum may simply be unrecorded),
        # but what it does record, such as a mandatory minimum, still applies.
        return AppliedOffence(offence, _merge(offence.penalty, best.penalty), best)
    return AppliedOffence(offence, best.penalty, best)


def _merge(base: Penalty, agg: Penalty) -> Penalty:
    def hi(a: float | None, b: float | None) -> float | None:
        return b if a is None else a if b is None else max(a, b)

    return base.model_copy(
        update={
            "custody_min_months": hi(base.custody_min_months, agg.custody_min_months),
            "fine_min": hi(base.fine_min, agg.fine_min)
            if (base.fine_max is None or (hi(base.fine_min, agg.fine_min) or 0) <= base.fine_max)
            else base.fine_min,
            "class_": agg.class_ or base.class_,
            "verified": base.verified and agg.verified,
            "verification_note": agg.verification_note or base.verification_note,
        }
    )


def evaluate(
    regime: Regime,
    act: Act | str,
    party: Party | str,
    circumstances: Iterable[Circumstance | str] = (),
) -> list[AppliedOffence]:
    """Offences that apply to ``party`` doing ``act`` under ``regime``; empty where the act is lawful."""
    a = act if isinstance(act, Act) else parse_act(act)
    p = party if isinstance(party, Party) else parse_party(party)
    c = parse_circumstances(str(x.value if isinstance(x, Circumstance) else x) for x in circumstances)
    return [effective(o, c) for o in regime.offences if applies(o, a, p, c)]


def explain(
    regime: Regime, act: Act, party: Party, circumstances: frozenset[Circumstance]
) -> dict[str, object]:
    """The ``laws eval --format json`` object: what applies, and why the other offences for this act
    and party do not (a required circumstance missing, or an exemption). Shared by CLI and web API."""
    applied = evaluate(regime, act, party, circumstances)
    not_applicable = []
    for o in regime.offences:
        if o.act == act and o.party == party and not applies(o, act, party, circumstances):
            why = []
            missing = [c for c in o.requires if c not in circumstances]
            exempt = [c for c in o.exempt_when if c in circumstances]
            if missing:
                why.append("needs " + ", ".join(c.value for c in missing))
            if exempt:
                why.append("exempt when " + ", ".join(c.value for c in exempt))
            not_applicable.append({"id": o.id, "reason": "; ".join(why), "citation": o.citation})
    return {
        "regime": regime.ref,
        "label": regime.label,
        "act": act.value,
        "party": party.value,
        "circumstances": sorted(c.value for c in circumstances),
        "lawful": not applied,
        "offences": [x.as_dict() for x in applied],
        "not_applicable": not_applicable,
    }
