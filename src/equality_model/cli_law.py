"""``equality-model laws …``: browse, evaluate, score and compare the law catalogue.

The JSON shapes are a promise to scripts (see docs/law.md): keys are only ever added.
Tables are for people, mostly legislative staff asking "what does the bill change, for
whom?", so they use the seeds' words (people in prostitution, buyers, exploiters,
survivors) and always show the citation next to the claim.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from equality_model.errors import InputError
from equality_model.law.cases import cases_dir, check_case, load_cases
from equality_model.law.catalog import Catalog, Regime, default_catalog, parse_date
from equality_model.law.diff import Change, Diff, diff, penalty_text
from equality_model.law.evaluate import evaluate, explain, parse_act, parse_circumstances, parse_party
from equality_model.law.schema import (
    Act,
    AddOffence,
    AmendOffence,
    Circumstance,
    Offence,
    Party,
    Penalty,
    RemoveExitService,
    RepealOffence,
)
from equality_model.law.scorecard import REGIME_TYPE_LABELS, Scorecard, score

app = typer.Typer(
    name="laws",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="The law catalogue: list, show, evaluate, score and diff regimes (law as code).",
)

# ------------------------------------------------------------------------------------------ words

WHO_ORDER = ("people in prostitution", "buyers", "exploiters", "survivors", "the sex trade")
PARTY_WHO = {Party.seller: "people in prostitution", Party.buyer: "buyers", Party.third_party: "exploiters"}
PARTY_ONE = {
    Party.seller: "a person in prostitution",
    Party.buyer: "a buyer",
    Party.third_party: "a third party (exploiter)",
}
WHO_TITLE = {
    "people in prostitution": "People in prostitution",
    "buyers": "Buyers",
    "exploiters": "Exploiters (pimps, traffickers, brothel keepers, third parties)",
    "survivors": "Survivors (exit services in law)",
    "the sex trade": "The sex trade (licensing and regulation)",
}
ACT_WORDS = {
    Act.sell: "selling sex",
    Act.buy: "buying sex",
    Act.solicit_public: "soliciting in a public place",
    Act.procure: "procuring (pimping, recruiting)",
    Act.keep_premises: "keeping a brothel or premises",
    Act.benefit_from_earnings: "living on or taking the earnings",
    Act.advertise: "advertising sexual services",
    Act.traffic: "trafficking for sexual exploitation",
}
CIRCUMSTANCE_WORDS = {
    Circumstance.minor: "the person is under 18",
    Circumstance.trafficked: "the person is a trafficking victim",
    Circumstance.vulnerable: "the person is particularly vulnerable",
    Circumstance.public_place: "in a public place",
    Circumstance.near_school: "near a school or place minors frequent",
    Circumstance.repeat: "a repeat offence",
    Circumstance.licensed_venue: "in a licensed venue",
    Circumstance.remote: "a remote (webcam) act",
    Circumstance.particularly_offensive: "done in a particularly offensive manner",
    Circumstance.abroad: "committed abroad",
    Circumstance.compelled: "by force, threat or coercion",
}
PILLAR_TITLES = {
    "decriminalize": "1. People in prostitution decriminalized",
    "demand": "2. Demand penalized (buyers)",
    "exit": "3. Exit services in law (survivors)",
}
SHORT_TYPE = {
    "equality_model": "Equality Model",
    "legalization_regulation": "Legalization",
    "decriminalization": "Decriminalization",
    "prohibition": "Prohibition",
    "other": "Other",
}
LEVEL_STYLE = {"full": "bold green", "partial": "bold yellow", "none": "bold red"}
CHANGE_WORDS = {
    "offence_added": "new offence",
    "offence_removed": "offence repealed",
    "penalty_changed": "penalty changed",
    "offence_changed": "offence amended",
    "record_relief": "record relief",
    "exit_service_added": "exit service added",
    "exit_service_removed": "exit service removed",
    "exit_service_changed": "exit service changed",
    "regulation_added": "regulation added",
    "regulation_removed": "regulation removed",
}


class Format(StrEnum):
    """Output format for every verb."""

    table = "table"
    json = "json"


FormatOpt = Annotated[
    Format,
    typer.Option("--format", "-f", case_sensitive=False, help="table (for people) or json (for scripts)."),
]
CatalogOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--catalog",
        metavar="DIR",
        show_default=False,
        help="Extra folder of jurisdiction YAML files (top level or jurisdictions/) and reforms (reforms/); "
        "repeatable. A file with a built-in id replaces it.",
    ),
]
RegimeArg = Annotated[
    str,
    typer.Argument(
        metavar="REGIME",
        show_default=False,
        help="ID (in force today), ID@YYYY-MM-DD (in force on that date) or ID+REFORM, e.g. FR@2017-01-01, "
        "US-MA+equality-model.",
    ),
]


# ------------------------------------------------------------------------------------------ helpers


def _catalog(dirs: Sequence[Path] | None) -> Catalog:
    return default_catalog(list(dirs or ()))


def _console() -> Console:
    """A Rich console on stdout; wide when piped so tables stay readable in files and tests."""
    console = Console(highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = 140
    return console


def _emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def _history(cat: Catalog, regime: Regime) -> list[Regime]:
    return cat.versions(regime.jurisdiction_id)


def _score(cat: Catalog, regime: Regime) -> Scorecard:
    """Score with the jurisdiction's history, so pillar 1 can see past selling offences."""
    return score(regime, _history(cat, regime))


