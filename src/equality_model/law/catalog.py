"""Loading the catalogue of jurisdictions and reforms, and resolving regime references.

A regime reference is ``ID`` (the version in force today), ``ID@YYYY-MM-DD`` (in force on
that date) or ``ID+REFORM`` (the reform applied to the version in force on the reform's
start date); ``ID@DATE+REFORM`` applies the reform to the version in force on DATE.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from equality_model.errors import InputError
from equality_model.law.schema import (
    ExitService,
    Jurisdiction,
    Offence,
    RecordRelief,
    Reform,
    RegimeVersion,
    Regulation,
    Source,
    Strict,
)
from equality_model.yamlio import load_yaml, validate_doc


class Regime(Strict):
    """The law of one jurisdiction in force over an interval: what the evaluator reads."""

    jurisdiction_id: str
    jurisdiction_name: str
    currency: str
    version_id: str
    label: str
    in_force_from: dt.date | None
    in_force_until: dt.date | None
    reform_id: str | None = None
    verified: bool = True
    verification_note: str | None = None
    offences: tuple[Offence, ...]
    exit_services: tuple[ExitService, ...]
    record_relief: RecordRelief
    regulation: tuple[Regulation, ...]
    sources: tuple[Source, ...]
    enacted_by: str | None = None
    notes: str | None = None

    @property
    def ref(self) -> str:
        """A reference string that resolves back to this regime."""
        if self.reform_id:
            return f"{self.jurisdiction_id}+{self.reform_id}"
        if self.in_force_from is None:
            return f"{self.jurisdiction_id}@{self.in_force_until or '1900-01-01'}"
        return f"{self.jurisdiction_id}@{self.in_force_from.isoformat()}"

    def offence(self, offence_id: str) -> Offence | None:
        return next((o for o in self.offences if o.id == offence_id), None)


def data_dir() -> Path:
    """The package's built-in data folder."""
    return Path(str(resources.files("equality_model") / "data"))


_REF = re.compile(
    r"^(?P<id>[A-Za-z]{2}(?:-[A-Za-z]{2,3})?)(?:@(?P<date>[^+]+))?(?:\+(?P<reform>[A-Za-z0-9][A-Za-z0-9_.\-]*))?$"
)


def parse_date(text: str, *, field: str = "date") -> dt.date:
    """Parse an ISO date with a clear error."""
    try:
        return dt.date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise InputError(f"expected a date as YYYY-MM-DD, got {text!r}", field=field) from None


