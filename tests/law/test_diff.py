"""Diff semantics: offences matched by (act, party, requires), then by id; record relief; exit services."""

from __future__ import annotations

from hypothesis import given, settings

from equality_model.law.catalog import Catalog
from equality_model.law.diff import diff
from law_builders import EXPUNGEMENT, NO_RELIEF, exit_service, offence, regime, regimes

BUY = offence("buy", "buy", "buyer", months=6)
SELL = offence("sell", "sell", "seller", months=1)
KEEP = offence("keep", "keep_premises", "third_party", months=24)


def kinds(d) -> list[tuple[str, str | None]]:
    return [(c.kind, c.party) for c in d.changes]


def test_identical_regimes_have_no_changes() -> None:
    r = regime([BUY, SELL, KEEP], exit_services=[exit_service("h")], record_relief=EXPUNGEMENT)
    assert diff(r, r).changes == []


def test_repeal_and_new_offence() -> None:
    d = diff(regime([SELL, KEEP]), regime([BUY, KEEP]))
    assert sorted(kinds(d)) == [("offence_added", "buyer"), ("offence_removed", "seller")]
    removed = next(c for c in d.changes if c.kind == "offence_removed")
    assert removed.who == "people in prostitution"
    assert removed.before is not None and removed.before["id"] == "sell" and removed.after is None
    assert removed.citation == SELL.citation
    added = next(c for c in d.changes if c.kind == "offence_added")
    assert added.who == "buyers" and added.after["penalty_text"] == "custody up to 6 months"


def test_penalty_change_is_reported_with_both_penalties() -> None:
    d = diff(regime([BUY]), regime([offence("buy", "buy", "buyer", months=12)]))
    [c] = d.changes
    assert c.kind == "penalty_changed"
    assert "6 months → custody up to 12 months" in c.summary
    assert c.before["penalty_text"] == "custody up to 6 months"
    assert c.after["penalty_text"] == "custody up to 12 months"


def test_citation_change_alone_is_reported() -> None:
    d = diff(regime([BUY]), regime([offence("buy", "buy", "buyer", months=6, citation="Code § buy (2011)")]))
    assert [(c.kind, c.citation) for c in d.changes] == [("offence_changed", "Code § buy (2011)")]
    assert "citation" in d.changes[0].summary


def test_offences_match_by_act_party_and_requires_not_id() -> None:
    renamed = offence(
        "purchase", "buy", "buyer", months=6, citation=BUY.citation, description=BUY.description
    )
    assert diff(regime([BUY]), regime([renamed])).changes == []  # same key, same penalty
    minor_only = offence("buy", "buy", "buyer", months=6, requires=["minor"])
    assert sorted(kinds(diff(regime([BUY]), regime([minor_only])))) == [
        ("offence_added", "buyer"),
        ("offence_removed", "buyer"),
    ]


def test_aggravation_or_exemption_change_is_offence_changed() -> None:
    aggravated = offence("buy", "buy", "buyer", months=6, aggravations=[(["minor"], 48)])
    assert kinds(diff(regime([BUY]), regime([aggravated]))) == [("offence_changed", "buyer")]
    exempt = offence("buy", "buy", "buyer", months=6, exempt_when=["licensed_venue"])
    assert kinds(diff(regime([BUY]), regime([exempt]))) == [("offence_changed", "buyer")]


def test_record_relief_change() -> None:
    [c] = diff(regime([BUY], record_relief=NO_RELIEF), regime([BUY], record_relief=EXPUNGEMENT)).changes
    assert c.kind == "record_relief" and c.who == "people in prostitution"
    assert "none (none) → expungement (automatic)" in c.summary
    assert c.citation == EXPUNGEMENT.citation


def test_exit_services_added_removed_changed_for_survivors() -> None:
    a = regime(exit_services=[exit_service("old"), exit_service("same"), exit_service("grow", ["fund"])])
    b = regime(
        exit_services=[exit_service("same"), exit_service("grow", ["fund", "housing"]), exit_service("new")]
    )
    d = diff(a, b)
    assert sorted(c.kind for c in d.changes) == [
        "exit_service_added",
        "exit_service_changed",
        "exit_service_removed",
    ]
    assert {c.who for c in d.changes} == {"survivors"}


def test_changes_are_ordered_by_party() -> None:
    d = diff(regime([]), regime([KEEP, BUY, SELL]))
    assert [c.party for c in d.changes] == ["seller", "buyer", "third_party"]


def test_as_dict_shape() -> None:
    d = diff(regime([SELL]), regime([BUY])).as_dict()
    assert {"a", "b", "a_label", "b_label", "changes"} <= set(d)
    assert {"kind", "act", "party", "who", "summary", "before", "after", "citation"} <= set(d["changes"][0])


@settings(max_examples=80, deadline=None)
@given(r=regimes())
def test_diff_with_itself_is_empty(r) -> None:
    assert diff(r, r).changes == []


@settings(max_examples=80, deadline=None)
@given(a=regimes("a"), b=regimes("b"))
def test_diff_mirrors(a, b) -> None:
    """What a→b adds, b→a removes; modifications appear both ways."""
    fwd, back = diff(a, b), diff(b, a)

    def ids(d, kind: str, side: str) -> list[str]:
        return sorted(str(getattr(c, side)["id"]) for c in d.changes if c.kind == kind)

    assert ids(fwd, "offence_added", "after") == ids(back, "offence_removed", "before")
    assert ids(fwd, "offence_removed", "before") == ids(back, "offence_added", "after")
    assert ids(fwd, "exit_service_added", "after") == ids(back, "exit_service_removed", "before")
    assert ids(fwd, "exit_service_removed", "before") == ids(back, "exit_service_added", "after")

    def count(d, kind: str) -> int:
        return sum(c.kind == kind for c in d.changes)

    assert count(fwd, "regulation_added") == count(back, "regulation_removed")
    for kind in ("penalty_changed", "offence_changed", "record_relief", "exit_service_changed"):
        assert count(fwd, kind) == count(back, kind)


def test_massachusetts_bill_diff(catalog: Catalog) -> None:
    d = diff(catalog.resolve("US-MA"), catalog.resolve("US-MA+equality-model"))
    removed = {c.before["id"] for c in d.changes if c.kind == "offence_removed"}
    assert removed and all(c.party == "seller" for c in d.changes if c.kind == "offence_removed")
    assert not [c for c in d.changes if c.party == "buyer"]  # buyer offences kept unchanged
    assert any(c.kind == "record_relief" for c in d.changes)
    assert any(c.kind == "exit_service_added" for c in d.changes)


def test_removed_exit_services_keep_baseline_order() -> None:
    a = regime(exit_services=[exit_service(f"s{i}") for i in range(12)])
    assert [c.before["id"] for c in diff(a, regime()).changes] == [f"s{i}" for i in range(12)]
