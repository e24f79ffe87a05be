"""Every legal case in data/legal_cases/*.yaml, one pytest item each, plus coverage per jurisdiction."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from conftest import EXPECTED_JURISDICTIONS
from equality_model.errors import InputError
from equality_model.law.cases import LegalCase, cases_dir, check_case, load_cases
from equality_model.law.catalog import Catalog

CASE_FILES = sorted(cases_dir().glob("*.yaml"))


def _collect() -> list:
    """One param per case; a file that does not load is one failing param, not a collection error."""
    params = []
    for path in CASE_FILES:
        try:
            cases = load_cases(path).cases
        except InputError as exc:
            params.append(pytest.param(path, None, str(exc), id=f"{path.stem}: (file does not load)"))
            continue
        for case in cases:
            params.append(pytest.param(path, case, None, id=f"{path.stem}: {case.name}"))
    return params


@pytest.mark.parametrize(("path", "case", "load_error"), _collect())
def test_legal_case(catalog: Catalog, path: Path, case: LegalCase | None, load_error: str | None) -> None:
    assert load_error is None, load_error
    assert case is not None
    fails = check_case(case, catalog)
    assert not fails, f"{path.name}: {case.name}\n" + "\n".join(fails)


def _cases_by_jurisdiction(catalog: Catalog) -> dict[str, list[tuple[LegalCase, str]]]:
    out: dict[str, list[tuple[LegalCase, str]]] = defaultdict(list)
    for path in CASE_FILES:
        for case in load_cases(path).cases:
            r = catalog.resolve(case.regime)
            out[r.jurisdiction_id].append((case, r.version_id))
    return out


def test_case_files_are_named_after_their_jurisdiction() -> None:
    for path in CASE_FILES:
        assert load_cases(path).jurisdiction == path.stem, path.name


@pytest.mark.parametrize("jid", EXPECTED_JURISDICTIONS)
def test_every_jurisdiction_has_cases_before_and_after_its_reform(catalog: Catalog, jid: str) -> None:
    assert jid in catalog.jurisdictions, f"missing jurisdiction {jid}"
    cases = _cases_by_jurisdiction(catalog).get(jid, [])
    assert len(cases) >= 5, f"{jid} has {len(cases)} legal cases; expected at least 5"
    versions = {v for _, v in cases}
    recorded = catalog.jurisdictions[jid].versions
    if len(recorded) == 1:
        # Only allowed where the research gives no dated change: the data must say so.
        assert not recorded[0].verified and recorded[0].verification_note, (
            f"{jid} has a single version; mark it verified: false with a note on the missing history"
        )
        return
    assert len(versions) >= 2, (
        f"{jid} cases exercise only {sorted(versions)}; expected a date before and after"
    )
