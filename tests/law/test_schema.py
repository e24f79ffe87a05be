"""The schema's rules: unknown fields, coherent penalties and relief, ordered and cited versions."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from conftest import GOOD_JURISDICTION
from equality_model.errors import InputError
from equality_model.law.catalog import Catalog
from equality_model.law.schema import Jurisdiction, Offence, Penalty, RecordRelief
from equality_model.yamlio import parse_yaml, validate_doc


def good() -> dict[str, Any]:
    return yaml.safe_load(GOOD_JURISDICTION)


def test_the_good_fixture_is_valid() -> None:
    j = Jurisdiction.model_validate(good())
    assert [v.id for v in j.versions] == ["XA-2000", "XA-2010"]


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"fine_min": 10, "fine_max": 5, "currency": "EUR"}, "exceeds fine_max"),
        ({"fine_max": 5}, "needs a currency"),
        ({"custody_min_months": 24, "custody_max_months": 12}, "custody_min_months exceeds"),
        ({"fine_only": True, "custody_max_months": 6}, "fine_only contradicts"),
        ({"verified": False}, "verification_note"),
        ({"currency": "euro"}, "pattern"),
        ({"fine_max": -1, "currency": "EUR"}, "greater than or equal"),
    ],
)
def test_penalty_rules(kwargs: dict[str, Any], needle: str) -> None:
    with pytest.raises(ValidationError, match=needle):
        Penalty.model_validate(kwargs)


def test_penalty_class_alias() -> None:
    p = Penalty.model_validate({"class": "contravention"})
    assert p.class_ == "contravention"
    assert p.model_dump(by_alias=True)["class"] == "contravention"


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"kind": "none", "mode": "automatic"}, "must have mode 'none'"),
        ({"kind": "vacatur", "citation": "c"}, "needs a mode"),
        ({"kind": "sealing", "mode": "on_motion"}, "needs a citation"),
    ],
)
def test_record_relief_rules(kwargs: dict[str, Any], needle: str) -> None:
    with pytest.raises(ValidationError, match=needle):
        RecordRelief.model_validate(kwargs)


def test_unknown_fields_are_errors() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Offence.model_validate(
            {
                "id": "x",
                "act": "buy",
                "party": "buyer",
                "description": "d",
                "penalty": {},
                "citation": "c",
                "penality": {},
            }
        )


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda d: d["versions"].reverse(), "in order of in_force_from"),
        (lambda d: d["versions"][1].pop("in_force_from"), "only the first version may omit"),
        (lambda d: d["versions"][1].update(id="XA-2000"), "duplicate version id"),
        (lambda d: d["versions"][0]["offences"][0].update(sources=["nope"]), "unknown source 'nope'"),
        (
            lambda d: d["versions"][0]["offences"].append(d["versions"][0]["offences"][0]),
            "duplicate offence id",
        ),
        (lambda d: d["versions"][0].update(in_force_until="1999-01-01"), "in_force_until is before"),
        (lambda d: d["sources"].append(d["sources"][0]), "duplicate source id"),
        (lambda d: d.update(id="Xa"), "pattern"),
    ],
)
def test_jurisdiction_rules(mutate, needle: str) -> None:
    data = good()
    mutate(data)
    with pytest.raises(ValidationError, match=needle):
        Jurisdiction.model_validate(data)


def test_yaml_errors_name_file_line_and_field() -> None:
    text = GOOD_JURISDICTION.replace("party: buyer", "party: buyr")
    with pytest.raises(InputError) as err:
        validate_doc(parse_yaml(text, "XA.yaml"), Jurisdiction)
    e = err.value
    assert e.file == "XA.yaml"
    assert e.field == "versions.0.offences.1.party"
    assert e.line == text.splitlines().index("        party: buyr") + 1
    assert "'seller', 'buyer' or 'third_party'" in str(e)


def test_dates_stay_strings_until_pydantic_checks_them() -> None:
    doc = parse_yaml("d: 2017-13-45\n")
    assert doc.data == {"d": "2017-13-45"}


def test_every_unverified_fact_in_the_data_says_why(catalog: Catalog) -> None:
    """The verified:false convention: never silent (the schema enforces it; this guards the data files)."""

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            if node.get("verified") is False:
                assert node.get("verification_note"), path
            for k, v in node.items():
                walk(v, f"{path}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{path}.{i}")

    for jid, j in catalog.jurisdictions.items():
        walk(j.model_dump(), jid)
    for rid, r in catalog.reforms.items():
        walk(r.model_dump(), rid)
