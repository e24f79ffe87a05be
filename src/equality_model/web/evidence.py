"""The observed figures the model uses (data/evidence/observed.yaml), validated on load."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from equality_model.law.catalog import data_dir
from equality_model.yamlio import load_yaml, validate_doc

_DATE = r"\d{4}(-\d{2}(-\d{2})?)?"
DATE_RE = re.compile(rf"^{_DATE}(/{_DATE})?$")
Reliability = Literal["official", "peer", "ngo", "media", "low"]
Topic = Literal["demand", "supply", "enforcement", "exit", "trafficking", "harms"]


class Figure(BaseModel):
    """One observed figure, with where it comes from and how far to trust it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    topic: Topic
    jurisdiction: str = Field(
        min_length=2, description="ISO-style code (US, SE, US-RI, GB) or 'international'"
    )
    what: str = Field(min_length=3)
    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str = Field(min_length=1)
    date: str | None = Field(default=None, description="ISO 8601 date or period start/end; null if undated")
    source: str = Field(min_length=3)
    reliability: Reliability
    reliability_note: str | None = None
    quote: str = Field(min_length=3)
    section: str = Field(pattern=r"^§\d+$", description="section of evidence.md")
    used_by: list[str] = Field(default_factory=list)

    @field_validator("date")
    @classmethod
    def _date(cls, v: str | None) -> str | None:
        if v is not None and not DATE_RE.match(v):
            raise ValueError("expected YYYY, YYYY-MM, YYYY-MM-DD or a period START/END")
        return v

    @model_validator(mode="after")
    def _number(self) -> Figure:
        if self.value is None and (self.low is None or self.high is None):
            raise ValueError("give value, or low and high")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("low is above high")
        return self

    def display(self) -> str:
        """The figure as a person reads it: 2.99 (1.96–4.57), 30,000–40,000, 6.2."""

        def f(x: float) -> str:
            return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}".rstrip("0").rstrip(".")

        rng = f"{f(self.low)}–{f(self.high)}" if self.low is not None and self.high is not None else ""
        if self.value is None:
            return rng
        return f"{f(self.value)} ({rng})" if rng else f(self.value)


class EvidenceFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    figures: list[Figure] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> EvidenceFile:
        seen: set[str] = set()
        for f in self.figures:
            if f.id in seen:
                raise ValueError(f"duplicate figure id '{f.id}'")
            seen.add(f.id)
        return self


def evidence_path() -> Path:
    return data_dir() / "evidence" / "observed.yaml"


@lru_cache(maxsize=1)
def figures() -> tuple[Figure, ...]:
    """Every observed figure, in file order."""
    return tuple(validate_doc(load_yaml(evidence_path()), EvidenceFile).figures)