def _date(value: str | None, field: str) -> dt.date:
    return parse_date(value, field=field) if value else dt.date.today()


def _when(conds: Iterable[Circumstance]) -> str:
    return " and ".join(CIRCUMSTANCE_WORDS.get(c, c.value) for c in conds)


def _conduct(o: Offence) -> str:
    """Who does what, in plain words, with the conditions of the offence."""
    text = ACT_WORDS.get(o.act, o.act.value)
    implied = {Circumstance.public_place} if o.act == Act.solicit_public else set()
    conds = [c for c in o.requires if c not in implied]
    if conds:
        text += f", only if {_when(conds)}"
    if o.exempt_when:
        text += f", except if {' or '.join(CIRCUMSTANCE_WORDS.get(c, c.value) for c in o.exempt_when)}"
    return text


def _penalty(p: Penalty) -> str:
    text = penalty_text(p)
    if p.fine_mandatory_minimum and p.fine_min is not None:
        text += " (minimum fine mandatory)"
    if p.fine_only:
        text += " (no custody)"
    return text


def _offence_detail(o: Offence) -> str:
    """Penalty plus aggravations, on a few short lines."""
    lines = [_penalty(o.penalty)]
    for a in o.aggravations:
        lines.append(f"if {_when(a.when)}: {_penalty(a.penalty)} ({a.citation})")
    return "\n".join(lines)


def _n(k: int, noun: str) -> str:
    return f"{k} {noun}{'' if k == 1 else 's'}"


def _date_text(d: dt.date | None) -> str:
    return d.isoformat() if d else "—"


def _level(level: str) -> Text:
    return Text(level, style=LEVEL_STYLE.get(level, ""))


def _mark(ok: bool) -> Text:
    return Text("yes", style="green") if ok else Text("no", style="bold yellow")


def unverified_markers(r: Regime) -> list[str]:
    """Every ``verified: false`` fact in a regime, with its note, so nothing unverified is silent."""
    out: list[str] = []

    def add(what: str, obj: Any) -> None:
        if not obj.verified:
            out.append(f"{what}: {obj.verification_note}")

    add("regime", r)
    for o in r.offences:
        add(f"offence {o.id}", o)
        add(f"offence {o.id} penalty", o.penalty)
        for i, a in enumerate(o.aggravations):
            add(f"offence {o.id} aggravation {i + 1} ({', '.join(c.value for c in a.when)})", a)
            add(f"offence {o.id} aggravation {i + 1} penalty", a.penalty)
    for e in r.exit_services:
        add(f"exit service {e.id}", e)
    add("record relief", r.record_relief)
    for g in r.regulation:
        add(f"regulation {g.kind}", g)
    return out


def _reform_citations(cat: Catalog, regime: Regime) -> dict[str, str]:
    """For a reformed regime: offence or exit-service id → the reform provision that changes it."""
    if not regime.reform_id:
        return {}
    out: dict[str, str] = {}
    for ch in cat.reform(regime.reform_id).changes:
        if isinstance(ch, RepealOffence | AmendOffence):
            out[ch.offence] = ch.citation
        elif isinstance(ch, AddOffence):
            out[ch.offence.id] = ch.offence.citation
        elif isinstance(ch, RemoveExitService):
            out[ch.exit_service] = ch.citation
    return out


