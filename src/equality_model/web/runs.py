"""A run request (what the scenario page and API clients send) and how it becomes a Scenario.

A request names a jurisdiction, a baseline and a reform (regime references), a start date, the run
settings and the main levers. Everything else (population, implementation of the law, parameters)
comes from a built-in scenario for that jurisdiction, the *template*; a jurisdiction without one
needs ``population`` in the request and uses the model's default implementation.

The levers act on the reform arm only; the baseline arm keeps the template's current practice:

- ``enforcement_effort`` multiplies every arrest rate of the reform arm (the law still decides who
  may be arrested at all, so a decriminalised person in prostitution is never arrested);
- ``exit_capacity`` multiplies the places of every exit service of the reform arm;
- ``education_usd_per_year`` replaces the reform arm's community-education budget.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from equality_model.errors import InputError
from equality_model.law.catalog import Catalog, default_catalog
from equality_model.model.engine import MIN_BURN_IN
from equality_model.model.params import check_override
from equality_model.model.scenario import SERVICES, Scenario, builtin_names, load_scenario

DEFAULT_YEARS = 5
DEFAULT_REPLICATES = 5
DEFAULT_SCALE = 100.0
NO_REFORM = "none"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Levers(_In):
    """The main implementation levers, applied to the reform arm."""

    enforcement_effort: float = Field(
        default=1.0,
        ge=0,
        le=10,
        description="Multiplies every arrest rate of the reform arm (1 = the scenario's own).",
    )
    exit_capacity: float = Field(
        default=1.0,
        ge=0,
        le=20,
        description="Multiplies the places of every exit service of the reform arm (1 = the scenario's own).",
    )
    education_usd_per_year: float | None = Field(
        default=None,
        ge=0,
        le=1e10,
        description="Community-education budget of the reform arm, USD a year (default: the scenario's).",
    )


class PopulationIn(_In):
    """Sizes for a jurisdiction without a built-in scenario (or to replace the template's)."""

    total: int = Field(gt=0, le=2_000_000_000, description="residents")
    adult_men: int = Field(gt=0, le=1_000_000_000, description="men aged 18 and over")
    sellers: int | None = Field(
        default=None,
        gt=0,
        le=10_000_000,
        description="people in prostitution (default: the registry's rate per 100,000 residents)",
    )
    source: str = Field(default="given in the web request", min_length=1, max_length=500)


class RunRequest(_In):
    """What to simulate. Unknown fields are refused."""

    jurisdiction: str = Field(
        pattern=r"^[A-Za-z]{2}(-[A-Za-z]{2,3})?$",
        description="Jurisdiction id, e.g. US-MA",
        examples=["US-MA"],
    )
    scenario: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9\-]*$",
        max_length=80,
        description="Built-in scenario used as the template (default: the first one for the jurisdiction).",
    )
    baseline: str | None = Field(
        default=None,
        min_length=2,
        max_length=80,
        description="Regime reference of the baseline arm, e.g. US-MA or SE@1998-12-31 (default: the "
        "template's, else the law in force the day before the start).",
    )
    reform: str | None = Field(
        default=None,
        min_length=2,
        max_length=80,
        description="Regime reference of the reform arm (US-MA+equality-model, SE@1999-01-01), a reform id "
        "(equality-model), or 'none' for no change (default: the template's).",
        examples=["US-MA+equality-model"],
    )
    start: dt.date | None = Field(
        default=None,
        ge=dt.date(1800, 1, 1),
        le=dt.date(2200, 12, 31),
        description="Start date of the reform (default: the template's).",
    )
    years: int = Field(default=DEFAULT_YEARS, ge=1, le=50, description="Years simulated after the start.")
    replicates: int = Field(default=DEFAULT_REPLICATES, ge=1, le=1000)
    scale: float = Field(default=DEFAULT_SCALE, ge=1, le=10_000, description="Persons per agent.")
    seed: int | None = Field(default=None, ge=0, lt=2**63)
    levers: Levers = Levers()
    population: PopulationIn | None = None
    parameters: dict[str, float] = Field(
        default_factory=dict, max_length=100, description="Parameter overrides (see /api/parameters)."
    )


