"""Reforms are checked whole against their baseline before anything is applied."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import GOOD_JURISDICTION, GOOD_REFORM
from equality_model.errors import InputError
from equality_model.law.catalog import Catalog
from equality_model.law.reform import apply_reform
from equality_model.law.schema import Reform
from law_builders import exit_service, offence, regime

BASE = regime(
    [offence("sell", "sell", "seller"), offence("buy", "buy", "buyer", months=6)],
    exit_services=[exit_service("fund", ["fund"])],
)


def make_reform(*changes: dict) -> Reform:
    return Reform.model_validate(
        {
            "id": "bill",
            "applies_to": "XT",
            "title": "Bill",
            "start": "2030-01-01",
            "label": "Bill",
            "sources": [{"id": "b", "title": "Bill text"}],
            "changes": list(changes),
        }
    )


REPEAL_SELL = {"op": "repeal_offence", "offence": "sell", "citation": "Bill s. 1"}
AMEND_BUY = {
    "op": "amend_offence",
    "offence": "buy",
    "set": {"penalty": {"custody_max_months": 12}},
    "citation": "Bill s. 2",
}
ADD_HOUSING = {
    "op": "add_exit_service",
    "exit_service": {
        "id": "housing",
        "description": "Housing",
        "kinds": ["housing"],
        "citation": "Bill s. 3",
    },
}


def test_every_operation_applies() -> None:
    r = apply_reform(
        BASE,
        make_reform(
            REPEAL_SELL,
            AMEND_BUY,
            ADD_HOUSING,
            {"op": "remove_exit_service", "exit_service": "fund", "citation": "Bill s. 4"},
            {
                "op": "add_offence",
                "offence": {
                    "id": "advert",
                    "act": "advertise",
                    "party": "third_party",
                    "description": "Advertising",
                    "penalty": {},
                    "citation": "Bill s. 5",
                },
            },
            {
                "op": "set_record_relief",
                "record_relief": {"kind": "expungement", "mode": "automatic", "citation": "Bill s. 6"},
            },
        ),
    )
    assert [o.id for o in r.offences] == ["buy", "advert"]  # baseline order, then additions
    buy = r.offence("buy")
    assert buy is not None and buy.penalty.custody_max_months == 12
    assert "as amended by Bill s. 2" in buy.citation
    assert [e.id for e in r.exit_services] == ["housing"]
    assert r.record_relief.kind == "expungement"
    assert r.reform_id == "bill" and r.ref == "XT+bill"
    assert str(r.in_force_from) == "2030-01-01"


@pytest.mark.parametrize(
    ("bad", "message", "field"),
    [
        ({"op": "repeal_offence", "offence": "nope", "citation": "x"}, "does not have", "changes.2.offence"),
        (
            {"op": "amend_offence", "offence": "nope", "set": {"description": "d"}, "citation": "x"},
            "does not have",
            "changes.2.offence",
        ),
        (
            {"op": "amend_offence", "offence": "buy", "set": {"act": "sell"}, "citation": "x"},
            "cannot amend field 'act'",
            "changes.2.set.act",
        ),
        (
            {"op": "amend_offence", "offence": "buy", "set": {"penalty": {"fine_max": 5}}, "citation": "x"},
            "needs a currency",
            "changes.2.set",
        ),
        (
            {
                "op": "add_offence",
                "offence": {
                    "id": "buy",
                    "act": "buy",
                    "party": "buyer",
                    "description": "d",
                    "penalty": {},
                    "citation": "x",
                },
            },
            "already has",
            "changes.2.offence.id",
        ),
        (
            {"op": "remove_exit_service", "exit_service": "nope", "citation": "x"},
            "does not have",
            "changes.2.exit_service",
        ),
        (ADD_HOUSING, "already has", "changes.2.exit_service.id"),  # added twice
    ],
)
def test_a_failing_third_change_leaves_nothing_applied(bad: dict, message: str, field: str) -> None:
    first = ADD_HOUSING if bad is not ADD_HOUSING else AMEND_BUY
    before = BASE.model_dump()
    with pytest.raises(InputError) as err:
        apply_reform(
            BASE,
            make_reform(REPEAL_SELL, first, bad)
            if bad is not ADD_HOUSING
            else make_reform(ADD_HOUSING, REPEAL_SELL, bad),
        )
    assert message in str(err.value)
    assert err.value.field == field
    assert BASE.model_dump() == before  # the baseline is untouched


def test_reform_for_another_jurisdiction_is_rejected() -> None:
    other = regime([], jurisdiction_id="XU")
    with pytest.raises(InputError, match="applies to XT, not XU"):
        apply_reform(other, make_reform(REPEAL_SELL))


def test_catalogue_keeps_the_old_regime_when_a_reform_file_fails(user_catalog, tmp_path: Path) -> None:
    root = user_catalog({"XA.yaml": GOOD_JURISDICTION})
    cat = Catalog.load([root], builtin=False)
    old = cat.resolve("XA")
    bad = tmp_path / "bad.yaml"
    text = GOOD_REFORM + "  - op: repeal_offence\n    offence: xa-sell\n    citation: Bill s. 3\n"
    bad.write_text(text)
    with pytest.raises(InputError) as err:
        cat.add_reform_file(bad)
    assert err.value.field == "changes.2.offence"
    assert err.value.line == text.splitlines().index("    offence: xa-sell") + 1
    assert "xa-bill" not in cat.reforms
    assert cat.resolve("XA") == old
    with pytest.raises(InputError, match="unknown reform"):
        cat.resolve("XA+xa-bill")


def test_reform_resolves_on_its_start_date_or_a_given_date(user_catalog) -> None:
    root = user_catalog({"jurisdictions/XA.yaml": GOOD_JURISDICTION, "reforms/xa-bill.yaml": GOOD_REFORM})
    cat = Catalog.load([root], builtin=False)
    r = cat.resolve("XA+xa-bill")
    assert r.version_id == "XA-2010+xa-bill"
    buy = r.offence("xa-buy")
    assert buy is not None and buy.penalty.fine_max == 5000
    assert [e.id for e in r.exit_services] == ["xa-exit"]
    assert cat.resolve("XA@2005-01-01+xa-bill").version_id == "XA-2000+xa-bill"


def test_massachusetts_bill(catalog: Catalog) -> None:
    base, bill = catalog.resolve("US-MA"), catalog.resolve("US-MA+equality-model")
    assert not [o for o in bill.offences if o.party.value == "seller"]
    assert [o for o in base.offences if o.party.value == "seller"]
    assert {o.id for o in bill.offences if o.party.value != "seller"} == {
        o.id for o in base.offences if o.party.value != "seller"
    }
    assert bill.record_relief.kind == "expungement"