# ------------------------------------------------------------------------------------------ list


def _list_row(cat: Catalog, jid: str, on: dt.date) -> dict[str, Any]:
    j = cat.jurisdiction(jid)
    row: dict[str, Any] = {
        "id": j.id,
        "kind": "jurisdiction",
        "name": j.name,
        "level": j.level,
        "role": j.role,
        "currency": j.currency,
        "versions": len(j.versions),
    }
    try:
        regime = cat.regime(j.id, on)
    except InputError as exc:  # no version recorded on that date: say so rather than drop the row
        return {**row, "regime_type": None, "in_force_from": None, "version": None, "note": exc.message}
    return {**row, **_regime_summary(cat, regime)}


def _regime_summary(cat: Catalog, regime: Regime) -> dict[str, Any]:
    sc = _score(cat, regime)
    marks = unverified_markers(regime)
    return {
        "regime_type": sc.regime_type.value,
        "regime_type_label": REGIME_TYPE_LABELS[sc.regime_type],
        "in_force_from": regime.in_force_from.isoformat() if regime.in_force_from else None,
        "in_force_until": regime.in_force_until.isoformat() if regime.in_force_until else None,
        "version": regime.version_id,
        "label": regime.label,
        "ref": regime.ref,
        "pillars": {
            "decriminalize": sc.decriminalize.level.value,
            "demand": sc.demand.level.value,
            "exit": sc.exit.level.value,
        },
        "verified": not marks,
        "unverified_count": len(marks),
    }


def list_rows(cat: Catalog, day: dt.date) -> list[dict[str, Any]]:
    """Every jurisdiction (law in force on ``day``) and every reform: the `laws list` JSON rows."""
    rows = [_list_row(cat, jid, day) for jid in sorted(cat.jurisdictions)]
    for rid in sorted(cat.reforms):
        rf = cat.reforms[rid]
        regime = cat.resolve(f"{rf.applies_to}+{rf.id}")
        rows.append(
            {
                "id": f"{rf.applies_to}+{rf.id}",
                "kind": "reform",
                "name": rf.title,
                "level": cat.jurisdiction(rf.applies_to).level,
                "role": "reform",
                "currency": regime.currency,
                "jurisdiction": rf.applies_to,
                "status": rf.status,
                "bills": list(rf.bills),
                **_regime_summary(cat, regime),
            }
        )
    return rows


@app.command("list")
def list_cmd(
    on: Annotated[
        str | None,
        typer.Option(
            "--on",
            metavar="YYYY-MM-DD",
            show_default=False,
            help="Show the law in force on this date (default: today).",
        ),
    ] = None,
    catalog: CatalogOpt = None,
    format: FormatOpt = Format.table,
) -> None:
    """List every jurisdiction (and reform) with its regime type and pillar levels on a date."""
    day = _date(on, "--on")
    cat = _catalog(catalog)
    rows = list_rows(cat, day)
    if format == Format.json:
        _emit_json(rows)
        return
    table = Table(title=f"Law in force on {day.isoformat()}", title_justify="left")
    table.add_column("REGIME / name", overflow="fold")
    table.add_column("Regime type", overflow="fold")
    table.add_column("Since", no_wrap=True)
    for col in ("Decrim.", "Demand", "Exit"):
        table.add_column(col, no_wrap=True)
    table.add_column("Unverified", justify="right", overflow="fold")
    for r in rows:
        role = r["role"].replace("_", " ") if r["kind"] == "jurisdiction" else r.get("status", "reform")
        who = Text(r["id"], style="bold")
        who.append(f"\n{r['name']}" + ("" if role == "equality model" else f" ({role})"), style="dim")
        if r.get("version") is None:
            table.add_row(who, Text(r.get("note", ""), style="dim"), "", "", "", "", "")
            continue
        p = r["pillars"]
        table.add_row(
            who,
            SHORT_TYPE.get(r["regime_type"], r["regime_type_label"]),
            r["in_force_from"] or "—",
            _level(p["decriminalize"]),
            _level(p["demand"]),
            _level(p["exit"]),
            Text(str(r["unverified_count"]), style="yellow" if r["unverified_count"] else "green"),
        )
    console = _console()
    console.print(table)
    console.print(
        Text(
            "Use any REGIME id with `laws show`, `laws score`, `laws eval` or `laws diff`; "
            "add @YYYY-MM-DD for another date.",
            style="dim",
        )
    )


