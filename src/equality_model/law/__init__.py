"""Law as code: the dated catalogue, the evaluator, the pillar scorecard, diffs and reforms."""

from equality_model.law.catalog import Catalog, Regime, default_catalog
from equality_model.law.diff import Diff, diff
from equality_model.law.evaluate import AppliedOffence, evaluate
from equality_model.law.levers import LegalLevers, levers
from equality_model.law.schema import Act, Circumstance, Jurisdiction, Party, Reform
from equality_model.law.scorecard import RegimeType, Scorecard, score

__all__ = [
    "Act",
    "AppliedOffence",
    "Catalog",
    "Circumstance",
    "Diff",
    "Jurisdiction",
    "LegalLevers",
    "Party",
    "Reform",
    "Regime",
    "RegimeType",
    "Scorecard",
    "default_catalog",
    "diff",
    "evaluate",
    "levers",
    "score",
]
