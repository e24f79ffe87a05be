"""What changes between two regimes, by act × party, for whom.

Offences are matched by (act, party, the circumstances they require): "buying" and
"buying from a trafficked person" are different offences even if they share an id
across jurisdictions. Within one key, offences are paired by id first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from equality_model.law.catalog import Regime
from equality_model.law.schema import Act, Offence, Party, Penalty

WHO = {
    Party.seller: "people in prostitution",
    Party.buyer: "buyers",
    Party.third_party: "exploiters and third parties",
}


@dataclass
class Change:
    # offence_added | offence_removed | penalty_changed | offence_changed | record_relief |
    # exit_service_added | exit_service_removed | exit_service_changed | regulation_added | regulation_removed
    kind: str
    act: str | None
    party: str | None
    who: str | None
    summary: str
    before: dict[str, object] | None = None
    after: dict[str, object] | None = None
    citation: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "act": self.act,
            "party": self.party,
            "who": self.who,
            "summary": self.summary,
            "before": self.before,
            "after": self.after,
            "citation": self.citation,
        }


@dataclass
class Diff:
    a: str
    b: str
    a_label: str
    b_label: str
    changes: list[Change] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "a": self.a,
            "b": self.b,
            "a_label": self.a_label,
            "b_label": self.b_label,
            "changes": [c.as_dict() for c in self.changes],
        }


def _key(o: Offence) -> tuple[Act, Party, tuple[str, ...]]:
    return (o.act, o.party, tuple(sorted(c.value for c in o.requires)))


def penalty_text(p: Penalty) -> str:
    """A penalty in a short phrase for tables and reports."""
    bits = []
    if p.class_:
        bits.append(p.class_)
    if p.fine_min is not None or p.fine_max is not None:
        lo = f"{p.fine_min:,.0f}" if p.fine_min is not None else ""
        hi = f"{p.fine_max:,.0f}" if p.fine_max is not None else ""
        if lo and hi:
            bits.append(f"fine {lo}–{hi} {p.currency}")
        elif hi:
            bits.append(f"fine up to {hi} {p.currency}")
        else:
            bits.append(f"fine from {lo} {p.currency}")
    if p.custody_max_life:
        bits.append("custody up to life")
    elif p.custody_max_months is not None:
        bits.append(f"custody up to {p.custody_max_months:g} months")
    if p.custody_min_months:
        bits.append(f"mandatory minimum {p.custody_min_months:g} months")
    if not p.verified:
        bits.append("penalty unverified")
    return ", ".join(bits) or "penalty not recorded"


def _substance(p: Penalty) -> dict[str, object]:
    """The penalty's legal content, without notes."""
    return p.model_dump(exclude={"notes", "verification_note", "verified"})


def _off(o: Offence) -> dict[str, object]:
    return {
        "id": o.id,
        "description": o.description,
        "requires": [c.value for c in o.requires],
        "exempt_when": [c.value for c in o.exempt_when],
        "penalty": o.penalty.model_dump(by_alias=True, exclude_defaults=True),
        "aggravations": [
            a.model_dump(by_alias=True, exclude_defaults=True, mode="json") for a in o.aggravations
        ],
        "citation": o.citation,
        "penalty_text": penalty_text(o.penalty),
    }


def _label(o: Offence) -> str:
    cond = f" (if {', '.join(c.value for c in o.requires)})" if o.requires else ""
    return f"{o.act.value.replace('_', ' ')} by {o.party.value.replace('_', ' ')}{cond}"


def _pair(
    a: list[Offence], b: list[Offence]
) -> tuple[list[tuple[Offence, Offence]], list[Offence], list[Offence]]:
    pairs: list[tuple[Offence, Offence]] = []
    ra, rb = list(a), list(b)
    for x in list(ra):
        y = next((y for y in rb if y.id == x.id), None)
        if y is not None:
            pairs.append((x, y))
            ra.remove(x)
            rb.remove(y)
    while ra and rb:
        pairs.append((ra.pop(0), rb.pop(0)))
    return pairs, ra, rb


