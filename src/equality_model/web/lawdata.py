"""Law catalogue views shared by the JSON API and the HTML pages.

The JSON shapes are the CLI's (``laws list/show/score/diff/eval --format json``), built with the
same helpers, so a script can move between the two; the pages add plain-words fields.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from equality_model import cli_law
from equality_model.errors import InputError
from equality_model.law.catalog import Catalog, Regime, default_catalog
from equality_model.law.diff import diff
from equality_model.law.evaluate import explain
from equality_model.law.schema import Act, Circumstance, Party
from equality_model.law.scorecard import REGIME_TYPE_LABELS

REGIME_TYPES = dict(REGIME_TYPE_LABELS.items())
PILLARS = ("decriminalize", "demand", "exit")


def catalog() -> Catalog:
    return default_catalog()


@lru_cache(maxsize=32)
def laws_rows(on: dt.date) -> tuple[dict[str, Any], ...]:
    """Every jurisdiction (law in force on ``on``) and every reform, as ``laws list --format json``."""
    cat = catalog()
    rows: list[dict[str, Any]] = cli_law.list_rows(cat, on)
    return tuple(rows)


def filter_rows(
    rows: tuple[dict[str, Any], ...] | list[dict[str, Any]],
    *,
    q: str | None = None,
    regime_type: str | None = None,
    kind: str | None = None,
    role: str | None = None,
) -> list[dict[str, Any]]:
    out = []
    needle = (q or "").strip().lower()
    for r in rows:
        if needle and needle not in f"{r['id']} {r['name']} {r.get('label') or ''}".lower():
            continue
        if regime_type and r.get("regime_type") != regime_type:
            continue
        if kind and r["kind"] != kind:
            continue
        if role and r["role"] != role:
            continue
        out.append(r)
    return out


def resolve(ref: str) -> Regime:
    return catalog().resolve(ref)


def score_dict(regime: Regime) -> dict[str, Any]:
    return cli_law._score(catalog(), regime).as_dict()


def regime_json(regime: Regime) -> dict[str, Any]:
    """``laws show --format json``."""
    cat = catalog()
    return {
        **regime.model_dump(mode="json", by_alias=True),
        "ref": regime.ref,
        "scorecard": cli_law._score(cat, regime).as_dict(),
        "unverified": cli_law.unverified_markers(regime),
    }


@lru_cache(maxsize=64)
def version_rows(jid: str) -> list[dict[str, Any]]:
    """The timeline of a jurisdiction: each version with its dates, type and pillars."""
    cat = catalog()
    out = []
    for r in cat.versions(jid):
        sc = cli_law._score(cat, r)
        out.append(
            {
                "ref": r.ref,
                "version": r.version_id,
                "label": r.label,
                "in_force_from": r.in_force_from.isoformat() if r.in_force_from else None,
                "in_force_until": r.in_force_until.isoformat() if r.in_force_until else None,
                "enacted_by": r.enacted_by,
                "regime_type": sc.regime_type.value,
                "regime_type_label": REGIME_TYPE_LABELS[sc.regime_type],
                "pillars": {p: getattr(sc, p).level.value for p in PILLARS},
            }
        )
    return out


def reforms_for(jid: str) -> list[dict[str, Any]]:
    cat = catalog()
    return [
        {
            "ref": f"{rf.applies_to}+{rf.id}",
            "id": rf.id,
            "title": rf.title,
            "status": rf.status,
            "start": rf.start.isoformat(),
            "bills": list(rf.bills),
        }
        for rf in sorted(cat.reforms.values(), key=lambda r: r.id)
        if rf.applies_to == jid
    ]


def jurisdiction_json(jid: str) -> dict[str, Any]:
    cat = catalog()
    j = cat.jurisdiction(jid)
    return {
        "id": j.id,
        "name": j.name,
        "level": j.level,
        "role": j.role,
        "currency": j.currency,
        "notes": j.notes,
        "sources": [s.model_dump(mode="json") for s in j.sources],
        "versions": version_rows(j.id),
        "reforms": reforms_for(j.id),
    }


def regime_options() -> list[dict[str, str]]:
    """Every regime a diff can compare: each version of each jurisdiction, and each reform."""
    cat = catalog()
    out = []
    for jid in sorted(cat.jurisdictions):
        j = cat.jurisdictions[jid]
        for v in version_rows(jid):
            until = v["in_force_until"] or "now"
            out.append(
                {
                    "ref": v["ref"],
                    "jurisdiction": jid,
                    "text": f"{jid} {v['in_force_from'] or '…'} to {until}: {v['label'][:70]}",
                    "group": j.name,
                }
            )
        for rf in reforms_for(jid):
            out.append(
                {
                    "ref": rf["ref"],
                    "jurisdiction": jid,
                    "text": f"{rf['ref']}: {rf['title'][:70]}",
                    "group": j.name,
                }
            )
    return out


# ------------------------------------------------------------------------------------------ plain words


def offences_by_party(regime: Regime) -> list[dict[str, Any]]:
    """Offences grouped by who they punish, in plain words, for the jurisdiction page."""
    out = []
    for party in Party:
        rows = []
        for o in regime.offences:
            if o.party != party:
                continue
            ok = (
                o.verified
                and o.penalty.verified
                and all(a.verified and a.penalty.verified for a in o.aggravations)
            )
            rows.append(
                {
                    "id": o.id,
                    "conduct": cli_law._conduct(o),
                    "description": o.description,
                    "penalty": cli_law._offence_detail(o),
                    "citation": o.citation,
                    "verified": ok,
                }
            )
        out.append({"party": party.value, "who": cli_law.PARTY_WHO[party], "offences": rows})
    return out


def relief_text(regime: Regime) -> str:
    return cli_law._relief_text(regime.record_relief)


def diff_json(a: str, b: str) -> dict[str, Any]:
    """``laws diff --format json``."""
    cat = catalog()
    ra, rb = cat.resolve(a), cat.resolve(b)
    d = diff(ra, rb)
    sa, sb = cli_law._score(cat, ra), cli_law._score(cat, rb)
    return {**d.as_dict(), "scorecards": {"a": cli_law._pillar_summary(sa), "b": cli_law._pillar_summary(sb)}}


def diff_view(a: str, b: str) -> dict[str, Any]:
    """The diff page: changes grouped by who they affect, before and after in plain words."""
    cat = catalog()
    ra, rb = cat.resolve(a), cat.resolve(b)
    d = diff(ra, rb)
    sa, sb = cli_law._score(cat, ra), cli_law._score(cat, rb)
    cites = cli_law._reform_citations(cat, rb)
    groups: dict[str, list[Any]] = {w: [] for w in cli_law.WHO_ORDER}
    for c in d.changes:
        groups.setdefault(cli_law._who(c), []).append(c)
    changed_ids = {
        str(side.get("id"))
        for c in d.changes
        for side in (c.before, c.after)
        if side and (c.kind.startswith("offence") or c.kind == "penalty_changed")
    }
    sections = []
    for who, changes in groups.items():
        kept = [
            {"conduct": cli_law._conduct(o), "penalty": cli_law._offence_detail(o), "citation": o.citation}
            for o in rb.offences
            if cli_law.PARTY_WHO[o.party] == who and o.id not in changed_ids
        ]
        rows = []
        for c in changes:
            kind, conduct, before, after, cite = (t.plain for t in cli_law._change_row(c, ra, rb, cites))
            rows.append(
                {
                    "kind": c.kind,
                    "change": kind,
                    "conduct": conduct,
                    "before": before,
                    "after": after,
                    "citation": cite,
                }
            )
        sections.append({"who": who, "title": cli_law.WHO_TITLE.get(who, who), "changes": rows, "kept": kept})
    score_rows = [
        {
            "name": "Regime type",
            "a": REGIME_TYPE_LABELS[sa.regime_type],
            "b": REGIME_TYPE_LABELS[sb.regime_type],
        }
    ]
    for p in PILLARS:
        score_rows.append(
            {
                "name": cli_law.PILLAR_TITLES[p],
                "a": getattr(sa, p).level.value,
                "b": getattr(sb, p).level.value,
            }
        )
    return {
        "a": d.a,
        "b": d.b,
        "a_label": d.a_label,
        "b_label": d.b_label,
        "enacted_by": rb.enacted_by if rb.reform_id else None,
        "n_changes": len(d.changes),
        "sections": sections,
        "scores": score_rows,
        "unverified": {"a": len(cli_law.unverified_markers(ra)), "b": len(cli_law.unverified_markers(rb))},
    }


def eval_json(regime_ref: str, act: Act, party: Party, circs: frozenset[Circumstance]) -> dict[str, Any]:
    """``laws eval --format json``."""
    return explain(resolve(regime_ref), act, party, circs)


def not_found(exc: InputError) -> bool:
    """Whether a lookup error means 'no such thing' (404) rather than 'malformed' (422)."""
    return exc.field in ("jurisdiction", "reform", "date") or exc.message.startswith(
        ("unknown jurisdiction", "unknown reform", "no version")
    )