# ------------------------------------------------------------------------------------------ show


def _offence_table(offences: Sequence[Offence], title: str) -> Table:
    t = Table(title=title, title_justify="left", show_lines=True, expand=True)
    t.add_column("Offence", overflow="fold", ratio=2)
    t.add_column("Conduct", overflow="fold", ratio=3)
    t.add_column("Penalty (and aggravations)", overflow="fold", ratio=4)
    t.add_column("Citation", overflow="fold", ratio=3)
    t.add_column("Verified", overflow="fold", ratio=1)
    for o in offences:
        ok = (
            o.verified
            and o.penalty.verified
            and all(a.verified and a.penalty.verified for a in o.aggravations)
        )
        t.add_row(
            Text(o.id),
            Text(f"{_conduct(o)}\n{o.description}"),
            Text(_offence_detail(o)),
            Text(o.citation),
            _mark(ok),
        )
    return t


@app.command("show")
def show_cmd(regime: RegimeArg, catalog: CatalogOpt = None, format: FormatOpt = Format.table) -> None:
    """Show a regime: offences by party, penalties, citations, exit services, record relief, sources."""
    cat = _catalog(catalog)
    r = cat.resolve(regime)
    sc = _score(cat, r)
    marks = unverified_markers(r)
    if format == Format.json:
        _emit_json(
            {
                **r.model_dump(mode="json", by_alias=True),
                "ref": r.ref,
                "scorecard": sc.as_dict(),
                "unverified": marks,
            }
        )
        return
    console = _console()
    head = Text()
    head.append(f"{r.jurisdiction_name} — {r.ref}\n", style="bold")
    head.append(f"{r.label}\n")
    until = _date_text(r.in_force_until) if r.in_force_until else "now"
    head.append(f"In force: {_date_text(r.in_force_from)} to {until}")
    if r.enacted_by:
        head.append(f"\nEnacted by: {r.enacted_by}")
    head.append(f"\nRegime type: {REGIME_TYPE_LABELS[sc.regime_type]}   Pillars: ")
    for name in ("decriminalize", "demand", "exit"):
        head.append(f"{name} ")
        head.append(getattr(sc, name).level.value, style=LEVEL_STYLE[getattr(sc, name).level.value])
        head.append("  ")
    if r.notes:
        head.append(f"\nNotes: {r.notes}", style="dim")
    console.print(Panel(head))
    for party in Party:
        offences = [o for o in r.offences if o.party == party]
        who = PARTY_WHO[party]
        if offences:
            console.print(_offence_table(offences, f"Offences for {who}"))
        else:
            console.print(Text(f"Offences for {who}: none", style="bold"))
    rr = r.record_relief
    relief = Text("Record relief for past selling convictions: ", style="bold")
    if rr.kind == "none":
        relief.append(
            "none" + (" (not applicable: selling was not an offence)" if rr.not_applicable else ""), style=""
        )
    else:
        relief.append(f"{rr.kind} ({rr.mode.replace('_', ' ')}) — {rr.citation}", style="")
        if rr.covers:
            relief.append(f"\n  covers: {'; '.join(rr.covers)}", style="")
        if rr.conditions:
            relief.append(f"\n  conditions: {'; '.join(rr.conditions)}", style="")
    if not rr.verified:
        relief.append(f"\n  UNVERIFIED: {rr.verification_note}", style="yellow")
    console.print(relief)
    if r.exit_services:
        t = Table(
            title="Exit services in law (for survivors)", title_justify="left", show_lines=True, expand=True
        )
        for col, ratio in (
            ("Service", 2),
            ("What", 4),
            ("Kinds / scope", 2),
            ("Statutory / funding", 2),
            ("Citation", 3),
            ("Verified", 1),
        ):
            t.add_column(col, overflow="fold", ratio=ratio)
        for e in r.exit_services:
            t.add_row(
                Text(e.id),
                Text(e.description),
                Text(f"{', '.join(e.kinds)}\nscope: {e.scope}"),
                Text(
                    f"{'statutory' if e.statutory else 'not statutory (context)'}\nfunding: {e.funding}"
                    + ("\nfines routed to services" if e.fines_routed else "")
                ),
                Text(e.citation),
                _mark(e.verified),
            )
        console.print(t)
    else:
        console.print(Text("Exit services in law: none", style="bold"))
    if r.regulation:
        t = Table(title="Regulation (non-criminal)", title_justify="left", expand=True)
        for col in ("Kind", "What", "Citation", "Verified"):
            t.add_column(col, overflow="fold")
        for g in r.regulation:
            t.add_row(Text(g.kind), Text(g.description), Text(g.citation), _mark(g.verified))
        console.print(t)
    if r.sources:
        t = Table(title="Sources", title_justify="left", expand=True)
        for col in ("Id", "Title", "URL", "Reliability"):
            t.add_column(col, overflow="fold")
        for s in r.sources:
            t.add_row(Text(s.id), Text(s.title), Text(s.url or "—"), Text(s.reliability or "—"))
        console.print(t)
    if marks:
        console.print(Text(f"Unverified ({len(marks)}):", style="bold yellow"))
        for m in marks:
            console.print(Text(f"  • {m}", style="yellow"))
    else:
        console.print(Text("Every fact in this regime is marked verified.", style="green"))