def diff(a: Regime, b: Regime) -> Diff:
    """Every change from regime ``a`` to regime ``b``."""
    out = Diff(a.ref, b.ref, a.label, b.label)
    keys: list[tuple[Act, Party, tuple[str, ...]]] = []
    for o in (*a.offences, *b.offences):
        if _key(o) not in keys:
            keys.append(_key(o))
    order = {p: i for i, p in enumerate(Party)}
    acts = {x: i for i, x in enumerate(Act)}
    keys.sort(key=lambda k: (order[k[1]], acts[k[0]], k[2]))
    for k in keys:
        oa = [o for o in a.offences if _key(o) == k]
        ob = [o for o in b.offences if _key(o) == k]
        pairs, removed, added = _pair(oa, ob)
        act, party = k[0].value, k[1].value
        who = WHO[k[1]]
        for o in removed:
            out.changes.append(
                Change(
                    "offence_removed",
                    act,
                    party,
                    who,
                    f"no longer an offence: {_label(o)} — was {penalty_text(o.penalty)}",
                    before=_off(o),
                    citation=o.citation,
                )
            )
        for o in added:
            out.changes.append(
                Change(
                    "offence_added",
                    act,
                    party,
                    who,
                    f"new offence: {_label(o)} — {penalty_text(o.penalty)}",
                    after=_off(o),
                    citation=o.citation,
                )
            )
        for x, y in pairs:
            if _substance(x.penalty) != _substance(y.penalty):
                out.changes.append(
                    Change(
                        "penalty_changed",
                        act,
                        party,
                        who,
                        f"{_label(y)}: {penalty_text(x.penalty)} → {penalty_text(y.penalty)}",
                        before=_off(x),
                        after=_off(y),
                        citation=y.citation,
                    )
                )
            what = [
                name
                for name, u, v in (
                    (
                        "aggravations",
                        [(a.when, _substance(a.penalty)) for a in x.aggravations],
                        [(a.when, _substance(a.penalty)) for a in y.aggravations],
                    ),
                    ("exemptions", x.exempt_when, y.exempt_when),
                    ("wording", x.description, y.description),
                    ("citation", x.citation, y.citation),
                )
                if u != v
            ]
            if what:
                out.changes.append(
                    Change(
                        "offence_changed",
                        act,
                        party,
                        who,
                        f"{_label(y)}: {', '.join(what)} changed",
                        before=_off(x),
                        after=_off(y),
                        citation=y.citation,
                    )
                )
    ga = {(g.kind, g.description) for g in a.regulation}
    gb = {(g.kind, g.description) for g in b.regulation}
    for g in b.regulation:
        if (g.kind, g.description) not in ga:
            out.changes.append(
                Change(
                    "regulation_added",
                    None,
                    None,
                    "the sex trade",
                    f"regulation added ({g.kind.replace('_', ' ')}): {g.description}",
                    after=g.model_dump(exclude_defaults=True),
                    citation=g.citation,
                )
            )
    for g in a.regulation:
        if (g.kind, g.description) not in gb:
            out.changes.append(
                Change(
                    "regulation_removed",
                    None,
                    None,
                    "the sex trade",
                    f"regulation removed ({g.kind.replace('_', ' ')}): {g.description}",
                    before=g.model_dump(exclude_defaults=True),
                    citation=g.citation,
                )
            )
    ra, rb = a.record_relief, b.record_relief
    if (ra.kind, ra.mode, ra.covers, ra.conditions) != (rb.kind, rb.mode, rb.covers, rb.conditions):
        out.changes.append(
            Change(
                "record_relief",
                None,
                "seller",
                WHO[Party.seller],
                f"record relief: {ra.kind} ({ra.mode}) → {rb.kind} ({rb.mode})",
                before=ra.model_dump(exclude_defaults=True),
                after=rb.model_dump(exclude_defaults=True),
                citation=rb.citation,
            )
        )
    ea = {e.id: e for e in a.exit_services}
    eb = {e.id: e for e in b.exit_services}
    for i in [k for k in ea if k not in eb]:
        out.changes.append(
            Change(
                "exit_service_removed",
                None,
                None,
                "survivors",
                f"exit provision removed: {ea[i].description}",
                before=ea[i].model_dump(exclude_defaults=True, mode="json"),
                citation=ea[i].citation,
            )
        )
    for i in [k for k in eb if k not in ea]:
        out.changes.append(
            Change(
                "exit_service_added",
                None,
                None,
                "survivors",
                f"exit provision added: {eb[i].description}",
                after=eb[i].model_dump(exclude_defaults=True, mode="json"),
                citation=eb[i].citation,
            )
        )
    for i in [k for k in eb if k in ea and ea[k] != eb[k]]:
        out.changes.append(
            Change(
                "exit_service_changed",
                None,
                None,
                "survivors",
                f"exit provision changed: {eb[i].description}",
                before=ea[i].model_dump(exclude_defaults=True, mode="json"),
                after=eb[i].model_dump(exclude_defaults=True, mode="json"),
                citation=eb[i].citation,
            )
        )
    return out
