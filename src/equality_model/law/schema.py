"""The law catalogue's schema: jurisdictions, dated regime versions, offences, reforms.

Every model forbids unknown fields, so a typo in a YAML file is an error that names
the field instead of a silently ignored key. Facts that ``research/laws.md`` marks
as unverified or conflicting carry ``verified: false`` with a ``verification_note``.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator


class Act(StrEnum):
    """What a person does. The tokens are the CLI's ``--act`` values."""

    sell = "sell"
    buy = "buy"
    solicit_public = "solicit_public"
    procure = "procure"
    keep_premises = "keep_premises"
    benefit_from_earnings = "benefit_from_earnings"
    advertise = "advertise"
    traffic = "traffic"


class Party(StrEnum):
    """Who does it: the person selling, the buyer, or a third party (exploiter, trafficker, operator)."""

    seller = "seller"
    buyer = "buyer"
    third_party = "third_party"


class Circumstance(StrEnum):
    """Facts of a case that make an offence apply, aggravate it, or exempt it."""

    minor = "minor"  # the person in prostitution is under 18
    trafficked = "trafficked"  # the person in prostitution is a trafficking victim / subjected to force
    vulnerable = "vulnerable"  # apparent or known particular vulnerability, mental disability
    public_place = "public_place"  # in or visible from a public place (street)
    near_school = "near_school"  # next to a school ground, playground, daycare or place minors frequent
    repeat = "repeat"  # second or subsequent offence
    licensed_venue = "licensed_venue"  # in a licensed house or registered under a licensing regime
    remote = "remote"  # sexual act performed remotely (webcam) with buyer influence
    particularly_offensive = "particularly_offensive"  # done in a particularly offensive manner
    abroad = "abroad"  # committed abroad by a national or resident
    compelled = "compelled"  # by force, threat, coercion or compelling


Date = dt.date
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]