# ------------------------------------------------------------------------------------------ eval


@app.command("eval")
def eval_cmd(
    regime: RegimeArg,
    act: Annotated[
        str,
        typer.Option("--act", show_default=False, help=f"What is done: {', '.join(a.value for a in Act)}."),
    ],
    party: Annotated[
        str,
        typer.Option(
            "--party", show_default=False, help=f"Who does it: {', '.join(p.value for p in Party)}."
        ),
    ],
    minor: Annotated[bool, typer.Option("--minor", help="The person in prostitution is under 18.")] = False,
    trafficked: Annotated[
        bool, typer.Option("--trafficked", help="The person in prostitution is a trafficking victim.")
    ] = False,
    circumstance: Annotated[
        list[str] | None,
        typer.Option(
            "--circumstance",
            "-c",
            metavar="X",
            show_default=False,
            help=f"Another fact of the case (repeatable): {', '.join(c.value for c in Circumstance)}.",
        ),
    ] = None,
    catalog: CatalogOpt = None,
    format: FormatOpt = Format.table,
) -> None:
    """Which offences apply to PARTY doing ACT under REGIME, and their penalties (empty if lawful)."""
    a = parse_act(act)
    p = parse_party(party)
    circs = parse_circumstances(
        [*(circumstance or ()), *(["minor"] if minor else []), *(["trafficked"] if trafficked else [])]
    )
    cat = _catalog(catalog)
    r = cat.resolve(regime)
    report = explain(r, a, p, circs)
    if format == Format.json:
        _emit_json(report)
        return
    applied = evaluate(r, a, p, circs)
    not_applicable = report["not_applicable"]
    console = _console()
    case = f"{PARTY_ONE[p]}: {ACT_WORDS[a]}"
    if circs:
        case += f" ({_when(sorted(circs))})"
    console.print(Text(f"{r.jurisdiction_name} — {r.ref}: {r.label}", style="bold"))
    console.print(Text(f"Case: {case}"))
    if not applied:
        console.print(Text("Lawful: no offence applies.", style="bold green"))
    else:
        t = Table(show_lines=True, expand=True)
        for col, ratio in (
            ("Offence", 2),
            ("Penalty", 4),
            ("Aggravated by", 2),
            ("Citation", 3),
            ("Verified", 1),
        ):
            t.add_column(col, overflow="fold", ratio=ratio)
        for x in applied:
            d = x.as_dict()
            agg = _when(x.aggravation.when) if x.aggravation else "—"
            t.add_row(
                Text(f"{x.offence.id}\n{x.offence.description}"),
                Text(_penalty(x.penalty)),
                Text(agg),
                Text(x.citation),
                _mark(bool(d["verified"])),
            )
        console.print(t)
    for n in not_applicable:
        console.print(Text(f"Does not apply here: {n['id']} ({n['reason']}) — {n['citation']}", style="dim"))


# ------------------------------------------------------------------------------------------ score


def _scorecard_renderable(sc: Scorecard) -> Group:
    head = Text()
    head.append(f"{sc.regime_ref}: {sc.regime_label}\n", style="bold")
    head.append("Regime type: ")
    head.append(REGIME_TYPE_LABELS[sc.regime_type], style="bold")
    for reason in sc.type_reasons:
        head.append(f"\n  • {reason}")
    t = Table(show_lines=True, expand=True)
    t.add_column("Pillar", ratio=2, overflow="fold")
    t.add_column("Level", ratio=1)
    t.add_column("Why (the provisions read, with citations)", ratio=7, overflow="fold")
    for name in ("decriminalize", "demand", "exit"):
        ps = getattr(sc, name)
        t.add_row(PILLAR_TITLES[name], _level(ps.level.value), Text("\n".join(f"• {x}" for x in ps.reasons)))
    return Group(head, t)