# ------------------------------------------------------------------------------------------ templates


@lru_cache(maxsize=1)
def templates() -> dict[str, list[Scenario]]:
    """Built-in scenarios by jurisdiction id (those that load; a broken file is skipped here)."""
    out: dict[str, list[Scenario]] = {}
    for name in builtin_names():
        try:
            sc = load_scenario(name)
        except InputError:
            continue
        out.setdefault(sc.jurisdiction, []).append(sc)
    return out


def template_for(jid: str, name: str | None) -> Scenario | None:
    """The template: the named built-in scenario, or the first for the jurisdiction (None if none)."""
    if name is not None:
        sc = load_scenario(name)  # InputError (with the list of names) if unknown
        if sc.jurisdiction != jid:
            raise InputError(
                f"scenario '{name}' is for {sc.jurisdiction}, not {jid}; choose one for {jid} "
                f"({', '.join(s.name for s in templates().get(jid, [])) or 'none built in'})",
                field="scenario",
            )
        return sc
    found = templates().get(jid)
    return found[0] if found else None


@lru_cache(maxsize=1)
def scenario_rows() -> tuple[dict[str, Any], ...]:
    """Every built-in scenario as ``scenarios list --format json`` plus its population (or its error)."""
    rows: list[dict[str, Any]] = []
    for name in builtin_names():
        try:
            sc = load_scenario(name)
        except InputError as exc:
            rows.append({"name": name, "error": str(exc)})
            continue
        rows.append({**sc.row(), "population": sc.population.model_dump(mode="json")})
    return tuple(rows)


# ------------------------------------------------------------------------------------------ building


def _ref(cat: Catalog, ref: str, jid: str, fld: str) -> str:
    """Resolve a regime reference for ``jid``; a bare reform id becomes ``jid+id``."""
    text = ref.strip()
    if fld == "reform" and text in cat.reforms:
        text = f"{jid}+{text}"
    try:
        regime = cat.resolve(text)
    except InputError as exc:
        raise InputError(exc.message, field=fld) from None
    if regime.jurisdiction_id != jid:
        raise InputError(
            f"regime '{ref}' is the law of {regime.jurisdiction_id}, not of {jid}; both arms must be {jid}",
            field=fld,
        )
    return text


def _scaled(rates: dict[str, float], k: float) -> dict[str, float]:
    return {seg: v * k for seg, v in rates.items()}


def _apply_levers(impl: dict[str, Any], lv: Levers) -> dict[str, Any]:
    enf = dict(impl["enforcement"])
    k = lv.enforcement_effort
    enf["buyer_arrests_per_1000_purchases"] = _scaled(enf["buyer_arrests_per_1000_purchases"], k)
    enf["seller_arrests_per_person_year"] = _scaled(enf["seller_arrests_per_person_year"], k)
    enf["third_party_arrests_per_exploiter_year"] = enf["third_party_arrests_per_exploiter_year"] * k
    services = dict(impl["services"])
    for name in SERVICES:
        pool = dict(services[name])
        pool["capacity"] = pool["capacity"] * lv.exit_capacity
        services[name] = pool
    out = {**impl, "enforcement": enf, "services": services}
    if lv.education_usd_per_year is not None:
        out["education_usd_per_year"] = lv.education_usd_per_year
    return out


def _validation_error(exc: ValidationError) -> InputError:
    e = exc.errors()[0]
    loc = ".".join(str(x) for x in e["loc"])
    return InputError(f"{e['msg']} (got {e.get('input')!r})", field=loc or None)


