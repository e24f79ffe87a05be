"""The evaluator's rules on small regimes built in code: requires, exempt_when, aggravations."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equality_model.errors import InputError
from equality_model.law.evaluate import _severity, evaluate, parse_act, parse_circumstances, parse_party
from equality_model.law.schema import Act, Aggravation, Circumstance, Party
from law_builders import CIRCUMSTANCES, circumstance_sets, offence, penalty, regime, regimes


def ids(applied) -> list[str]:
    return [a.offence.id for a in applied]


BUY = offence("buy", "buy", "buyer", months=6)
BUY_MINOR = offence("buy-minor", "buy", "buyer", months=60, requires=["minor"])
SELL_PUBLIC = offence(
    "sell-public", "sell", "seller", months=1, requires=["public_place"], exempt_when=["trafficked"]
)
AGGR = offence(
    "procure",
    "procure",
    "third_party",
    months=24,
    aggravations=[(["minor"], 60), (["trafficked"], 120), (["minor", "repeat"], 90)],
)
R = regime([BUY, BUY_MINOR, SELL_PUBLIC, AGGR])


def test_lawful_act_gives_empty_list() -> None:
    assert evaluate(R, Act.advertise, Party.third_party) == []
    assert evaluate(R, "sell", "seller") == []  # selling only an offence in public


def test_act_and_party_must_both_match() -> None:
    assert ids(evaluate(R, "buy", "buyer")) == ["buy"]
    assert evaluate(R, "buy", "seller") == []
    assert evaluate(R, "sell", "buyer", ["public_place"]) == []


def test_requires_needs_every_circumstance() -> None:
    assert ids(evaluate(R, "buy", "buyer", ["minor"])) == ["buy", "buy-minor"]  # regime order
    assert ids(evaluate(R, "sell", "seller", ["public_place"])) == ["sell-public"]


def test_exempt_when_any_circumstance_holds() -> None:
    assert evaluate(R, "sell", "seller", ["public_place", "trafficked"]) == []


def test_no_matching_aggravation_keeps_base_penalty() -> None:
    [a] = evaluate(R, "procure", "third_party", ["public_place"])
    assert a.aggravation is None
    assert a.penalty.custody_max_months == 24
    assert a.citation == AGGR.citation


def test_most_severe_matching_aggravation_wins() -> None:
    [a] = evaluate(R, "procure", "third_party", ["minor"])
    assert a.penalty.custody_max_months == 60
    [a] = evaluate(R, "procure", "third_party", ["minor", "repeat"])
    assert a.penalty.custody_max_months == 90  # all of 'when' must hold
    [a] = evaluate(R, "procure", "third_party", ["minor", "repeat", "trafficked"])
    assert a.penalty.custody_max_months == 120
    assert a.citation == "procure aggr 1"  # the aggravation's citation


def test_an_aggravation_never_lowers_a_known_penalty_but_its_minimum_applies() -> None:
    minor = Aggravation(
        when=["minor"], penalty=penalty(custody_min_months=60), citation="Code § traffic (minor)"
    )
    o = offence("traffic", "traffic", "third_party", months=240).model_copy(update={"aggravations": [minor]})
    [a] = evaluate(regime([o]), "traffic", "third_party", ["minor"])
    assert a.penalty.custody_max_months == 240  # the aggravation records no maximum: keep the known one
    assert a.penalty.custody_min_months == 60  # but its mandatory minimum applies
    assert a.citation == "Code § traffic (minor)"


def test_severity_ranks_life_above_any_term_then_minimum_then_fine() -> None:
    assert _severity(penalty(custody_max_life=True)) > _severity(penalty(240))
    assert _severity(penalty(12, custody_min_months=6)) > _severity(penalty(12))
    assert _severity(penalty(12, fine_max=100)) > _severity(penalty(12))


def test_strings_and_enums_are_equivalent() -> None:
    assert evaluate(R, "buy", "buyer", ["minor"]) == evaluate(R, Act.buy, Party.buyer, [Circumstance.minor])


def test_as_dict_has_the_promised_keys() -> None:
    [a] = evaluate(R, "procure", "third_party", ["minor"])
    d = a.as_dict()
    assert {"id", "act", "party", "penalty", "citation"} <= set(d)
    assert {"class", "fine_min", "fine_max", "currency", "custody_max_months"} <= set(d["penalty"])
    assert d["aggravation"] == ["minor"]


@pytest.mark.parametrize(
    ("parse", "bad", "field", "token"),
    [
        (parse_act, "bye", "act", "solicit_public"),
        (parse_party, "pimp", "party", "third_party"),
        (parse_circumstances, ["teen"], "circumstances", "minor"),
    ],
)
def test_unknown_tokens_are_input_errors_listing_the_valid_ones(parse, bad, field, token) -> None:
    with pytest.raises(InputError) as err:
        parse(bad)
    assert err.value.field == field
    assert token in str(err.value)
    assert "\n" not in str(err.value)


def test_evaluate_rejects_unknown_strings() -> None:
    with pytest.raises(InputError, match="unknown act"):
        evaluate(R, "bye", "buyer")


# ------------------------------------------------------------------------------------------ properties


@settings(max_examples=60, deadline=None)
@given(
    r=regimes(),
    act=st.sampled_from(list(Act)),
    party=st.sampled_from(list(Party)),
    circs=st.lists(st.sampled_from(CIRCUMSTANCES), max_size=5),
    data=st.data(),
)
def test_evaluate_is_deterministic_and_order_free(r, act, party, circs, data) -> None:
    shuffled = data.draw(st.permutations(circs))
    first = evaluate(r, act, party, circs)
    assert evaluate(r, act, party, circs) == first
    assert evaluate(r, act, party, shuffled) == first
    assert evaluate(r, act, party, circs + circs) == first  # duplicates change nothing


@settings(max_examples=60, deadline=None)
@given(
    r=regimes(),
    act=st.sampled_from(list(Act)),
    party=st.sampled_from(list(Party)),
    base=circumstance_sets,
    extra=circumstance_sets,
)
def test_more_circumstances_never_remove_an_offence_without_exemptions(r, act, party, base, extra) -> None:
    before = {a.offence.id for a in evaluate(r, act, party, base) if not a.offence.exempt_when}
    after = {a.offence.id for a in evaluate(r, act, party, base | extra)}
    assert before <= after


@settings(max_examples=60, deadline=None)
@given(
    r=regimes(), act=st.sampled_from(list(Act)), party=st.sampled_from(list(Party)), circs=circumstance_sets
)
def test_every_applied_offence_meets_its_conditions(r, act, party, circs) -> None:
    for a in evaluate(r, act, party, circs):
        o = a.offence
        assert (o.act, o.party) == (act, party)
        assert set(o.requires) <= circs
        assert not set(o.exempt_when) & circs
        matching = [g for g in o.aggravations if set(g.when) <= circs]
        if matching:
            assert a.aggravation in matching
            # the most severe matching aggravation, but never below the offence's own penalty
            worst = max(g.penalty.severity_months for g in matching)
            assert a.penalty.severity_months == max(worst, o.penalty.severity_months)
        else:
            assert a.aggravation is None and a.penalty == o.penalty