@app.command("score")
def score_cmd(regime: RegimeArg, catalog: CatalogOpt = None, format: FormatOpt = Format.table) -> None:
    """Score a regime on the Equality Model's three pillars, and say which kind of regime it is."""
    cat = _catalog(catalog)
    r = cat.resolve(regime)
    sc = _score(cat, r)
    if format == Format.json:
        _emit_json(sc.as_dict())
        return
    _console().print(_scorecard_renderable(sc))


# ------------------------------------------------------------------------------------------ diff


def _who(c: Change) -> str:
    """The group a change belongs to, in the seeds' words."""
    if c.kind.startswith("exit_service"):
        return "survivors"
    if c.kind.startswith("regulation"):
        return "the sex trade"
    if c.party:
        return PARTY_WHO[Party(c.party)]
    return c.who or "other"


def _relief_text(x: Any) -> str:
    if x.kind == "none":
        return "none" + (" (nothing to relieve)" if x.not_applicable else "")
    text = f"{x.kind} ({x.mode.replace('_', ' ')})"
    if x.covers:
        text += f"\ncovers: {'; '.join(x.covers)}"
    if x.conditions:
        text += f"\nconditions: {'; '.join(x.conditions)}"
    return text


def _change_row(c: Change, ra: Regime, rb: Regime, reform_cites: dict[str, str]) -> tuple[Text, ...]:
    """(change, conduct, before, after, citation) for one change, in plain words."""
    style = {
        "offence_added": "bold red",
        "offence_removed": "bold green",
        "exit_service_added": "bold green",
        "exit_service_removed": "bold red",
    }.get(c.kind, "bold")
    kind = Text(CHANGE_WORDS.get(c.kind, c.kind.replace("_", " ")), style=style)
    cite = c.citation or "—"
    if c.kind.startswith("offence") or c.kind == "penalty_changed":
        old = ra.offence(str(c.before["id"])) if c.before else None
        new = rb.offence(str(c.after["id"])) if c.after else None
        shown = new or old
        if shown is None:  # not expected; fall back to the library's own summary
            return kind, Text(c.summary), Text("—"), Text("—"), Text(cite)
        ids = " → ".join(dict.fromkeys(o.id for o in (old, new) if o))
        conduct = f"{_conduct(shown)}\n[{ids}]"
        before = _offence_detail(old) if old else "not an offence"
        after = _offence_detail(new) if new else "not an offence"
        if c.kind == "offence_changed" and old and new:
            if old.description != new.description:
                before += f"\nwording: {old.description}"
                after += f"\nwording: {new.description}"
            if old.exempt_when != new.exempt_when:
                before += f"\nexempt when: {', '.join(x.value for x in old.exempt_when) or 'never'}"
                after += f"\nexempt when: {', '.join(x.value for x in new.exempt_when) or 'never'}"
            if old.citation != new.citation:
                before += f"\ncited as: {old.citation}"
        if c.kind == "offence_removed" and old:
            cite = f"was {old.citation}"
            if old.id in reform_cites:
                cite += f"; repealed by {reform_cites[old.id]}"
        elif shown.id in reform_cites and reform_cites[shown.id] not in cite:
            cite += f"; changed by {reform_cites[shown.id]}"
        return kind, Text(conduct), Text(before), Text(after), Text(cite)
    if c.kind == "record_relief":
        return (
            kind,
            Text("clearing past selling convictions"),
            Text(_relief_text(ra.record_relief)),
            Text(_relief_text(rb.record_relief)),
            Text(cite),
        )
    if c.kind.startswith("exit_service"):
        data = c.after or c.before or {}
        sid = str(data.get("id", ""))
        desc = str(data.get("description", ""))
        kinds = ", ".join(str(k) for k in data.get("kinds", []))  # type: ignore[attr-defined]
        what = f"{desc}\n[{kinds}; scope {data.get('scope', 'all')}]"
        if c.kind == "exit_service_changed":
            return (
                kind,
                Text(f"{sid}\n{desc}"),
                Text(_service_text(c.before or {})),
                Text(_service_text(c.after or {})),
                Text(cite),
            )
        if sid in reform_cites:
            cite += f"; removed by {reform_cites[sid]}"
        before = what if c.kind == "exit_service_removed" else "—"
        after = what if c.kind == "exit_service_added" else "—"
        return kind, Text(sid), Text(before), Text(after), Text(cite)
    if c.kind.startswith("regulation"):
        data = c.after or c.before or {}
        what = str(data.get("description", ""))
        before = what if c.kind == "regulation_removed" else "—"
        after = what if c.kind == "regulation_added" else "—"
        return kind, Text(str(data.get("kind", "")).replace("_", " ")), Text(before), Text(after), Text(cite)
    # A change kind this CLI does not know yet: show the library's own summary rather than hide it.
    return kind, Text(c.summary), Text("—"), Text("—"), Text(cite)


