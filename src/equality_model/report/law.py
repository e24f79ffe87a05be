"""The report's law section: what the reform changes, for whom, with citations, and the scorecards.

Built from :func:`equality_model.law.diff` and :func:`equality_model.law.score` (the same facts as
``equality-model laws diff``), laid out for HTML rather than the terminal.
"""

from __future__ import annotations

from typing import Any

from equality_model.cli_law import (
    ACT_WORDS,
    CHANGE_WORDS,
    PARTY_WHO,
    PILLAR_TITLES,
    WHO_ORDER,
    WHO_TITLE,
    unverified_markers,
)
from equality_model.errors import InputError
from equality_model.law import Party, default_catalog, diff, score
from equality_model.law.catalog import Regime
from equality_model.law.diff import penalty_text
from equality_model.model.scenario import Scenario

GOOD = {"offence_removed", "exit_service_added"}
BAD = {"offence_added", "exit_service_removed"}


def arm_labels(sc: Scenario) -> dict[str, str]:
    """Short names for the two arms (legends, table headers)."""
    base = "Current law" if "@" not in sc.baseline else f"The law of {sc.baseline.split('@', 1)[1]}"
    if sc.reform is None:
        return {"baseline": base, "reform": "Same law (null reform)"}
    reform = "The reform"
    try:
        cat = default_catalog()
        rb = cat.resolve(sc.reform)
        if rb.reform_id and cat.reform(rb.reform_id).status == "pending":
            reform = "The bill"
    except InputError:
        pass
    return {"baseline": base, "reform": reform}


def _who(c: dict[str, Any]) -> str:
    kind = str(c["kind"])
    if kind.startswith("exit_service"):
        return "survivors"
    if kind.startswith("regulation"):
        return "the sex trade"
    if c.get("party"):
        return PARTY_WHO[Party(c["party"])]
    return str(c.get("who") or "other")


def _relief_lines(r: dict[str, Any] | None) -> list[str]:
    if not r or r.get("kind") in (None, "none"):
        return ["none"]
    lines = [f"{r['kind']} ({str(r.get('mode', 'none')).replace('_', ' ')})"]
    if r.get("covers"):
        lines.append("Covers: " + "; ".join(r["covers"]) + ".")
    if r.get("conditions"):
        lines.append("Conditions: " + "; ".join(r["conditions"]) + ".")
    return lines


def _offence_lines(o: dict[str, Any] | None) -> list[str]:
    if not o:
        return ["not an offence"]
    lines = [str(o.get("penalty_text") or "penalty not recorded")]
    for a in o.get("aggravations", []):
        when = ", ".join(str(w).replace("_", " ") for w in a.get("when", []))
        lines.append(f"aggravated if {when} ({a.get('citation', '')})")
    return lines


def _service_lines(s: dict[str, Any] | None) -> list[str]:
    if not s:
        return ["—"]
    kinds = ", ".join(str(k) for k in s.get("kinds", []))
    return [
        str(s.get("description", "")),
        f"[{kinds}; scope: {str(s.get('scope', 'all')).replace('_', ' ')}]",
    ]


def _row(c: dict[str, Any]) -> dict[str, Any]:
    kind = str(c["kind"])
    row: dict[str, Any] = {
        "kind": kind,
        "change": CHANGE_WORDS.get(kind, kind.replace("_", " ")),
        "tone": "good" if kind in GOOD else "bad" if kind in BAD else "neutral",
        "citation": c.get("citation") or "—",
        "unverified": False,
    }
    before, after = c.get("before"), c.get("after")
    if kind.startswith("offence") or kind == "penalty_changed":
        shown = after or before or {}
        act = str(c.get("act") or "")
        row["what"] = [
            ACT_WORDS.get(act, act.replace("_", " ")).capitalize(),
            str(shown.get("description", "")),
        ]
        row["before"], row["after"] = _offence_lines(before), _offence_lines(after)
        if kind == "offence_removed" and before:
            row["citation"] = f"was {before.get('citation')}"
        row["unverified"] = any(
            o is not None and (o.get("penalty") or {}).get("verified") is False for o in (before, after)
        )
    elif kind == "record_relief":
        row["what"] = ["Clearing past selling convictions"]
        row["before"], row["after"] = _relief_lines(before), _relief_lines(after)
        row["unverified"] = any(o is not None and o.get("verified") is False for o in (before, after))
    elif kind.startswith("exit_service"):
        shown = after or before or {}
        row["what"] = [str(shown.get("id", ""))]
        row["before"] = _service_lines(before) if kind != "exit_service_added" else ["—"]
        row["after"] = _service_lines(after) if kind != "exit_service_removed" else ["—"]
    else:
        row["what"] = [str(c.get("summary", ""))]
        row["before"] = [str((before or {}).get("description", "—"))]
        row["after"] = [str((after or {}).get("description", "—"))]
    return row


