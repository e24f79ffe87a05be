"""The catalogue: built-in data, user folders (--catalog), and regime references."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from conftest import EXPECTED_JURISDICTIONS, GOOD_JURISDICTION, GOOD_REFORM
from equality_model.errors import InputError
from equality_model.law.catalog import Catalog, default_catalog


@pytest.mark.parametrize("jid", EXPECTED_JURISDICTIONS)
def test_every_expected_jurisdiction_loads(catalog: Catalog, jid: str) -> None:
    assert jid in catalog.jurisdictions, f"missing jurisdiction file data/jurisdictions/{jid}.yaml"
    assert catalog.files[jid].stem == jid, "a jurisdiction file is named after its id"


def test_no_jurisdiction_is_missing(catalog: Catalog) -> None:
    missing = sorted(set(EXPECTED_JURISDICTIONS) - set(catalog.jurisdictions))
    assert not missing, f"missing jurisdictions: {', '.join(missing)}"


def test_the_equality_model_reform_loads(catalog: Catalog) -> None:
    assert "equality-model" in catalog.reforms
    assert catalog.reforms["equality-model"].applies_to == "US-MA"
    assert catalog.resolve("US-MA+equality-model").reform_id == "equality-model"


def test_every_version_ref_resolves_back_to_itself(catalog: Catalog) -> None:
    for jid in catalog.jurisdictions:
        for r in catalog.versions(jid):
            assert catalog.resolve(r.ref).version_id == r.version_id, r.ref


def test_versions_cover_time_without_gaps(catalog: Catalog) -> None:
    for jid in catalog.jurisdictions:
        vs = catalog.versions(jid)
        for prev, nxt in itertools.pairwise(vs):
            if prev.in_force_until is not None and nxt.in_force_from is not None:
                assert prev.in_force_until < nxt.in_force_from, (jid, prev.version_id)


@pytest.fixture
def xa(user_catalog) -> Catalog:
    root = user_catalog({"jurisdictions/XA.yaml": GOOD_JURISDICTION, "reforms/xa-bill.yaml": GOOD_REFORM})
    return Catalog.load([root], builtin=False)


@pytest.mark.parametrize(
    ("ref", "version"),
    [
        ("XA@2000-01-01", "XA-2000"),
        ("XA@2009-12-31", "XA-2000"),
        ("XA@2010-01-01", "XA-2010"),
        ("xa@2010-01-01", "XA-2010"),
        (" XA@2010-01-01 ", "XA-2010"),
        ("XA", "XA-2010"),
        ("XA+xa-bill", "XA-2010+xa-bill"),
        ("XA@2001-01-01+xa-bill", "XA-2000+xa-bill"),
    ],
)
def test_reference_syntax(xa: Catalog, ref: str, version: str) -> None:
    assert xa.resolve(ref).version_id == version


def test_in_force_until_is_the_day_before_the_next_version(xa: Catalog) -> None:
    first, second = xa.versions("XA")
    assert first.in_force_until == dt.date(2009, 12, 31)
    assert second.in_force_until is None


@pytest.mark.parametrize(
    ("ref", "field", "needle"),
    [
        ("XA@2017-13-45", "regime date", "YYYY-MM-DD"),
        ("XA@yesterday", "regime date", "YYYY-MM-DD"),
        ("X A", "regime", "expected ID, ID@YYYY-MM-DD or ID+REFORM"),
        ("XA@", "regime", "expected ID"),
        ("ZZ", "jurisdiction", "expected one of XA"),
        ("XA+nope", "reform", "expected one of xa-bill"),
        ("XA@1990-01-01", "date", "the catalogue starts on 2000-01-01"),
    ],
)
def test_bad_references_are_one_line_input_errors(xa: Catalog, ref: str, field: str, needle: str) -> None:
    with pytest.raises(InputError) as err:
        xa.resolve(ref)
    assert err.value.field == field
    assert needle in str(err.value)
    assert "\n" not in str(err.value)


def test_reform_of_another_jurisdiction_says_which(catalog: Catalog) -> None:
    with pytest.raises(InputError, match="use US-MA\\+equality-model"):
        catalog.resolve("SE+equality-model")


def test_user_folder_files_at_top_level(user_catalog) -> None:
    cat = Catalog.load([user_catalog({"XA.yaml": GOOD_JURISDICTION})], builtin=False)
    assert list(cat.jurisdictions) == ["XA"]


def test_user_file_replaces_a_builtin_id(user_catalog) -> None:
    root = user_catalog({"SE.yaml": GOOD_JURISDICTION.replace("id: XA", "id: SE").replace("XA-", "SE-")})
    cat = Catalog.load([root])
    assert cat.resolve("SE").jurisdiction_name == "Testland"
    assert cat.files["SE"].parent == root
    assert "US-MA" in cat.jurisdictions  # the rest of the built-in data is still there


def test_missing_user_folder(tmp_path) -> None:
    with pytest.raises(InputError, match="catalog folder not found"):
        Catalog.load([tmp_path / "nope"])


def test_default_catalog_is_cached_per_folder_set(user_catalog) -> None:
    assert default_catalog() is default_catalog()
    root = user_catalog({"XA.yaml": GOOD_JURISDICTION})
    cat = default_catalog([root])
    assert cat is default_catalog([str(root)])
    assert "XA" in cat.jurisdictions and "XA" not in default_catalog().jurisdictions
