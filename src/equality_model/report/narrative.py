"""Plain-language sentences generated from the numbers (never hard-coded conclusions).

Every sentence about an outcome is built from one row of the summary table (means across replicates,
90% intervals) and says which way the outcome moves only when the interval of the difference excludes
zero; otherwise it says the model cannot tell the direction. Reasons ("because selling is no longer an
offence") are attached only when the law diff or the scenario's inputs support them.
"""

from __future__ import annotations

from typing import Any

from equality_model.model.scenario import Scenario

# outcome -> noun phrase, the subject of its sentence
PHRASES: dict[str, str] = {
    "people_in_prostitution": "people in prostitution",
    "trafficking_victims_in_trade": "trafficking victims in the trade",
    "new_trafficking_victims_per_year": "new trafficking victims a year",
    "active_buyers": "active buyers",
    "transactions_per_year": "transactions a year",
    "arrests_of_people_in_prostitution_per_year": "arrests of people in prostitution a year",
    "arrests_of_buyers_per_year": "arrests of buyers a year",
    "arrests_of_exploiters_per_year": "arrests of exploiters a year",
    "exits_through_services_per_year": "exits through exit services a year",
    "exits_unassisted_per_year": "exits without services a year",
    "waiting_list": "people waiting for exit services",
    "violence_incidents_per_year_displacement": "violent incidents a year under the displacement hypothesis",
    "violence_incidents_per_year_exploitation": "violent incidents a year under the exploitation hypothesis",
    "records_held": "people holding a selling record",
    "cost_usd_per_year": "public cost a year",
    "fine_revenue_usd_per_year": "fine revenue a year",
}
MONEY = {"cost_usd_per_year", "fine_revenue_usd_per_year"}
SINGULAR = {"cost_usd_per_year", "fine_revenue_usd_per_year"}  # the rest are plural nouns
# the order of the summary's bullet points (violence gets its own paragraph)
KEY_OUTCOMES = (
    "people_in_prostitution",
    "trafficking_victims_in_trade",
    "new_trafficking_victims_per_year",
    "active_buyers",
    "transactions_per_year",
    "arrests_of_people_in_prostitution_per_year",
    "arrests_of_buyers_per_year",
    "arrests_of_exploiters_per_year",
    "exits_through_services_per_year",
    "exits_unassisted_per_year",
    "waiting_list",
    "records_held",
    "cost_usd_per_year",
    "fine_revenue_usd_per_year",
)
MINUS = "\u2212"


def num(x: float, money: bool = False, compact: bool = False) -> str:
    """A number for prose: 4,137; 12; 3.4; $1.2M; $850k (compact: 166.6k, 1.608M from 100,000 up)."""
    if compact and not money and abs(x) >= 1e5:
        a = abs(x)
        v, unit = (a / 1e6, "M") if a >= 1e6 else (a / 1e3, "k")
        s = f"{v:.{max(0, 4 - len(str(int(v))))}f}{unit}"
        return (MINUS if x < 0 else "") + s
    if money:
        a = abs(x)
        sign = MINUS if x < 0 else ""
        if a >= 1e9:
            return f"{sign}${a / 1e9:.2g}B" if a < 1e10 else f"{sign}${a / 1e9:,.0f}B"
        if a >= 1e6:
            return f"{sign}${a / 1e6:.3g}M"
        if a >= 1e3:
            return f"{sign}${a / 1e3:.3g}k"
        return f"{sign}${a:,.0f}"
    a = abs(x)
    s = f"{a:,.0f}" if a >= 10 or a == 0 else f"{a:.1f}"
    return (MINUS if x < 0 and s.strip("0.,") else "") + s


def signed(x: float, money: bool = False, compact: bool = False) -> str:
    s = num(x, money, compact)
    return s if s.startswith(MINUS) or s.strip("$0.,") == "" else "+" + s


