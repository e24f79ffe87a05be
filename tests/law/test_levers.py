"""Law → policy levers: what the engine reads, derived only through the evaluator."""

from __future__ import annotations

from equality_model.law.catalog import Catalog
from equality_model.law.levers import SEGMENTS, levers
from equality_model.law.schema import Regulation
from law_builders import EXPUNGEMENT, exit_service, offence, regime


def test_segments_map_to_circumstances() -> None:
    r = regime(
        [
            offence("solicit", "solicit_public", "seller", months=1, requires=["public_place"]),
            offence("advertise", "advertise", "seller", months=2),
            offence("buy", "buy", "buyer", months=6),
        ]
    )
    lv = levers(r)
    assert {s: lv.seller[s].liable for s in SEGMENTS} == {"street": True, "indoor": False, "online": True}
    assert lv.seller["street"].offence_ids == ("solicit",)
    assert all(lv.buyer[s].custody_max_months == 6 for s in SEGMENTS)


def test_most_severe_offence_sets_the_lever() -> None:
    r = regime(
        [
            offence("procure", "procure", "third_party", months=24),
            offence("keep", "keep_premises", "third_party", months=60),
        ]
    )
    tp = levers(r).third_party
    assert tp.liable and tp.custody_max_months == 60 and set(tp.offence_ids) == {"procure", "keep"}


def test_buying_from_a_trafficking_victim() -> None:
    r = regime([offence("buy-tv", "buy", "buyer", months=60, requires=["trafficked"])])
    lv = levers(r)
    assert not lv.buyer["indoor"].liable
    assert lv.buyer_of_trafficked.liable and lv.buyer_of_trafficked.custody_max_months == 60


def test_relief_services_and_licensing() -> None:
    r = regime(
        record_relief=EXPUNGEMENT,
        exit_services=[exit_service("h", ["housing"], fines_routed=True)],
        regulation=[Regulation(kind="venue_licensing", description="licences", citation="c")],
    )
    lv = levers(r)
    assert lv.record_relief == "expungement" and lv.record_relief_mode == "automatic"
    assert lv.exit_services_in_law and lv.fines_to_survivor_services and lv.licensed_market


def test_lawful_everything_means_no_liability() -> None:
    lv = levers(regime([]))
    assert not any(lv.seller[s].liable or lv.buyer[s].liable for s in SEGMENTS)
    assert not lv.third_party.liable and not lv.trafficking.liable


def test_levers_are_pure(catalog: Catalog) -> None:
    r = catalog.resolve("US-MA")
    assert levers(r) == levers(r)
    assert levers(r).as_dict()["regime_ref"] == r.ref


def test_sweden_penalizes_buyers_not_people_in_prostitution(catalog: Catalog) -> None:
    lv = levers(catalog.resolve("SE@2012-01-01"))
    assert not any(lv.seller[s].liable for s in SEGMENTS)
    assert all(lv.buyer[s].liable for s in SEGMENTS)
    assert lv.buyer["indoor"].custody_max_months == 12


def test_the_massachusetts_bill_removes_seller_liability_only(catalog: Catalog) -> None:
    base, bill = levers(catalog.resolve("US-MA")), levers(catalog.resolve("US-MA+equality-model"))
    assert all(base.seller[s].liable for s in SEGMENTS)
    assert not any(bill.seller[s].liable for s in SEGMENTS)
    assert bill.buyer == base.buyer and bill.third_party == base.third_party
    assert (base.record_relief, bill.record_relief) == ("vacatur", "expungement")


def test_licensed_markets(catalog: Catalog) -> None:
    assert levers(catalog.resolve("NL@2001-01-01")).licensed_market
    assert not levers(catalog.resolve("SE")).licensed_market
