"""Plain-language sentences: generated from the numbers, with a direction only when the interval allows."""

from __future__ import annotations

import pandas as pd

from equality_model.model.scenario import Scenario
from equality_model.report import narrative

LABELS = {"baseline": "Current law", "reform": "The bill"}


def _row(outcome: str, b: float, r: float, lo: float, hi: float) -> pd.Series:
    return pd.Series(
        {
            "outcome": outcome,
            "year": 10,
            "baseline_mean": b,
            "baseline_lo": b * 0.9,
            "baseline_hi": b * 1.1,
            "reform_mean": r,
            "reform_lo": r * 0.9,
            "reform_hi": r * 1.1,
            "difference_mean": r - b,
            "difference_lo": lo,
            "difference_hi": hi,
        }
    )


def test_direction_needs_an_interval_that_excludes_zero() -> None:
    assert narrative.direction(_row("people_in_prostitution", 100, 90, -15, -5)) == "falls"
    assert narrative.direction(_row("people_in_prostitution", 100, 110, 5, 15)) == "rises"
    assert narrative.direction(_row("people_in_prostitution", 100, 98, -6, 3)) == "unclear"
    assert narrative.direction(_row("people_in_prostitution", 100, 100, 0, 0)) == "same"
    assert narrative.direction(_row("people_in_prostitution", 100, 0, -110, -90)) == "to_zero"


def test_unclear_sentence_says_the_model_cannot_tell(tiny_scenario: Scenario) -> None:
    s = narrative.outcome_sentence(_row("active_buyers", 1000, 990, -30, 12), {}, tiny_scenario, LABELS)
    text = s["lead"] + s["rest"]
    assert "cannot tell the direction" in text and "includes zero" in text
    assert "990" in text and "1,000" in text and "−30 to +12" in text


def test_fall_sentence_carries_size_share_and_interval(tiny_scenario: Scenario) -> None:
    s = narrative.outcome_sentence(
        _row("people_in_prostitution", 4000, 3600, -500, -300), {}, tiny_scenario, LABELS
    )
    text = s["lead"] + s["rest"]
    assert text.startswith("People in prostitution")
    assert "a fall of 400" in text and "−10%" in text and "−500 to −300" in text


def test_reason_only_when_the_law_supports_it(tiny_scenario: Scenario) -> None:
    row = _row("arrests_of_people_in_prostitution_per_year", 900, 0, -950, -850)
    row["reform_lo"] = row["reform_hi"] = 0.0
    law = {
        "available": True,
        "facts": {
            "seller_offences_removed": [{"act": "sell", "words": "selling sex", "citation": "X § 1"}],
            "selling_legal_after": True,
        },
    }
    with_law = narrative.outcome_sentence(row, law, tiny_scenario, LABELS)
    assert (
        "fall to zero" in with_law["rest"] and "because selling is no longer an offence" in with_law["rest"]
    )
    assert "X § 1" in with_law["rest"]
    without = narrative.outcome_sentence(row, {"available": False}, tiny_scenario, LABELS)
    assert "because" not in without["rest"]


def test_violence_sentence_reports_disagreement() -> None:
    rows = [
        ("exploitation", _row("v", 100, 90, -15, -5)),
        ("displacement", _row("v", 100, 120, 10, 30)),
    ]
    text = narrative.violence_sentence(rows)
    assert "exploitation hypothesis it falls" in text and "displacement hypothesis it rises" in text
    assert "disagree" in text


def test_money_and_large_numbers() -> None:
    assert narrative.num(2_570_000, money=True) == "$2.57M"
    assert narrative.num(-41_200, money=True) == "−$41.2k"
    assert narrative.num(1_647_892) == "1,647,892"
    assert narrative.num(1_647_892, compact=True) == "1.648M"
    assert narrative.signed(12.0) == "+12"
