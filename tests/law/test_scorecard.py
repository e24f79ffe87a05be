"""The scorecard's rules (stated in docs/law.md) on regimes built in code, plus the contract examples."""

from __future__ import annotations

import datetime as dt

import pytest

from equality_model.law.catalog import Catalog
from equality_model.law.schema import RecordRelief, Regulation
from equality_model.law.scorecard import Level, RegimeType, score
from law_builders import EXPUNGEMENT, NO_RELIEF, exit_service, offence, regime

BUY = offence("buy", "buy", "buyer")
SELL = offence("sell", "sell", "seller")
KEEP = offence("keep", "keep_premises", "third_party")
NOT_APPLICABLE = RecordRelief(kind="none", not_applicable=True)


# ---------------------------------------------------------------------------------- pillar 1


def test_general_selling_offence_means_none() -> None:
    sc = score(regime([SELL, BUY], record_relief=EXPUNGEMENT))
    assert sc.decriminalize.level == Level.none
    assert any("selling is an offence" in r for r in sc.decriminalize.reasons)


@pytest.mark.parametrize(
    "seller_offence",
    [
        offence("solicit", "solicit_public", "seller", requires=["public_place"]),
        offence("advertise", "advertise", "seller"),
        offence("sell-near-school", "sell", "seller", requires=["near_school"]),
    ],
)
def test_any_other_seller_offence_means_partial(seller_offence) -> None:
    sc = score(regime([seller_offence, BUY], record_relief=EXPUNGEMENT))
    assert sc.decriminalize.level == Level.partial
    assert any(seller_offence.citation in r for r in sc.decriminalize.reasons)


@pytest.mark.parametrize("relief", [EXPUNGEMENT, NOT_APPLICABLE])
def test_no_seller_offence_and_record_relief_or_nothing_to_relieve_means_full(relief) -> None:
    assert score(regime([BUY], record_relief=relief)).decriminalize.level == Level.full


def test_without_relief_history_decides() -> None:
    before = regime([SELL, BUY], version_id="XT-1", in_force_from=dt.date(2000, 1, 1))
    after = regime([BUY], version_id="XT-2", in_force_from=dt.date(2010, 1, 1))
    assert score(after, [before, after]).decriminalize.level == Level.partial  # past convictions remain
    assert score(after).decriminalize.level == Level.partial  # no history: cannot rule it out
    clean = regime([BUY], version_id="XT-1", in_force_from=dt.date(2000, 1, 1))
    assert score(after, [clean, after]).decriminalize.level == Level.full
    # A later version's selling offence is not "before".
    later = regime([SELL], version_id="XT-3", in_force_from=dt.date(2020, 1, 1))
    assert score(after, [clean, after, later]).decriminalize.level == Level.full


def test_first_undated_version_has_no_earlier_versions() -> None:
    first = regime([BUY], version_id="XT-0", in_force_from=None)
    later = regime([SELL, BUY], version_id="XT-1", in_force_from=dt.date(2010, 1, 1))
    assert score(first, [first, later]).decriminalize.level == Level.full


# ---------------------------------------------------------------------------------- pillar 2


def test_general_buying_offence_means_full_demand_with_severity() -> None:
    sc = score(regime([offence("buy", "buy", "buyer", months=12), KEEP]))
    assert sc.demand.level == Level.full
    assert sc.demand.details["severity"]["custody_max_months"] == 12
    assert any(r.startswith("exploiters:") for r in sc.demand.reasons)


def test_general_public_solicitation_by_buyers_counts_as_demand() -> None:
    assert score(regime([offence("kerb", "solicit_public", "buyer")])).demand.level == Level.full


@pytest.mark.parametrize(
    "buyer_offence",
    [
        offence("buy-trafficked", "buy", "buyer", requires=["trafficked"]),
        offence("buy-unlicensed", "buy", "buyer", exempt_when=["licensed_venue"]),
    ],
)
def test_conditional_buying_offence_means_partial(buyer_offence) -> None:
    assert score(regime([buyer_offence])).demand.level == Level.partial


def test_child_protection_only_means_none() -> None:
    sc = score(regime([offence("buy-minor", "buy", "buyer", requires=["minor"])]))
    assert sc.demand.level == Level.none


# ---------------------------------------------------------------------------------- pillar 3


def test_statutory_direct_service_for_all_means_full_exit() -> None:
    assert score(regime(exit_services=[exit_service("h", ["housing", "fund"])])).exit.level == Level.full


@pytest.mark.parametrize(
    "service",
    [
        exit_service("fund", ["fund"]),  # not a direct service
        exit_service("tv", ["housing"], scope="trafficking_victims"),  # not for all
    ],
)
def test_limited_statutory_provision_means_partial(service) -> None:
    assert score(regime(exit_services=[service])).exit.level == Level.partial


def test_non_statutory_programme_is_context_only() -> None:
    sc = score(regime(exit_services=[exit_service("prog", ["housing"], statutory=False)]))
    assert sc.exit.level == Level.none
    assert any("context only" in r for r in sc.exit.reasons)


# ---------------------------------------------------------------------------------- regime type


@pytest.mark.parametrize(
    ("offences", "regulation", "expected"),
    [
        ([BUY, KEEP], [], RegimeType.equality_model),
        ([BUY, SELL], [], RegimeType.prohibition),
        ([SELL], [], RegimeType.other),
        ([KEEP], [], RegimeType.other),
        ([offence("buy-minor", "buy", "buyer", requires=["minor"])], [], RegimeType.decriminalization),
        ([BUY, KEEP], ["venue_licensing"], RegimeType.legalization_regulation),
        ([], ["operator_certificate"], RegimeType.decriminalization),  # not a legalising kind
    ],
)
def test_regime_type_rules(offences, regulation, expected) -> None:
    reg = [Regulation(kind=k, description=k, citation=f"Code {k}") for k in regulation]
    assert score(regime(offences, regulation=reg, record_relief=NO_RELIEF)).regime_type == expected


def test_as_dict_shape() -> None:
    d = score(regime([BUY])).as_dict()
    assert {"regime_type", "pillars"} <= set(d)
    for p in ("decriminalize", "demand", "exit"):
        assert d["pillars"][p]["level"] in {"full", "partial", "none"}
        assert isinstance(d["pillars"][p]["reasons"], list)


# ---------------------------------------------------------------------------------- the data


def _score(catalog: Catalog, ref: str):
    r = catalog.resolve(ref)
    return score(r, catalog.versions(r.jurisdiction_id))


def test_canada_after_2014_is_partial_because_of_s213(catalog: Catalog) -> None:
    sc = _score(catalog, "CA@2015-01-01")
    assert sc.decriminalize.level == Level.partial
    assert any("213" in r for r in sc.decriminalize.reasons)


def test_massachusetts_bill_is_equality_model(catalog: Catalog) -> None:
    assert _score(catalog, "US-MA").regime_type == RegimeType.prohibition
    sc = _score(catalog, "US-MA+equality-model")
    assert sc.regime_type == RegimeType.equality_model
    assert sc.decriminalize.level == Level.full


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("SE@2000-01-01", RegimeType.equality_model),
        ("NZ@2004-01-01", RegimeType.decriminalization),
        ("NL@2001-01-01", RegimeType.legalization_regulation),
    ],
)
def test_known_regime_types(catalog: Catalog, ref: str, expected: RegimeType) -> None:
    assert _score(catalog, ref).regime_type == expected
