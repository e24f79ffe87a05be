"""Small regimes built in code, so evaluator, scorecard and diff rules are tested without the data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from hypothesis import strategies as st

from equality_model.law.catalog import Regime
from equality_model.law.schema import (
    Act,
    Aggravation,
    Circumstance,
    ExitService,
    Offence,
    Party,
    Penalty,
    RecordRelief,
    Regulation,
)


def penalty(months: float | None = None, fine_max: float | None = None, **kw: Any) -> Penalty:
    if fine_max is not None:
        kw.setdefault("currency", "EUR")
    return Penalty(custody_max_months=months, fine_max=fine_max, **kw)


def offence(
    oid: str,
    act: str,
    party: str,
    *,
    months: float | None = 6,
    requires: Iterable[str] = (),
    exempt_when: Iterable[str] = (),
    aggravations: Iterable[tuple[Iterable[str], float]] = (),
    description: str | None = None,
    citation: str | None = None,
) -> Offence:
    return Offence(
        id=oid,
        act=act,
        party=party,
        description=description or f"{act} by {party}",
        requires=[Circumstance(c) for c in requires],
        exempt_when=[Circumstance(c) for c in exempt_when],
        penalty=penalty(months),
        aggravations=[
            Aggravation(when=[Circumstance(c) for c in when], penalty=penalty(m), citation=f"{oid} aggr {i}")
            for i, (when, m) in enumerate(aggravations)
        ],
        citation=citation or f"Code § {oid}",
    )


def exit_service(
    sid: str, kinds: Iterable[str] = ("housing",), *, scope: str = "all", statutory: bool = True, **kw: Any
) -> ExitService:
    return ExitService(
        id=sid,
        description=f"service {sid}",
        kinds=list(kinds),
        scope=scope,
        statutory=statutory,
        citation=f"Code § {sid}",
        **kw,
    )


NO_RELIEF = RecordRelief(kind="none")
EXPUNGEMENT = RecordRelief(kind="expungement", mode="automatic", citation="Code § relief")


def regime(
    offences: Iterable[Offence] = (),
    *,
    exit_services: Iterable[ExitService] = (),
    record_relief: RecordRelief = NO_RELIEF,
    regulation: Iterable[Regulation] = (),
    version_id: str = "XT-1",
    in_force_from: dt.date | None = dt.date(2000, 1, 1),
    jurisdiction_id: str = "XT",
) -> Regime:
    return Regime(
        jurisdiction_id=jurisdiction_id,
        jurisdiction_name="Testland",
        currency="EUR",
        version_id=version_id,
        label=f"version {version_id}",
        in_force_from=in_force_from,
        in_force_until=None,
        offences=tuple(offences),
        exit_services=tuple(exit_services),
        record_relief=record_relief,
        regulation=tuple(regulation),
        sources=(),
    )


# ---------------------------------------------------------------------------------------- hypothesis
ACTS = list(Act)
PARTIES = list(Party)
CIRCUMSTANCES = list(Circumstance)
circumstance_sets = st.frozensets(st.sampled_from(CIRCUMSTANCES), max_size=4)


@st.composite
def offences(draw: Any, prefix: str = "o", max_size: int = 6) -> list[Offence]:
    """Offences with unique ids, random acts, parties, conditions and aggravations."""
    n = draw(st.integers(0, max_size))
    out = []
    for i in range(n):
        aggs = draw(
            st.lists(
                st.tuples(
                    st.frozensets(st.sampled_from(CIRCUMSTANCES), min_size=1, max_size=2),
                    st.sampled_from([1.0, 6.0, 24.0, 60.0]),
                ),
                max_size=2,
            )
        )
        out.append(
            offence(
                f"{prefix}{i}",
                draw(st.sampled_from(ACTS)).value,
                draw(st.sampled_from(PARTIES)).value,
                months=draw(st.sampled_from([None, 3.0, 12.0])),
                requires=[c.value for c in draw(st.frozensets(st.sampled_from(CIRCUMSTANCES), max_size=1))],
                exempt_when=[
                    c.value for c in draw(st.frozensets(st.sampled_from(CIRCUMSTANCES), max_size=1))
                ],
                aggravations=[([c.value for c in when], m) for when, m in aggs],
            )
        )
    return out


@st.composite
def regimes(draw: Any, prefix: str = "o") -> Regime:
    """A random small regime: offences, exit services and record relief."""
    services = [
        exit_service(f"s{i}", kinds)
        for i, kinds in enumerate(
            draw(st.lists(st.sampled_from([("housing",), ("fund",), ("training", "jobs")]), max_size=2))
        )
    ]
    relief = draw(st.sampled_from([NO_RELIEF, EXPUNGEMENT]))
    return regime(draw(offences(prefix)), exit_services=services, record_relief=relief)