def _pillars(sa: dict[str, Any], sb: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name in ("decriminalize", "demand", "exit"):
        a, b = sa["pillars"][name], sb["pillars"][name]
        out.append(
            {
                "name": name,
                "title": PILLAR_TITLES.get(name, name),
                "before": a["level"],
                "after": b["level"],
                "changed": a["level"] != b["level"],
                "before_reasons": list(a.get("reasons", [])),
                "after_reasons": list(b.get("reasons", [])),
            }
        )
    return out


def _regimes(sc: Scenario) -> tuple[Regime, Regime]:
    cat = default_catalog()
    ra = cat.resolve(sc.baseline)
    rb = cat.resolve(sc.reform) if sc.reform else ra
    return ra, rb


def law_context(sc: Scenario) -> dict[str, Any]:
    """Everything the law and scorecard sections show, as plain data."""
    try:
        ra, rb = _regimes(sc)
    except InputError as exc:
        return {"available": False, "error": str(exc)}
    cat = default_catalog()
    d = diff(ra, rb)
    dd = d.as_dict()
    sa = score(ra, cat.versions(ra.jurisdiction_id)).as_dict()
    sb = score(rb, cat.versions(rb.jurisdiction_id)).as_dict()
    groups: dict[str, list[dict[str, Any]]] = {w: [] for w in WHO_ORDER}
    for c in dd["changes"]:  # type: ignore[union-attr]
        groups.setdefault(_who(c), []).append(c)
    changed_ids = {
        str(side.get("id"))
        for c in dd["changes"]  # type: ignore[union-attr]
        for side in (c.get("before"), c.get("after"))
        if side and (str(c["kind"]).startswith("offence") or c["kind"] == "penalty_changed")
    }
    out_groups = []
    for who, changes in groups.items():
        kept = [
            {
                "conduct": ACT_WORDS.get(o.act.value, o.act.value).capitalize(),
                "description": o.description,
                "penalty": penalty_text(o.penalty),
                "citation": o.citation,
            }
            for o in rb.offences
            if o.party in PARTY_WHO and PARTY_WHO[o.party] == who and o.id not in changed_ids
        ]
        out_groups.append(
            {
                "who": who,
                "title": WHO_TITLE.get(who, who.capitalize()),
                "rows": [_row(c) for c in changes],
                "kept": kept,
            }
        )
    reform = None
    if rb.reform_id:
        rf = cat.reform(rb.reform_id)
        reform = {
            "id": rf.id,
            "title": rf.title,
            "bills": list(rf.bills),
            "status": rf.status,
            "start": rf.start.isoformat(),
            "label": rf.label,
            "notes": rf.notes,
            "sources": [{"title": s.title, "url": s.url, "note": s.note} for s in rf.sources],
        }
    removed_seller = [
        {
            "act": c["act"],
            "words": ACT_WORDS.get(str(c["act"]), str(c["act"])),
            "citation": c["before"]["citation"],
        }
        for c in dd["changes"]  # type: ignore[union-attr]
        if c["kind"] == "offence_removed" and c["party"] == "seller" and c.get("before")
    ]
    relief = next((c for c in dd["changes"] if c["kind"] == "record_relief"), None)  # type: ignore[union-attr]
    return {
        "available": True,
        "a": dd["a"],
        "b": dd["b"],
        "a_label": dd["a_label"],
        "b_label": dd["b_label"],
        "jurisdiction": ra.jurisdiction_name,
        "currency": ra.currency,
        "enacted_by": rb.enacted_by,
        "reform": reform,
        "n_changes": len(dd["changes"]),  # type: ignore[arg-type]
        "groups": out_groups,
        "regime_type_before": sa["regime_type_label"],
        "regime_type_after": sb["regime_type_label"],
        "pillars": _pillars(sa, sb),
        "unverified_before": len(unverified_markers(ra)),
        "unverified_after": len(unverified_markers(rb)),
        "unverified_list": unverified_markers(rb),
        "facts": {
            "seller_offences_removed": removed_seller,
            "selling_legal_after": not any(
                o.party == Party.seller and o.act.value == "sell" for o in rb.offences
            ),
            "buying_offence_after": next(
                ({"citation": o.citation} for o in rb.offences if o.act.value == "buy" and not o.requires),
                None,
            ),
            "relief_after": (relief or {}).get("after"),
            "relief_before": (relief or {}).get("before"),
            "exit_added": sum(1 for c in dd["changes"] if c["kind"] == "exit_service_added"),  # type: ignore[union-attr]
        },
        "diff": dd,
    }
