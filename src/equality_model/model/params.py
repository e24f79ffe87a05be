"""The parameter registry: one place where every model parameter is named, bounded and sourced.

The engine reads parameters only through a :class:`ParamSet`; there are no magic numbers in
the processes. Overrides (from a parameter-set YAML, a scenario or the API) are checked
against the registry: an unknown name or a value outside the plausible range is an error.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from equality_model.errors import InputError
from equality_model.yamlio import load_yaml, validate_doc


class ParamSpec(BaseModel):
    """One registry entry."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    default: float
    range: tuple[float, float]
    unit: str
    description: str
    source: str | None = None
    assumption: bool = False

    @model_validator(mode="after")
    def _sourced(self) -> ParamSpec:
        if not self.source and not self.assumption:
            raise ValueError("a parameter needs a source from evidence.md or assumption: true")
        lo, hi = self.range
        if not lo <= self.default <= hi:
            raise ValueError(f"default {self.default} is outside its range [{lo}, {hi}]")
        return self


class _Registry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    parameters: dict[str, ParamSpec] = Field(min_length=1)


class _ParamFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    description: str | None = None
    parameters: dict[str, float]


def registry_path() -> Path:
    from equality_model.law.catalog import data_dir

    return data_dir() / "parameters" / "registry.yaml"


@lru_cache(maxsize=1)
def registry() -> dict[str, ParamSpec]:
    """The registry, loaded once."""
    return dict(validate_doc(load_yaml(registry_path()), _Registry).parameters)


def check_override(
    name: str,
    value: Any,
    *,
    file: str | Path | None = None,
    line: int | None = None,
    field_prefix: str = "parameters",
) -> float:
    """Validate one override against the registry; return it as a float."""
    reg = registry()
    if name not in reg:
        close = difflib.get_close_matches(name, reg, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise InputError(
            f"unknown parameter '{name}'{hint}; `equality-model params list` shows them",
            file=file,
            line=line,
            field=f"{field_prefix}.{name}",
        )
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(
            f"expected a number, got {value!r}", file=file, line=line, field=f"{field_prefix}.{name}"
        )
    lo, hi = reg[name].range
    if not lo <= float(value) <= hi:
        raise InputError(
            f"value {value} is outside the plausible range [{lo}, {hi}] ({reg[name].unit})",
            file=file,
            line=line,
            field=f"{field_prefix}.{name}",
        )
    return float(value)


@dataclass(frozen=True)
class ParamSet:
    """Registry defaults with validated overrides; read with ``p["buyer.share_ever"]``."""

    values: Mapping[str, float]

    @classmethod
    def default(cls) -> ParamSet:
        return cls({k: v.default for k, v in registry().items()})

    def with_overrides(self, overrides: Mapping[str, Any], *, file: str | Path | None = None) -> ParamSet:
        vals = dict(self.values)
        for k, v in overrides.items():
            vals[k] = check_override(k, v, file=file)
        return ParamSet(vals)

    def __getitem__(self, name: str) -> float:
        return self.values[name]

    def changed(self) -> dict[str, float]:
        """The values that differ from the registry defaults."""
        reg = registry()
        return {k: v for k, v in self.values.items() if v != reg[k].default}


def load_param_file(path: str | Path) -> dict[str, float]:
    """Load a parameter-set YAML (``parameters: {name: value}``), validated against the registry."""
    doc = load_yaml(path)
    pf = validate_doc(doc, _ParamFile)
    return {
        k: check_override(k, v, file=path, line=doc.line_of(["parameters", k]))
        for k, v in pf.parameters.items()
    }


def registry_table() -> list[dict[str, Any]]:
    """The registry as a list of rows (for `params list` and docs)."""
    return [
        {
            "name": k,
            "default": v.default,
            "low": v.range[0],
            "high": v.range[1],
            "unit": v.unit,
            "description": " ".join(v.description.split()),
            "source": v.source,
            "assumption": v.assumption,
        }
        for k, v in registry().items()
    ]
