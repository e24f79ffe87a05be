"""Applying a reform file to a baseline regime.

The whole reform is checked against its baseline before anything is built, so a reform
is never partly applied: either every change matches the baseline and a new Regime is
returned, or an InputError names the change that does not match.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from equality_model.errors import InputError
from equality_model.law.schema import (
    AddExitService,
    AddOffence,
    AmendOffence,
    Offence,
    Reform,
    RegimeVersion,
    RemoveExitService,
    RepealOffence,
    SetRecordRelief,
)
from equality_model.yamlio import YamlDoc

_AMENDABLE = {
    "description",
    "requires",
    "exempt_when",
    "penalty",
    "aggravations",
    "citation",
    "sources",
    "verified",
    "verification_note",
    "party",
}


def _err(msg: str, i: int, file: Path | str | None, doc: YamlDoc | None, *sub: str | int) -> InputError:
    loc: list[str | int] = ["changes", i, *sub]
    return InputError(
        msg,
        file=file,
        line=doc.line_of(loc) if doc else None,
        field=".".join(str(p) for p in loc),
    )


def _plan(
    reform: Reform,
    offences: dict[str, Offence],
    services: set[str],
    file: Path | str | None,
    doc: YamlDoc | None,
) -> tuple[dict[str, Offence], list[str]]:
    """Check every change and compute the resulting offences; raise on the first mismatch."""
    result = dict(offences)
    removed_services: list[str] = []
    svc = set(services)
    for i, ch in enumerate(reform.changes):
        if isinstance(ch, RepealOffence):
            if ch.offence not in result:
                raise _err(
                    f"repeals offence '{ch.offence}', which the baseline does not have; "
                    f"expected one of {', '.join(sorted(result))}",
                    i,
                    file,
                    doc,
                    "offence",
                )
            del result[ch.offence]
        elif isinstance(ch, AddOffence):
            if ch.offence.id in result:
                raise _err(
                    f"adds offence '{ch.offence.id}', which the baseline already has; use amend_offence",
                    i,
                    file,
                    doc,
                    "offence",
                    "id",
                )
            result[ch.offence.id] = ch.offence
        elif isinstance(ch, AmendOffence):
            if ch.offence not in result:
                raise _err(
                    f"amends offence '{ch.offence}', which the baseline does not have; "
                    f"expected one of {', '.join(sorted(result))}",
                    i,
                    file,
                    doc,
                    "offence",
                )
            bad = sorted(set(ch.set) - _AMENDABLE)
            if bad:
                raise _err(
                    f"cannot amend field '{bad[0]}'; expected one of {', '.join(sorted(_AMENDABLE))}",
                    i,
                    file,
                    doc,
                    "set",
                    bad[0],
                )
            merged = result[ch.offence].model_dump(by_alias=True, exclude_none=True)
            merged.update(ch.set)
            merged["citation"] = (
                f"{merged['citation']}; as amended by {ch.citation}"
                if "citation" not in ch.set
                else merged["citation"]
            )
            try:
                result[ch.offence] = Offence.model_validate(merged)
            except ValidationError as exc:
                e = exc.errors()[0]
                loc = ".".join(str(p) for p in e["loc"])
                raise _err(
                    f"amended offence is invalid at '{loc}': {e['msg']}", i, file, doc, "set"
                ) from None
        elif isinstance(ch, AddExitService):
            if ch.exit_service.id in svc:
                raise _err(
                    f"adds exit service '{ch.exit_service.id}', which the baseline already has",
                    i,
                    file,
                    doc,
                    "exit_service",
                    "id",
                )
            svc.add(ch.exit_service.id)
        elif isinstance(ch, RemoveExitService):
            if ch.exit_service not in svc:
                raise _err(
                    f"removes exit service '{ch.exit_service}', which the baseline does not have",
                    i,
                    file,
                    doc,
                    "exit_service",
                )
            svc.discard(ch.exit_service)
            removed_services.append(ch.exit_service)
        elif isinstance(ch, SetRecordRelief):
            pass
    return result, removed_services


def check_reform(
    reform: Reform, baseline: RegimeVersion, *, file: Path | str | None = None, doc: YamlDoc | None = None
) -> None:
    """Raise InputError if any change of ``reform`` does not match ``baseline``."""
    _plan(reform, {o.id: o for o in baseline.offences}, {e.id for e in baseline.exit_services}, file, doc)


def apply_reform(base, reform: Reform, *, file: Path | str | None = None):  # type: ignore[no-untyped-def]
    """Return a new Regime: ``base`` (a Regime) with ``reform`` applied from its start date."""
    from equality_model.law.catalog import Regime

    if base.jurisdiction_id != reform.applies_to:
        raise InputError(
            f"reform '{reform.id}' applies to {reform.applies_to}, not {base.jurisdiction_id}",
            file=file,
            field="applies_to",
        )
    offences, removed = _plan(
        reform, {o.id: o for o in base.offences}, {e.id for e in base.exit_services}, file, None
    )
    # Keep the baseline's order, then the added offences in the reform's order.
    ordered = [offences[o.id] for o in base.offences if o.id in offences]
    ordered += [offences[k] for k in offences if k not in {o.id for o in base.offences}]
    services = [e for e in base.exit_services if e.id not in removed]
    services += [c.exit_service for c in reform.changes if isinstance(c, AddExitService)]
    relief = base.record_relief
    for c in reform.changes:
        if isinstance(c, SetRecordRelief):
            relief = c.record_relief
    sources = list(base.sources) + [s for s in reform.sources if s.id not in {b.id for b in base.sources}]
    return Regime(
        jurisdiction_id=base.jurisdiction_id,
        jurisdiction_name=base.jurisdiction_name,
        currency=base.currency,
        version_id=f"{base.version_id}+{reform.id}",
        label=f"{base.label} + {reform.label}",
        in_force_from=reform.start,
        in_force_until=None,
        reform_id=reform.id,
        verified=base.verified and reform.verified,
        verification_note="; ".join(n for n in (base.verification_note, reform.verification_note) if n)
        or None,
        offences=tuple(ordered),
        exit_services=tuple(services),
        record_relief=relief,
        regulation=base.regulation,
        sources=tuple(sources),
        enacted_by=f"{reform.title} ({', '.join(reform.bills)}; {reform.status})"
        if reform.bills
        else reform.title,
        notes=reform.notes,
    )
