"""Scenarios: a jurisdiction, two legal regimes (baseline and reform), how the law is implemented,
parameter overrides and run settings. Validated with pydantic; built-ins live in data/scenarios.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from equality_model.errors import InputError
from equality_model.law.catalog import data_dir
from equality_model.model.params import ParamSet, check_override
from equality_model.yamlio import load_yaml, validate_doc

SEGMENTS = ("street", "indoor", "online")
SERVICES = ("substance_use", "housing", "education", "jobs")


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Population(_M):
    """Sizes with sources. ``sellers`` defaults to ``seller.per_100k_population`` × total."""

    total: int = Field(gt=0)
    adult_men: int = Field(gt=0)
    sellers: int | None = Field(default=None, gt=0)
    source: str = Field(min_length=1)


class SegmentRates(_M):
    street: float = Field(ge=0)
    indoor: float = Field(ge=0)
    online: float = Field(ge=0)

    def as_tuple(self) -> tuple[float, float, float]:
        return (self.street, self.indoor, self.online)


class Enforcement(_M):
    """Effort per target, in observable units. The law decides who may be arrested at all."""

    buyer_arrests_per_1000_purchases: SegmentRates = SegmentRates(street=0.5, indoor=0.05, online=0.05)
    seller_arrests_per_person_year: SegmentRates = SegmentRates(street=0.3, indoor=0.1, online=0.05)
    third_party_arrests_per_exploiter_year: float = Field(default=0.1, ge=0, le=5)
    perceived_arrest_risk: float = Field(
        default=0.02,
        ge=0,
        le=0.5,
        description="Perceived chance of arrest per purchase where buying is an offence (assumption).",
    )
    demand_course: bool = Field(
        default=False, description="A demand-reduction course is offered to arrested buyers."
    )


class ServicePool(_M):
    """One exit service: capacity (places), duration, cost and effect."""

    capacity: float = Field(ge=0, description="places at any time (persons)")
    weeks: int = Field(ge=1, le=520, description="length of the service")
    cost_per_week: float = Field(ge=0, description="USD per place per week")
    success: float = Field(ge=0, le=1, description="chance of completing the step successfully")


class Services(_M):
    substance_use: ServicePool = ServicePool(capacity=10, weeks=13, cost_per_week=500, success=0.6)
    housing: ServicePool = ServicePool(capacity=10, weeks=26, cost_per_week=600, success=0.8)
    education: ServicePool = ServicePool(capacity=10, weeks=26, cost_per_week=250, success=0.7)
    jobs: ServicePool = ServicePool(capacity=10, weeks=13, cost_per_week=200, success=0.7)
    priority: Literal["fifo", "trafficked_first"] = "fifo"

    def pool(self, name: str) -> ServicePool:
        return getattr(self, name)


class Implementation(_M):
    """Choices that are not law: enforcement, exit capacity and funding, community education."""

    enforcement: Enforcement = Enforcement()
    services: Services = Services()
    education_usd_per_year: float = Field(default=0.0, ge=0)
    fines_to_services_share: float = Field(
        default=1.0, ge=0, le=1, description="share of routed fines that funds extra places"
    )


class Scenario(_M):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    title: str
    description: str = ""
    jurisdiction: str
    population: Population
    baseline: str = Field(description="regime reference for the baseline arm, e.g. US-MA or SE@1998-12-31")
    reform: str | None = Field(
        default=None, description="regime reference for the reform arm; None = null reform"
    )
    start: dt.date
    years: int = Field(default=10, ge=1, le=50)
    burn_in_years: int = Field(default=2, ge=0, le=20)
    ramp_up_years: float = Field(default=1.0, ge=0, le=20)
    scale: float = Field(default=1.0, ge=1.0, le=10_000.0, description="persons per agent")
    replicates: int = Field(default=10, ge=1, le=10_000)
    seed: int = Field(default=20261121, ge=0, lt=2**63)
    usd_per_currency_unit: float = Field(default=1.0, gt=0)
    baseline_implementation: Implementation = Implementation()
    reform_implementation: Implementation | None = None
    parameters: dict[str, float] = Field(default_factory=dict)
    hypotheses_note: str | None = None

    @field_validator("parameters")
    @classmethod
    def _known(cls, v: dict[str, float]) -> dict[str, float]:
        for k, x in v.items():
            check_override(k, x)
        return v

    @property
    def weeks(self) -> int:
        return self.years * 52

    @property
    def burn_in_weeks(self) -> int:
        return self.burn_in_years * 52

    def implementation(self, arm: str) -> Implementation:
        if arm == "reform" and self.reform_implementation is not None:
            return self.reform_implementation
        return self.baseline_implementation

    def row(self) -> dict[str, object]:
        """The `scenarios list --format json` row (a promise to scripts: extend, never rename)."""
        return {
            "name": self.name,
            "title": self.title,
            "jurisdiction": self.jurisdiction,
            "baseline": self.baseline,
            "reform": self.reform,
            "start": self.start.isoformat(),
            "years": self.years,
            "scale": self.scale,
            "replicates": self.replicates,
        }

    def params(self) -> ParamSet:
        return ParamSet.default().with_overrides(self.parameters)

    def fingerprint(self) -> str:
        """sha256 of the scenario's canonical JSON: the reproducibility hash of inputs."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


def scenarios_dir() -> Path:
    return data_dir() / "scenarios"


def builtin_names() -> list[str]:
    return sorted(p.stem for p in scenarios_dir().glob("*.yaml"))


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load a built-in scenario by name, or a scenario YAML file by path."""
    p = Path(name_or_path)
    if not p.suffix and not p.exists():
        p = scenarios_dir() / f"{name_or_path}.yaml"
        if not p.exists():
            raise InputError(
                f"unknown scenario '{name_or_path}'; expected a file path or one of "
                f"{', '.join(builtin_names())}",
                field="scenario",
            )
    doc = load_yaml(p)
    if isinstance(doc.data, dict):
        for k, v in (doc.data.get("parameters") or {}).items():
            check_override(k, v, file=p, line=doc.line_of(["parameters", k]))
    sc = validate_doc(doc, Scenario)
    from equality_model.law.catalog import default_catalog

    cat = default_catalog()
    for fld in ("baseline", "reform"):
        ref = getattr(sc, fld)
        if ref is None:
            continue
        try:
            cat.resolve(ref)
        except InputError as e:
            raise InputError(e.message, file=p, line=doc.line_of([fld]), field=fld) from None
    return sc