def build_scenario(req: RunRequest, cat: Catalog | None = None) -> Scenario:
    """Turn a request into a validated Scenario, or raise InputError naming the field at fault."""
    cat = cat or default_catalog()
    jid = cat.jurisdiction(req.jurisdiction).id  # InputError: unknown jurisdiction, with the list
    tpl = template_for(jid, req.scenario)
    for name, value in req.parameters.items():
        check_override(name, value, field_prefix="parameters")
    if tpl is None and req.population is None:
        raise InputError(
            f"there is no built-in scenario for {jid}, so its population is unknown; give population "
            "{total, adult_men} in the request",
            field="population",
        )
    # start
    start = req.start
    reform_ref = req.reform
    if start is None and reform_ref and reform_ref.strip() in cat.reforms:
        start = cat.reform(reform_ref.strip()).start
    if start is None and reform_ref and "+" in reform_ref:
        rid = reform_ref.split("+", 1)[1].strip()
        if rid in cat.reforms:
            start = cat.reform(rid).start
    if start is None and tpl is not None:
        start = tpl.start
    if start is None:
        raise InputError(
            f"give a start date for {jid} (there is no built-in scenario to take it from)", field="start"
        )
    # arms
    if req.baseline is not None:
        baseline = _ref(cat, req.baseline, jid, "baseline")
    elif tpl is not None:
        baseline = tpl.baseline
    else:
        baseline = _ref(cat, f"{jid}@{(start - dt.timedelta(days=1)).isoformat()}", jid, "baseline")
    reform: str | None
    if reform_ref is not None:
        reform = None if reform_ref.strip().lower() == NO_REFORM else _ref(cat, reform_ref, jid, "reform")
    elif tpl is not None:
        reform = tpl.reform
    else:
        raise InputError(
            f"give a reform for {jid}: a regime reference, a reform id or 'none'", field="reform"
        )
    base: dict[str, Any] = tpl.model_dump(mode="json") if tpl is not None else {}
    impl_b = base.get("baseline_implementation") or Scenario.model_fields[
        "baseline_implementation"
    ].default.model_dump(mode="json")
    impl_r = base.get("reform_implementation") or impl_b
    population = (
        req.population.model_dump(mode="json", exclude_none=True)
        if req.population is not None
        else base["population"]
    )
    doc: dict[str, Any] = {
        **base,
        "name": f"web-{jid.lower()}",
        "title": f"{cat.jurisdiction(jid).name}: {baseline} vs {reform or 'no change'} "
        f"from {start.isoformat()}",
        "description": (
            f"Web explorer run based on the built-in scenario '{tpl.name}'." if tpl else "Web explorer run."
        ),
        "jurisdiction": jid,
        "population": population,
        "baseline": baseline,
        "reform": reform,
        "start": start.isoformat(),
        "years": req.years,
        "replicates": req.replicates,
        "scale": req.scale,
        "baseline_implementation": impl_b,
        "reform_implementation": _apply_levers(impl_r, req.levers),
        "parameters": {**base.get("parameters", {}), **req.parameters},
    }
    if req.seed is not None:
        doc["seed"] = req.seed
    try:
        return Scenario.model_validate(doc)
    except ValidationError as exc:
        raise _validation_error(exc) from None


# ------------------------------------------------------------------------------------------ size


def agents(sc: Scenario) -> int:
    """Agents of one replicate, as the engine builds them: buyers plus people in prostitution."""
    p = sc.params()
    buyers = max(1, round(sc.population.adult_men * p["buyer.share_ever"] / sc.scale))
    sellers_people = sc.population.sellers or sc.population.total * p["seller.per_100k_population"] / 1e5
    return buyers + max(10, round(sellers_people / sc.scale))


def simulated_weeks(sc: Scenario) -> int:
    """Weeks stepped per replicate: the shared burn-in plus both arms."""
    return max(MIN_BURN_IN, sc.burn_in_weeks) + 2 * sc.weeks


def run_size(sc: Scenario) -> int:
    """Agents × simulated weeks × replicates (agent-weeks): what the size limit is measured in."""
    return agents(sc) * simulated_weeks(sc) * sc.replicates


def check_size(sc: Scenario, limit: float) -> int:
    size = run_size(sc)
    if size > limit:
        raise InputError(
            f"run too large: {agents(sc):,} agents × {simulated_weeks(sc):,} simulated weeks × "
            f"{sc.replicates:,} replicates = {size:,} agent-weeks, over this server's limit of {limit:,.0f}; "
            "raise scale (persons per agent) or lower years or replicates"
        )
    return size