def _service_text(d: dict[str, object]) -> str:
    keys = ("kinds", "scope", "statutory", "funding", "fines_routed", "in_force_from", "verified")
    return "; ".join(f"{k}: {d[k]}" for k in keys if k in d) or "defaults"


def _pillar_summary(sc: Scorecard) -> dict[str, str]:
    return {
        "regime_type": sc.regime_type.value,
        "decriminalize": sc.decriminalize.level.value,
        "demand": sc.demand.level.value,
        "exit": sc.exit.level.value,
    }


def render_diff(
    d: Diff,
    ra: Regime,
    rb: Regime,
    sa: Scorecard,
    sb: Scorecard,
    reform_cites: dict[str, str],
    console: Console,
) -> None:
    """The diff table a legislative staffer reads: what changes, for whom, old vs new penalty, citation."""
    head = Text()
    head.append("What changes\n", style="bold")
    head.append(f"from  {d.a}: {d.a_label}\n")
    head.append(f"to    {d.b}: {d.b_label}")
    if rb.reform_id and rb.enacted_by:
        head.append(f"\n      ({rb.enacted_by})", style="dim")
    console.print(Panel(head))
    groups: dict[str, list[Change]] = {w: [] for w in WHO_ORDER}
    for c in d.changes:
        groups.setdefault(_who(c), []).append(c)
    counts = ", ".join(f"{len(v)} for {k}" for k, v in groups.items() if v)
    if not d.changes:
        console.print(
            Text(
                "No changes: the two regimes have the same offences, penalties, record relief and "
                "exit services.",
                style="bold",
            )
        )
    else:
        console.print(Text(f"{_n(len(d.changes), 'change')}: {counts}.", style="bold"))
    changed_ids = {
        str(side.get("id"))
        for c in d.changes
        for side in (c.before, c.after)
        if side and (c.kind.startswith("offence") or c.kind == "penalty_changed")
    }
    for who, changes in groups.items():
        # What the diff does not report stays in force (at most its sources were updated).
        kept = [o for o in rb.offences if PARTY_WHO[o.party] == who and o.id not in changed_ids]
        title = WHO_TITLE.get(who, who)
        if not changes:
            if who not in PARTY_WHO.values():
                console.print(Text(f"{title}: no change.", style="bold"))
                continue
            if kept:
                verb = "stays" if len(kept) == 1 else "stay"
                console.print(
                    Text(f"{title}: no change; {_n(len(kept), 'offence')} {verb} in force:", style="bold")
                )
            else:
                console.print(Text(f"{title}: no change; no offence applies before or after.", style="bold"))
            for o in kept:
                detail = _offence_detail(o).replace("\n", "; ")
                console.print(Text(f"  • {_conduct(o)}: {detail} — {o.citation}"))
            continue
        t = Table(
            title=WHO_TITLE.get(who, who),
            title_justify="left",
            title_style="bold",
            show_lines=True,
            expand=True,
        )
        t.add_column("Change", ratio=2, overflow="fold")
        t.add_column("Conduct" if who in PARTY_WHO.values() else "Provision", ratio=3, overflow="fold")
        t.add_column(f"Before ({d.a})", ratio=4, overflow="fold")
        t.add_column(f"After ({d.b})", ratio=4, overflow="fold")
        t.add_column("Citation", ratio=3, overflow="fold")
        for c in changes:
            t.add_row(*_change_row(c, ra, rb, reform_cites))
        console.print(t)
        if kept:
            console.print(
                Text(
                    f"Unchanged for {who}: " + "; ".join(f"{_conduct(o)} ({o.citation})" for o in kept),
                    style="dim",
                )
            )
    t = Table(title="Equality Model scorecard", title_justify="left", title_style="bold", expand=False)
    t.add_column("")
    t.add_column(f"Before ({d.a})")
    t.add_column(f"After ({d.b})")
    t.add_row("Regime type", REGIME_TYPE_LABELS[sa.regime_type], REGIME_TYPE_LABELS[sb.regime_type])
    for name in ("decriminalize", "demand", "exit"):
        la, lb = getattr(sa, name).level.value, getattr(sb, name).level.value
        t.add_row(PILLAR_TITLES[name], _level(la), _level(lb))
    console.print(t)
    ua, ub = unverified_markers(ra), unverified_markers(rb)
    if ua or ub:
        console.print(
            Text(
                f"Unverified facts: {len(ua)} in {d.a}, {len(ub)} in {d.b} (see `laws show` for each).",
                style="yellow",
            )
        )


