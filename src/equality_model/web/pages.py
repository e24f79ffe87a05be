"""Server-rendered pages: /, /laws, /laws/{ref}, /diff, /scenarios, /evidence."""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

import equality_model
from equality_model.errors import InputError
from equality_model.web import lawdata
from equality_model.web.evidence import figures
from equality_model.web.runs import DEFAULT_REPLICATES, DEFAULT_SCALE, DEFAULT_YEARS
from equality_model.web.runs import templates as run_templates

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.globals["version"] = equality_model.__version__
templates.env.globals["regime_types"] = lawdata.REGIME_TYPES

router = APIRouter(include_in_schema=False)

KEY_OUTCOMES = (
    "people_in_prostitution",
    "trafficking_victims_in_trade",
    "active_buyers",
    "arrests_of_people_in_prostitution_per_year",
    "arrests_of_buyers_per_year",
    "exits_through_services_per_year",
    "violence_incidents_per_year_displacement",
    "violence_incidents_per_year_exploitation",
    "cost_usd_per_year",
)


def _page(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"nav": name.split(".")[0], **ctx}, status_code=status)


def _error(request: Request, exc: InputError, status: int | None = None) -> HTMLResponse:
    code = status or (404 if lawdata.not_found(exc) else 422)
    return _page(request, "error.html", status=code, message=str(exc), code=code)


@router.get("/", response_class=HTMLResponse)
def index(request: Request) -> HTMLResponse:
    cat = lawdata.catalog()
    return _page(
        request,
        "index.html",
        n_jurisdictions=len(cat.jurisdictions),
        n_reforms=len(cat.reforms),
        n_figures=len(figures()),
    )


@router.get("/laws", response_class=HTMLResponse)
def laws(
    request: Request,
    q: str | None = None,
    type: str | None = None,
    kind: str | None = None,
    on: str | None = None,
) -> HTMLResponse:
    try:
        day = dt.date.fromisoformat(on) if on else dt.date.today()
    except ValueError:
        return _error(request, InputError(f"expected a date as YYYY-MM-DD, got {on!r}", field="on"), 422)
    rows = lawdata.laws_rows(day)
    shown = lawdata.filter_rows(rows, q=q, regime_type=type or None, kind=kind or None)
    types = sorted({r["regime_type"] for r in rows if r.get("regime_type")})
    return _page(
        request,
        "laws.html",
        rows=rows,
        shown={r["id"] for r in shown},
        q=q or "",
        type=type or "",
        kind=kind or "",
        on=day.isoformat(),
        types=types,
    )


@router.get("/laws/{ref}", response_class=HTMLResponse)
def regime_page(request: Request, ref: str) -> HTMLResponse:
    try:
        regime = lawdata.resolve(ref)
        j = lawdata.jurisdiction_json(regime.jurisdiction_id)
        scorecard = lawdata.score_dict(regime)
    except InputError as exc:
        return _error(request, exc)
    return _page(
        request,
        "regime.html",
        nav_override="laws",
        r=regime,
        j=j,
        scorecard=scorecard,
        parties=lawdata.offences_by_party(regime),
        relief=lawdata.relief_text(regime),
        unverified=lawdata.cli_law.unverified_markers(regime),
        today=dt.date.today().isoformat(),
    )


@router.get("/diff", response_class=HTMLResponse)
def diff_page(request: Request, a: str | None = None, b: str | None = None) -> HTMLResponse:
    cat = lawdata.catalog()
    if not a or not b:
        first = next(iter(sorted(cat.reforms.values(), key=lambda r: r.id)), None)
        if first is not None:
            a = a or first.applies_to
            b = b or f"{first.applies_to}+{first.id}"
        else:
            jid = sorted(cat.jurisdictions)[0]
            versions = lawdata.version_rows(jid)
            a, b = a or versions[0]["ref"], b or versions[-1]["ref"]
    options = lawdata.regime_options()
    try:
        view = lawdata.diff_view(a, b)
    except InputError as exc:
        return _error(request, exc)
    return _page(request, "diff.html", view=view, a=a, b=b, options=options)


@lru_cache(maxsize=1)
def _scenario_form_data() -> dict[str, Any]:
    """What the scenario form needs, embedded in the page as JSON."""
    cat = lawdata.catalog()
    tpls = run_templates()
    out = []
    for jid in sorted(cat.jurisdictions):
        j = cat.jurisdictions[jid]
        out.append(
            {
                "id": jid,
                "name": j.name,
                "templates": [
                    {
                        "name": t.name,
                        "title": t.title,
                        "baseline": t.baseline,
                        "reform": t.reform,
                        "start": t.start.isoformat(),
                        "population": t.population.model_dump(mode="json"),
                    }
                    for t in tpls.get(jid, [])
                ],
                "versions": [
                    {
                        "ref": v["ref"],
                        "label": v["label"],
                        "from": v["in_force_from"],
                        "until": v["in_force_until"],
                    }
                    for v in lawdata.version_rows(jid)
                ],
                "reforms": lawdata.reforms_for(jid),
            }
        )
    return {
        "jurisdictions": out,
        "defaults": {"years": DEFAULT_YEARS, "replicates": DEFAULT_REPLICATES, "scale": DEFAULT_SCALE},
        "key_outcomes": list(KEY_OUTCOMES),
    }


@router.get("/scenarios", response_class=HTMLResponse)
def scenarios_page(request: Request) -> HTMLResponse:
    data = _scenario_form_data()
    default = next(
        (j["id"] for j in data["jurisdictions"] if j["reforms"] and j["templates"]),
        data["jurisdictions"][0]["id"],
    )
    limits = request.app.state.jobs.settings.public()
    return _page(
        request,
        "scenarios.html",
        data_json=json.dumps(data).replace("</", "<\\/"),
        default_jurisdiction=default,
        data=data,
        limits=limits,
    )


@router.get("/evidence", response_class=HTMLResponse)
def evidence_page(
    request: Request, topic: str | None = None, jurisdiction: str | None = None
) -> HTMLResponse:
    figs = figures()
    return _page(
        request,
        "evidence.html",
        figures=figs,
        topics=sorted({f.topic for f in figs}),
        jurisdictions=sorted({f.jurisdiction for f in figs}),
        reliabilities=["official", "peer", "ngo", "media", "low"],
        topic=topic or "",
        jurisdiction=jurisdiction or "",
    )