class Strict(BaseModel):
    """Base for every schema model: unknown fields are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Verifiable(Strict):
    """A fact that may be unverified. An unverified fact must say why."""

    verified: bool = True
    verification_note: Text | None = None

    @model_validator(mode="after")
    def _note_if_unverified(self) -> Verifiable:
        if not self.verified and not self.verification_note:
            raise ValueError(
                "verified is false, so verification_note must say what is unverified or conflicting"
            )
        return self


class Source(Strict):
    """A cited source. ``id`` is how offences and provisions refer to it."""

    id: Identifier
    title: Text
    url: Text | None = None
    reliability: Literal["official", "peer", "ngo", "media", "low"] | None = None
    note: Text | None = None


class Penalty(Verifiable):
    """A penalty scale. Amounts are in ``currency``; ``None`` means none set or not found."""

    class_: Text | None = Field(default=None, alias="class")
    fine_min: float | None = Field(default=None, ge=0)
    fine_max: float | None = Field(default=None, ge=0)
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = None
    custody_max_months: float | None = Field(default=None, ge=0)
    custody_max_life: bool = False
    custody_min_months: float | None = Field(default=None, ge=0)  # mandatory minimum custody
    fine_mandatory_minimum: bool = False  # fine_min is a mandatory minimum (e.g. Canada s. 286.1)
    fine_only: bool = False  # no custody can be imposed
    notes: Text | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Penalty:
        if self.fine_min is not None and self.fine_max is not None and self.fine_min > self.fine_max:
            raise ValueError(f"fine_min ({self.fine_min}) exceeds fine_max ({self.fine_max})")
        if (self.fine_min is not None or self.fine_max is not None) and self.currency is None:
            raise ValueError("a fine amount needs a currency (ISO 4217 code such as EUR)")
        if (
            self.custody_min_months is not None
            and self.custody_max_months is not None
            and self.custody_min_months > self.custody_max_months
        ):
            raise ValueError("custody_min_months exceeds custody_max_months")
        if self.fine_only and (self.custody_max_months or self.custody_max_life):
            raise ValueError("fine_only contradicts a custody maximum")
        return self

    @property
    def severity_months(self) -> float:
        """Maximum custody in months, life counted as 600; a comparable severity scalar."""
        if self.custody_max_life:
            return 600.0
        return float(self.custody_max_months or 0.0)


class Aggravation(Verifiable):
    """A circumstance that raises (or sets) the penalty of an offence."""

    when: list[Circumstance] = Field(min_length=1)
    penalty: Penalty
    citation: Text
    sources: list[Identifier] = Field(default_factory=list)
    description: Text | None = None


class Offence(Verifiable):
    """One criminal or regulatory offence: who commits it, by which act, with what penalty."""

    id: Identifier
    act: Act
    party: Party
    description: Text
    requires: list[Circumstance] = Field(default_factory=list)  # applies only if all hold
    exempt_when: list[Circumstance] = Field(default_factory=list)  # does not apply if any holds
    penalty: Penalty
    aggravations: list[Aggravation] = Field(default_factory=list)
    citation: Text
    sources: list[Identifier] = Field(default_factory=list)

    @property
    def general(self) -> bool:
        """True if the offence applies with no special circumstance (minors, trafficking, place)."""
        return not self.requires


ExitKind = Literal[
    "housing",
    "substance_use",
    "education",
    "training",
    "jobs",
    "health",
    "legal_aid",
    "income_support",
    "residence_permit",
    "case_management",
    "fund",
    "strategy",
    "commission",
    "reporting",
]


class ExitService(Verifiable):
    """An exit or support provision that the law itself provides (not a budget decision)."""

    id: Identifier
    description: Text
    kinds: list[ExitKind] = Field(min_length=1)
    scope: Literal["all", "trafficking_victims", "minors"] = "all"
    statutory: bool = True  # False: provided by programme or government decision, recorded for context
    funding: Literal["funded", "unfunded", "unknown"] = "unknown"
    fines_routed: bool = False  # fines or forfeitures go to survivor services
    citation: Text
    sources: list[Identifier] = Field(default_factory=list)
    in_force_from: Date | None = None


class RecordRelief(Verifiable):
    """Relief from past selling convictions."""

    kind: Literal["none", "vacatur", "sealing", "expungement", "erasure"]
    mode: Literal["none", "automatic", "on_motion", "judicial_discretion"] = "none"
    covers: list[Text] = Field(default_factory=list)
    conditions: list[Text] = Field(default_factory=list)
    citation: Text | None = None
    sources: list[Identifier] = Field(default_factory=list)
    not_applicable: bool = False  # selling was never an offence, so there is nothing to relieve

    @model_validator(mode="after")
    def _coherent(self) -> RecordRelief:
        if self.kind == "none" and self.mode != "none":
            raise ValueError("kind 'none' must have mode 'none'")
        if self.kind != "none" and self.mode == "none":
            raise ValueError(f"kind '{self.kind}' needs a mode: automatic, on_motion or judicial_discretion")
        if self.kind != "none" and not self.citation:
            raise ValueError(f"record relief '{self.kind}' needs a citation")
        return self


RegulationKind = Literal[
    "venue_licensing",  # lawful only in licensed venues / municipal licences
    "seller_registration",  # sellers must register
    "employment_recognition",  # sex work recognised as work (enforceable contracts, social insurance)
    "operator_certificate",  # operators need a certificate (no licensing of lawful selling)
    "contracts_enforceable",
    "safer_sex_duties",
    "local_bylaws",
    "health_checks",
    "migrant_exclusion",
]

LEGALIZING_REGULATION: frozenset[str] = frozenset(
    {"venue_licensing", "seller_registration", "employment_recognition"}
)


class Regulation(Verifiable):
    """A non-criminal regulatory provision of the sex trade (licensing, registration, duties)."""

    kind: RegulationKind
    description: Text
    citation: Text
    sources: list[Identifier] = Field(default_factory=list)


class RegimeVersion(Verifiable):
    """The law of one jurisdiction over one dated interval."""

    id: Identifier
    label: Text
    in_force_from: Date | None = None  # None only for the earliest version: start not researched
    in_force_until: Date | None = None  # last day in force; None: until the next version / still in force
    enacted_by: Text | None = None
    offences: list[Offence] = Field(default_factory=list)
    exit_services: list[ExitService] = Field(default_factory=list)
    record_relief: RecordRelief
    regulation: list[Regulation] = Field(default_factory=list)
    sources: list[Identifier] = Field(default_factory=list)
    notes: Text | None = None

    @field_validator("offences")
    @classmethod
    def _unique_offences(cls, v: list[Offence]) -> list[Offence]:
        seen: set[str] = set()
        for o in v:
            if o.id in seen:
                raise ValueError(f"duplicate offence id '{o.id}'")
            seen.add(o.id)
        return v


class Jurisdiction(Strict):
    """A jurisdiction file: identity, currency, sources, and its dated versions in order."""

    id: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}(-[A-Z]{2,3})?$")]
    name: Text
    level: Literal["country", "state", "province", "nation"] = "country"
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    role: Literal["equality_model", "contrast", "pending"] = "equality_model"
    sources: list[Source] = Field(min_length=1)
    versions: list[RegimeVersion] = Field(min_length=1)
    notes: Text | None = None

    @model_validator(mode="after")
    def _ordered_and_cited(self) -> Jurisdiction:
        known = {s.id for s in self.sources}
        if len(known) != len(self.sources):
            raise ValueError("duplicate source id in sources")
        prev_from: dt.date | None = None
        ids: set[str] = set()
        for i, v in enumerate(self.versions):
            if v.id in ids:
                raise ValueError(f"duplicate version id '{v.id}'")
            ids.add(v.id)
            if v.in_force_from is None and i > 0:
                raise ValueError(f"version '{v.id}': only the first version may omit in_force_from")
            if v.in_force_from is not None:
                if prev_from is not None and v.in_force_from <= prev_from:
                    raise ValueError(f"version '{v.id}': versions must be in order of in_force_from")
                prev_from = v.in_force_from
            if v.in_force_until and v.in_force_from and v.in_force_until < v.in_force_from:
                raise ValueError(f"version '{v.id}': in_force_until is before in_force_from")
            for ref in _source_refs(v):
                if ref not in known:
                    raise ValueError(f"version '{v.id}' cites unknown source '{ref}'; add it to sources")
        return self


def _source_refs(v: RegimeVersion) -> list[str]:
    refs = list(v.sources) + list(v.record_relief.sources)
    for o in v.offences:
        refs += o.sources
        for a in o.aggravations:
            refs += a.sources
    for e in v.exit_services:
        refs += e.sources
    for r in v.regulation:
        refs += r.sources
    return refs


# ---------------------------------------------------------------------------------------------- reforms


class RepealOffence(Strict):
    op: Literal["repeal_offence"]
    offence: Identifier
    citation: Text
    note: Text | None = None


class AddOffence(Strict):
    op: Literal["add_offence"]
    offence: Offence


class AmendOffence(Strict):
    """Replace named fields of an existing offence (penalty, requires, aggravations, citation …)."""

    op: Literal["amend_offence"]
    offence: Identifier
    set: dict[str, object] = Field(min_length=1)
    citation: Text


class SetRecordRelief(Strict):
    op: Literal["set_record_relief"]
    record_relief: RecordRelief


class AddExitService(Strict):
    op: Literal["add_exit_service"]
    exit_service: ExitService


class RemoveExitService(Strict):
    op: Literal["remove_exit_service"]
    exit_service: Identifier
    citation: Text


Change = Annotated[
    RepealOffence | AddOffence | AmendOffence | SetRecordRelief | AddExitService | RemoveExitService,
    Field(discriminator="op"),
]


class Reform(Verifiable):
    """A change to a baseline jurisdiction's law, from a start date (OpenFisca-style reform as data)."""

    id: Identifier
    applies_to: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}(-[A-Z]{2,3})?$")]
    title: Text
    bills: list[Text] = Field(default_factory=list)
    status: Literal["pending", "enacted", "hypothetical"] = "pending"
    start: Date
    label: Text
    sources: list[Source] = Field(min_length=1)
    changes: list[Change] = Field(min_length=1)
    notes: Text | None = None
