"""Legal test cases in YAML, OpenFisca style: a regime, a case, and what the law says.

They live next to the data (``data/legal_cases/<ID>.yaml``), double as documentation, and
run under pytest and from ``python -m equality_model.law.cases FILE...``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from equality_model.errors import InputError
from equality_model.law.catalog import Catalog, default_catalog
from equality_model.law.evaluate import evaluate
from equality_model.law.schema import Act, Circumstance, Party, Strict, Text
from equality_model.law.scorecard import score
from equality_model.yamlio import load_yaml, validate_doc

PENALTY_FIELDS = (
    "class",
    "fine_min",
    "fine_max",
    "currency",
    "custody_max_months",
    "custody_max_life",
    "custody_min_months",
    "fine_mandatory_minimum",
    "fine_only",
)
LevelName = Literal["full", "partial", "none"]


class ExpectedOffence(Strict):
    id: str
    model_config = Strict.model_config | {"extra": "allow"}


class Expect(Strict):
    offences: list[str | ExpectedOffence] | None = None
    regime_type: (
        Literal["equality_model", "legalization_regulation", "decriminalization", "prohibition", "other"]
        | None
    ) = None
    pillars: dict[Literal["decriminalize", "demand", "exit"], LevelName] | None = None


class LegalCase(Strict):
    name: Text
    regime: Text
    act: Act | None = None
    party: Party | None = None
    circumstances: list[Circumstance] = Field(default_factory=list)
    expect: Expect


class CaseFile(Strict):
    jurisdiction: str
    cases: list[LegalCase] = Field(min_length=1)


def load_cases(path: str | Path) -> CaseFile:
    return validate_doc(load_yaml(path), CaseFile)


def check_case(case: LegalCase, catalog: Catalog) -> list[str]:
    """Return the failures of one case (empty when it passes)."""
    fails: list[str] = []
    regime = catalog.resolve(case.regime)
    exp = case.expect
    if exp.offences is not None:
        if case.act is None or case.party is None:
            return ["an offences expectation needs act and party"]
        got = {a.offence.id: a for a in evaluate(regime, case.act, case.party, case.circumstances)}
        want: dict[str, dict[str, Any]] = {}
        for e in exp.offences:
            if isinstance(e, str):
                want[e] = {}
            else:
                want[e.id] = {k: v for k, v in (e.model_extra or {}).items()}
        if set(got) != set(want):
            fails.append(f"offences: expected {sorted(want)}, got {sorted(got)}")
        for oid, fields in want.items():
            if oid not in got:
                continue
            pen = got[oid].penalty.model_dump(by_alias=True)
            for k, v in fields.items():
                if k == "citation":
                    if v not in got[oid].citation:
                        fails.append(f"{oid}.citation: expected to contain {v!r}, got {got[oid].citation!r}")
                    continue
                if k not in PENALTY_FIELDS:
                    fails.append(
                        f"{oid}: unknown expected field {k!r}; expected one of {', '.join(PENALTY_FIELDS)}"
                    )
                    continue
                if pen.get(k) != v:
                    fails.append(f"{oid}.{k}: expected {v!r}, got {pen.get(k)!r}")
    if exp.regime_type is not None or exp.pillars is not None:
        sc = score(regime, catalog.versions(regime.jurisdiction_id))
        if exp.regime_type is not None and sc.regime_type.value != exp.regime_type:
            fails.append(f"regime_type: expected {exp.regime_type}, got {sc.regime_type.value}")
        for pillar, level in (exp.pillars or {}).items():
            got_level = getattr(sc, pillar).level.value
            if got_level != level:
                fails.append(
                    f"pillar {pillar}: expected {level}, got {got_level} ({getattr(sc, pillar).reasons})"
                )
    return fails


def cases_dir() -> Path:
    from equality_model.law.catalog import data_dir

    return data_dir() / "legal_cases"


def main(argv: list[str] | None = None) -> int:
    paths = [Path(p) for p in (argv if argv is not None else sys.argv[1:])] or sorted(
        cases_dir().glob("*.yaml")
    )
    cat = default_catalog()
    n_fail = n = 0
    for p in paths:
        try:
            cf = load_cases(p)
        except InputError as e:
            print(f"error: {e}")
            return 2
        for c in cf.cases:
            n += 1
            try:
                fails = check_case(c, cat)
            except InputError as e:
                fails = [str(e)]
            if fails:
                n_fail += 1
                print(f"FAIL {p.name}: {c.name}")
                for f in fails:
                    print(f"    {f}")
    print(f"{n - n_fail} passed, {n_fail} failed")
    return 1 if n_fail else 0


if __name__ == "__main__":
    raise SystemExit(main())
