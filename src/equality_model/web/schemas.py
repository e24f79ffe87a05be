"""Response models: they document the API in /openapi.json (and the schema tests check them)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorBody(BaseModel):
    """Every 4xx answer: one clear sentence, and the field at fault when there is one."""

    detail: str = Field(description="What is wrong and what was expected, in one line.")
    field: str | None = Field(default=None, description="The request field at fault, e.g. body.years.")
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="Every validation error, if several."
    )


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Bad request"},
    404: {"model": ErrorBody, "description": "Not found (unknown jurisdiction, reform, version or run)"},
    409: {"model": ErrorBody, "description": "The run is not in a state that allows this"},
    422: {"model": ErrorBody, "description": "Invalid input (malformed value, run too large, bad reference)"},
    429: {"model": ErrorBody, "description": "Too many runs at once"},
}


class Pillars(BaseModel):
    decriminalize: Literal["full", "partial", "none"]
    demand: Literal["full", "partial", "none"]
    exit: Literal["full", "partial", "none"]


class LawRow(_Out):
    """A jurisdiction (law in force on the date) or a reform, as ``laws list --format json``."""

    id: str
    kind: Literal["jurisdiction", "reform"]
    name: str
    level: str
    role: str
    currency: str
    regime_type: str | None
    in_force_from: str | None
    version: str | None
    regime_type_label: str | None = None
    in_force_until: str | None = None
    label: str | None = None
    ref: str | None = None
    pillars: Pillars | None = None
    verified: bool | None = None
    unverified_count: int | None = None
    note: str | None = None


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    active_runs: int
    limits: dict[str, int | float]


class ScenarioInfo(_Out):
    name: str
    title: str | None = None
    jurisdiction: str | None = None
    baseline: str | None = None
    reform: str | None = None
    start: str | None = None
    years: int | None = None
    scale: float | None = None
    replicates: int | None = None
    population: dict[str, Any] | None = None
    error: str | None = Field(default=None, description="Why the built-in file did not load, if it did not.")


class ParameterInfo(_Out):
    name: str
    default: float
    low: float
    high: float
    unit: str
    description: str
    source: str | None
    assumption: bool


class FigureOut(_Out):
    id: str
    topic: str
    jurisdiction: str
    what: str
    value: float | None
    low: float | None
    high: float | None
    display: str
    unit: str
    date: str | None
    source: str
    reliability: Literal["official", "peer", "ngo", "media", "low"]
    reliability_note: str | None
    quote: str
    section: str
    used_by: list[str]


class RunScenario(BaseModel):
    jurisdiction: str
    baseline: str
    reform: str | None
    start: str
    years: int
    replicates: int
    scale: float
    seed: int
    title: str


class RunStatus(BaseModel):
    id: str
    status: Literal["queued", "starting", "running", "done", "failed", "cancelled"]
    phase: str
    progress: float = Field(ge=0, le=1)
    error: str | None
    created: float
    elapsed_seconds: float | None
    size: int = Field(description="agent-weeks: agents × simulated weeks × replicates")
    scenario: RunScenario
    links: dict[str, str]


class Band(BaseModel):
    mean: list[float]
    lo: list[float]
    hi: list[float]


class OutcomeSeries(BaseModel):
    label: str
    unit: str
    kind: Literal["stock", "flow"]
    baseline: Band
    reform: Band


class Series(BaseModel):
    period_weeks: int
    level: float
    dates: list[str]
    outcomes: dict[str, OutcomeSeries]


class SummaryRow(BaseModel):
    outcome: str
    year: int
    baseline_mean: float
    baseline_lo: float
    baseline_hi: float
    reform_mean: float
    reform_lo: float
    reform_hi: float
    difference_mean: float
    difference_lo: float
    difference_hi: float


class RunResults(BaseModel):
    id: str
    scenario: RunScenario
    scenario_hash: str
    seconds: float
    level: float = Field(
        description="Bands run from the (1-level)/2 to the (1+level)/2 quantile across replicates."
    )
    series: Series
    summary: list[SummaryRow]
    links: dict[str, str]