@app.command("diff")
def diff_cmd(
    a: Annotated[
        str, typer.Argument(metavar="REGIME_A", show_default=False, help="The baseline, e.g. US-MA.")
    ],
    b: Annotated[
        str,
        typer.Argument(
            metavar="REGIME_B", show_default=False, help="The regime to compare, e.g. US-MA+equality-model."
        ),
    ],
    catalog: CatalogOpt = None,
    format: FormatOpt = Format.table,
) -> None:
    """What changes from REGIME_A to REGIME_B, grouped by who it affects, with citations."""
    cat = _catalog(catalog)
    ra, rb = cat.resolve(a), cat.resolve(b)
    d = diff(ra, rb)
    sa, sb = _score(cat, ra), _score(cat, rb)
    if format == Format.json:
        _emit_json({**d.as_dict(), "scorecards": {"a": _pillar_summary(sa), "b": _pillar_summary(sb)}})
        return
    render_diff(d, ra, rb, sa, sb, _reform_citations(cat, rb), _console())


# ------------------------------------------------------------------------------------------ check


@app.command("check")
def check_cmd(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="CASES",
            show_default=False,
            help="Legal-case files to run (default: the built-in ones and DIR/legal_cases/*.yaml "
            "of every --catalog DIR).",
        ),
    ] = None,
    catalog: CatalogOpt = None,
    format: FormatOpt = Format.table,
) -> None:
    """Run legal test cases against the catalogue; exit 1 if any fails."""
    cat = _catalog(catalog)
    paths = list(files or ())
    if not paths:
        paths = sorted(cases_dir().glob("*.yaml"))
        for d in catalog or ():
            paths += sorted((d / "legal_cases").glob("*.yaml"))
    results = []
    for path in paths:
        cf = load_cases(path)
        for case in cf.cases:
            try:
                fails = check_case(case, cat)
            except InputError as exc:
                fails = [str(exc)]
            results.append(
                {
                    "file": str(path),
                    "name": case.name,
                    "regime": case.regime,
                    "ok": not fails,
                    "failures": fails,
                }
            )
    n_fail = sum(not r["ok"] for r in results)
    if format == Format.json:
        _emit_json({"passed": len(results) - n_fail, "failed": n_fail, "cases": results})
    else:
        console = _console()
        t = Table(title="Legal cases", title_justify="left")
        for col in ("File", "Cases", "Passed", "Failed"):
            t.add_column(col)
        by_file: dict[str, list[dict[str, Any]]] = {}
        for r in results:
            by_file.setdefault(r["file"], []).append(r)
        for f, rs in by_file.items():
            bad = sum(not r["ok"] for r in rs)
            t.add_row(
                Text(f), str(len(rs)), str(len(rs) - bad), Text(str(bad), style="bold red" if bad else "")
            )
        console.print(t)
        for r in results:
            if not r["ok"]:
                console.print(
                    Text(f"FAIL {Path(r['file']).name}: {r['name']} ({r['regime']})", style="bold red")
                )
                for f in r["failures"]:
                    console.print(Text(f"    {f}"))
        console.print(
            Text(
                f"{len(results) - n_fail} passed, {n_fail} failed",
                style="bold red" if n_fail else "bold green",
            )
        )
    if n_fail:
        raise typer.Exit(1)