@dataclass
class Catalog:
    """All jurisdictions and reforms, from the built-in data plus any user folders."""

    jurisdictions: dict[str, Jurisdiction] = field(default_factory=dict)
    reforms: dict[str, Reform] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, extra: Iterable[str | Path] = (), *, builtin: bool = True) -> Catalog:
        """Load built-in data (unless ``builtin=False``) and every user folder in ``extra``.

        A user folder may hold jurisdiction files at its top level or under ``jurisdictions/``,
        and reform files under ``reforms/``. A user jurisdiction with a built-in id replaces it.
        """
        cat = cls()
        roots: list[Path] = [data_dir()] if builtin else []
        for e in extra:
            p = Path(e)
            if not p.is_dir():
                raise InputError(
                    "catalog folder not found; expected a folder of jurisdiction YAML files", file=p
                )
            roots.append(p)
        for root in roots:
            jdir = root / "jurisdictions" if (root / "jurisdictions").is_dir() else root
            for path in sorted(jdir.glob("*.yaml")):
                cat.add_jurisdiction_file(path)
        for root in roots:  # reforms after every folder's jurisdictions, so a reform may target any of them
            rdir = root / "reforms"
            if rdir.is_dir():
                for path in sorted(rdir.glob("*.yaml")):
                    cat.add_reform_file(path)
        return cat

    def add_jurisdiction_file(self, path: Path) -> Jurisdiction:
        doc = load_yaml(path)
        j = validate_doc(doc, Jurisdiction)
        self.jurisdictions[j.id] = j
        self.files[j.id] = path
        return j

    def add_reform_file(self, path: Path) -> Reform:
        from equality_model.law.reform import check_reform  # local: reform imports catalog types

        doc = load_yaml(path)
        r = validate_doc(doc, Reform)
        self.files[f"+{r.id}"] = path
        if r.applies_to not in self.jurisdictions:
            raise InputError(
                f"reform '{r.id}' applies to unknown jurisdiction '{r.applies_to}'; "
                f"expected one of {', '.join(sorted(self.jurisdictions))}",
                file=path,
                line=doc.line_of(["applies_to"]),
                field="applies_to",
            )
        check_reform(r, self.version_on(r.applies_to, r.start), file=path, doc=doc)
        self.reforms[r.id] = r
        return r

    # ------------------------------------------------------------------ lookup
    def jurisdiction(self, jid: str) -> Jurisdiction:
        key = jid.upper()
        if key not in self.jurisdictions:
            raise InputError(
                f"unknown jurisdiction '{jid}'; expected one of {', '.join(sorted(self.jurisdictions))}",
                field="jurisdiction",
            )
        return self.jurisdictions[key]

    def reform(self, rid: str) -> Reform:
        if rid not in self.reforms:
            known = ", ".join(sorted(self.reforms)) or "(none)"
            raise InputError(f"unknown reform '{rid}'; expected one of {known}", field="reform")
        return self.reforms[rid]

    def version_on(self, jid: str, on: dt.date) -> RegimeVersion:
        """The version of ``jid`` in force on date ``on``."""
        j = self.jurisdiction(jid)
        chosen: RegimeVersion | None = None
        for v in j.versions:
            if v.in_force_from is None or v.in_force_from <= on:
                chosen = v
        if chosen is None:
            first = j.versions[0].in_force_from
            raise InputError(
                f"no version of {j.id} is in force on {on.isoformat()}; the catalogue starts on {first}",
                field="date",
            )
        if chosen.in_force_until is not None and on > chosen.in_force_until:
            raise InputError(
                f"no version of {j.id} is recorded as in force on {on.isoformat()} "
                f"(version '{chosen.id}' ended {chosen.in_force_until})",
                field="date",
            )
        return chosen

    def regime(self, jid: str, on: dt.date | None = None) -> Regime:
        """The regime of ``jid`` in force on ``on`` (default: today)."""
        j = self.jurisdiction(jid)
        v = self.version_on(j.id, on or dt.date.today())
        return regime_from(j, v)

    def versions(self, jid: str) -> list[Regime]:
        j = self.jurisdiction(jid)
        return [regime_from(j, v) for v in j.versions]

    def resolve(self, ref: str) -> Regime:
        """Resolve ``ID``, ``ID@DATE``, ``ID+REFORM`` or ``ID@DATE+REFORM`` to a Regime."""
        from equality_model.law.reform import apply_reform

        m = _REF.match(ref.strip())
        if not m:
            raise InputError(
                f"bad regime reference {ref!r}; expected ID, ID@YYYY-MM-DD or ID+REFORM (e.g. FR@2017-01-01)",
                field="regime",
            )
        j = self.jurisdiction(m["id"])
        on = parse_date(m["date"], field="regime date") if m["date"] else None
        if m["reform"]:
            r = self.reform(m["reform"])
            if r.applies_to != j.id:
                raise InputError(
                    f"reform '{r.id}' applies to {r.applies_to}, not {j.id}; use {r.applies_to}+{r.id}",
                    field="regime",
                )
            base = regime_from(j, self.version_on(j.id, on or r.start))
            return apply_reform(base, r, file=self.files.get(f"+{r.id}"))
        return self.regime(j.id, on)


def regime_from(j: Jurisdiction, v: RegimeVersion) -> Regime:
    """Combine a jurisdiction's identity with one of its versions."""
    idx = j.versions.index(v)
    until = v.in_force_until
    if until is None and idx + 1 < len(j.versions):
        nxt = j.versions[idx + 1].in_force_from
        until = nxt - dt.timedelta(days=1) if nxt else None
    cited = set(v.sources) | set(v.record_relief.sources)
    for o in v.offences:
        cited |= set(o.sources)
        for a in o.aggravations:
            cited |= set(a.sources)
    for e in v.exit_services:
        cited |= set(e.sources)
    for r in v.regulation:
        cited |= set(r.sources)
    return Regime(
        jurisdiction_id=j.id,
        jurisdiction_name=j.name,
        currency=j.currency,
        version_id=v.id,
        label=v.label,
        in_force_from=v.in_force_from,
        in_force_until=until,
        verified=v.verified,
        verification_note=v.verification_note,
        offences=tuple(v.offences),
        exit_services=tuple(v.exit_services),
        record_relief=v.record_relief,
        regulation=tuple(v.regulation),
        sources=tuple(s for s in j.sources if s.id in cited),
        enacted_by=v.enacted_by,
        notes=v.notes,
    )


@lru_cache(maxsize=8)
def _cached(extra: tuple[str, ...]) -> Catalog:
    return Catalog.load(extra)


def default_catalog(extra: Iterable[str | Path] = ()) -> Catalog:
    """The catalogue, cached per set of user folders (the data is immutable)."""
    return _cached(tuple(str(Path(e)) for e in extra))