def direction(row: Any) -> str:
    """to_zero | falls | rises | unclear | same, from the means and the difference's interval."""
    if row.reform_hi == 0 and row.reform_lo == 0 and row.baseline_mean > 0:
        return "to_zero"
    if row.difference_lo == 0 and row.difference_hi == 0:
        return "same"
    if row.difference_hi < 0:
        return "falls"
    if row.difference_lo > 0:
        return "rises"
    return "unclear"


DIRECTION_WORDS = {
    "to_zero": "falls to zero",
    "falls": "falls",
    "rises": "rises",
    "unclear": "cannot tell",
    "same": "no difference",
}
DIRECTION_GLYPHS = {"to_zero": "↓0", "falls": "↓", "rises": "↑", "unclear": "?", "same": "="}


def pct(row: Any) -> str:
    if row.baseline_mean <= 0 or abs(row.baseline_mean) < 1:
        return ""
    return f"{100 * row.difference_mean / row.baseline_mean:+.0f}%".replace("-", MINUS)


def interval(lo: float, hi: float, money: bool = False, compact: bool = False) -> str:
    return f"{num(lo, money, compact)} to {num(hi, money, compact)}"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def reason(outcome: str, d: str, law: dict[str, Any], sc: Scenario, labels: dict[str, str]) -> str:
    """A ' because …' clause when the law diff or the scenario's inputs explain the change."""
    facts = law.get("facts", {}) if law.get("available") else {}
    reform = labels["reform"].lower()
    if outcome == "arrests_of_people_in_prostitution_per_year" and d in ("to_zero", "falls"):
        sell = [x for x in facts.get("seller_offences_removed", []) if x["act"] == "sell"]
        if sell and facts.get("selling_legal_after"):
            return (
                f", because selling is no longer an offence under {reform} (it repeals {sell[0]['citation']})"
            )
    if outcome == "records_held" and d in ("to_zero", "falls"):
        after = facts.get("relief_after") or {}
        if after.get("kind") not in (None, "none"):
            mode = str(after.get("mode", "")).replace("_", " ")
            return f", because {reform} provides {mode} {after['kind']} of past selling records"
    if sc.reform_implementation is None:
        return ""
    base, ref = sc.baseline_implementation, sc.reform_implementation
    if outcome == "arrests_of_buyers_per_year" and d == "rises":
        b = base.enforcement.buyer_arrests_per_1000_purchases.as_tuple()
        r = ref.enforcement.buyer_arrests_per_1000_purchases.as_tuple()
        if all(y >= x for x, y in zip(b, r, strict=True)) and r != b:
            return (
                f", because the scenario assumes more enforcement against buyers ({r[0]:g} against {b[0]:g} "
                "arrests per 1,000 street purchases; an implementation choice, not the bill's text)"
            )
    if outcome in ("exits_through_services_per_year", "cost_usd_per_year") and d == "rises":
        names = ("substance_use", "housing", "education", "jobs")
        cb = sum(base.services.pool(n).capacity for n in names)
        cr = sum(ref.services.pool(n).capacity for n in names)
        if cr > cb:
            return f", with {cr:,.0f} exit-service places against {cb:,.0f} (an assumption of the scenario)"
    return ""


def outcome_sentence(row: Any, law: dict[str, Any], sc: Scenario, labels: dict[str, str]) -> dict[str, str]:
    """One summary row in words: ``{"lead", "rest", "dir"}`` (lead is the outcome, for emphasis)."""
    o = row.outcome
    money = o in MONEY
    lead = _cap(PHRASES.get(o, o.replace("_", " ")))
    base, reform = labels["baseline"].lower(), labels["reform"].lower()
    d = direction(row)
    why = reason(o, d, law, sc, labels)
    b, r = num(row.baseline_mean, money), num(row.reform_mean, money)
    p = pct(row)
    ci = f"{signed(row.difference_lo, money)} to {signed(row.difference_hi, money)}"
    if d == "to_zero":
        verb = "falls" if o in SINGULAR else "fall"
        rest = f" {verb} to zero under {reform} (from {b} under {base}){why}."
    elif d == "same":
        rest = f": no difference ({b} under both)."
    elif d == "unclear":
        rest = (
            f": {r} under {reform} against {b} under {base}; the difference, "
            f"{signed(row.difference_mean, money)} (90% interval {ci}), includes zero, so the model cannot "
            "tell the direction."
        )
    else:
        noun = "fall" if d == "falls" else "rise"
        size = num(abs(row.difference_mean), money)
        extra = f"{p}; " if p else ""
        rest = (
            f": {r} under {reform} against {b} under {base}, a {noun} of {size} "
            f"({extra}90% interval {ci}){why}."
        )
    return {"lead": lead, "rest": rest, "dir": d}


def violence_sentence(rows: list[tuple[str, Any]]) -> str:
    """One sentence over the violence hypotheses: ``rows`` are (hypothesis, summary-like row)."""
    if not rows:
        return ""
    parts, dirs = [], []
    for hyp, r in rows:
        d = direction(r)
        dirs.append("falls" if d == "to_zero" else d)
        word = {
            "falls": "falls",
            "rises": "rises",
            "to_zero": "falls to zero",
            "same": "does not change",
            "unclear": "moves in a direction the model cannot tell",
        }[d]
        name = "with both combined" if hyp == "combined" else f"under the {hyp} hypothesis"
        parts.append(
            f"{name} it {word} ({signed(r.difference_mean)} incidents a year; "
            f"90% interval {signed(r.difference_lo)} to {signed(r.difference_hi)})"
        )
    text = f"Violence against people in prostitution depends on which hypothesis holds: {'; '.join(parts)}."
    clear = {x for x in dirs if x in ("falls", "rises")}
    if len(clear) > 1:
        text += " The hypotheses disagree on the direction; the evidence does not settle which one holds."
    elif all(x in ("falls", "rises") for x in dirs):
        text += " The hypotheses agree on the direction, not on the size."
    else:
        text += " Under at least one hypothesis the model cannot tell the direction."
    return text


def law_sentences(law: dict[str, Any], labels: dict[str, str]) -> list[str]:
    if not law.get("available"):
        return [f"The law could not be read from the catalogue: {law.get('error', 'unknown error')}."]
    f = law["facts"]
    reform = labels["reform"]
    bits = []
    removed = f["seller_offences_removed"]
    if removed:
        what = "; ".join(f"{x['words']} ({x['citation']})" for x in removed)
        n = len(removed)
        bits.append(f"repeals {n} offence{'s' if n != 1 else ''} for people in prostitution: {what}")
    before, after = f.get("relief_before") or {}, f.get("relief_after") or {}
    if after:
        old = f"{str(before.get('mode', 'none')).replace('_', ' ')} {before.get('kind', 'none')}"
        new = f"{str(after.get('mode', 'none')).replace('_', ' ')} {after.get('kind', 'none')}"
        bits.append(f"replaces {old} of past selling records with {new}")
    if f["exit_added"]:
        n = f["exit_added"]
        bits.append(f"adds {n} exit provision{'s' if n != 1 else ''} in law")
    out = []
    if bits:
        text = f"{reform} " + ", ".join(bits[:-1]) + (" and " if len(bits) > 1 else "") + bits[-1] + "."
        out.append(text)
    elif law["n_changes"] == 0:
        out.append(f"{reform} does not change the law: both arms run under the same regime.")
    else:
        out.append(f"{reform} makes {law['n_changes']} changes to the law (listed below).")
    if f.get("buying_offence_after"):
        out.append(f"Buying sex stays an offence ({f['buying_offence_after']['citation']}).")
    pill = []
    for p in law["pillars"]:
        name = p["title"].split(". ", 1)[-1]
        if p["changed"]:
            pill.append(f"“{name}” goes from {p['before']} to {p['after']}")
        else:
            pill.append(f"“{name}” stays {p['after']}")
    out.append(
        f"On the Equality Model scorecard the regime moves from {law['regime_type_before']} to "
        f"{law['regime_type_after']}: " + "; ".join(pill) + "."
        if law["regime_type_before"] != law["regime_type_after"]
        else f"On the Equality Model scorecard the regime stays {law['regime_type_after']}: "
        + "; ".join(pill)
        + "."
    )
    return out
