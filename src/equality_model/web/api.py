"""The JSON API under /api (documented at /openapi.json).

Errors are always ``{"detail": "...", "field": ...}`` with a 4xx code: 404 for an unknown
jurisdiction, reform, version or run; 422 for a malformed value or a run over the size limit;
409 for results of a run that has not finished; 429 when too many runs are going at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import FileResponse

import equality_model
from equality_model.errors import InputError
from equality_model.law.evaluate import parse_circumstances
from equality_model.law.schema import Act, Circumstance, Party
from equality_model.web import lawdata
from equality_model.web.evidence import figures
from equality_model.web.jobs import Job, JobManager, TooManyJobs
from equality_model.web.runs import (
    RunRequest,
    agents,
    build_scenario,
    check_size,
    scenario_rows,
    simulated_weeks,
)
from equality_model.web.schemas import (
    ERROR_RESPONSES,
    FigureOut,
    Health,
    LawRow,
    ParameterInfo,
    RunResults,
    RunStatus,
    ScenarioInfo,
)


class ApiError(Exception):
    """An error with its HTTP status; rendered as ErrorBody."""

    def __init__(self, status: int, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.field = field


router = APIRouter(prefix="/api", responses=ERROR_RESPONSES)  # type: ignore[arg-type]

RefPath = Annotated[
    str,
    Path(
        min_length=2,
        max_length=100,
        description="ID (in force today), ID@YYYY-MM-DD or ID+REFORM, "
        "e.g. FR@2017-01-01, US-MA+equality-model",
        examples=["US-MA+equality-model"],
    ),
]
RunId = Annotated[str, Path(min_length=1, max_length=64, description="The id POST /api/runs returned.")]


def manager(request: Request) -> JobManager:
    return request.app.state.jobs  # type: ignore[no-any-return]


def _lookup(fn: Any, *args: Any) -> Any:
    """Call a catalogue lookup; unknown things are 404, malformed references 422."""
    try:
        return fn(*args)
    except InputError as exc:
        raise ApiError(404 if lawdata.not_found(exc) else 422, str(exc), exc.field) from None


# ------------------------------------------------------------------------------------------ health


@router.get("/health", response_model=Health, summary="Server status and limits")
def health(request: Request) -> dict[str, Any]:
    jobs = manager(request)
    return {
        "status": "ok",
        "version": equality_model.__version__,
        "active_runs": jobs.active_count(),
        "limits": jobs.settings.public(),
    }


# ------------------------------------------------------------------------------------------ laws


@router.get(
    "/laws",
    response_model=list[LawRow],
    response_model_exclude_unset=True,
    summary="Every jurisdiction and reform, as `laws list`",
)
def laws(
    on: Annotated[dt.date | None, Query(description="Law in force on this date (default: today).")] = None,
    q: Annotated[str | None, Query(max_length=100, description="Text in the id, name or label.")] = None,
    type: Annotated[
        str | None, Query(max_length=40, description="Regime type, e.g. equality_model, decriminalization.")
    ] = None,
    kind: Annotated[str | None, Query(pattern="^(jurisdiction|reform)$")] = None,
    role: Annotated[
        str | None, Query(max_length=40, description="equality_model, contrast, pending, reform")
    ] = None,
) -> list[dict[str, Any]]:
    return lawdata.filter_rows(
        lawdata.laws_rows(on or dt.date.today()), q=q, regime_type=type, kind=kind, role=role
    )


@router.get("/laws/{ref}", summary="One regime: offences, penalties, exit services, sources (`laws show`)")
def law(ref: RefPath) -> dict[str, Any]:
    regime = _lookup(lawdata.resolve, ref)
    return {
        **lawdata.regime_json(regime),
        "jurisdiction": _lookup(lawdata.jurisdiction_json, regime.jurisdiction_id),
    }


@router.get("/laws/{ref}/score", summary="The pillar scorecard of a regime (`laws score`)")
def law_score(ref: RefPath) -> dict[str, Any]:
    return lawdata.score_dict(_lookup(lawdata.resolve, ref))


@router.get("/diff", summary="What changes from regime a to regime b, with citations (`laws diff`)")
def diff(
    a: Annotated[str, Query(min_length=2, max_length=100, examples=["US-MA"])],
    b: Annotated[str, Query(min_length=2, max_length=100, examples=["US-MA+equality-model"])],
) -> dict[str, Any]:
    return _lookup(lawdata.diff_json, a, b)  # type: ignore[no-any-return]


@router.get("/eval", summary="Which offences apply to a party doing an act under a regime (`laws eval`)")
def eval_(
    regime: Annotated[str, Query(min_length=2, max_length=100, examples=["FR@2017-01-01"])],
    act: Act,
    party: Party,
    circumstance: Annotated[
        list[Circumstance] | None, Query(description="Facts of the case (repeatable).")
    ] = None,
    minor: bool = False,
    trafficked: bool = False,
) -> dict[str, Any]:
    circs = parse_circumstances(
        [
            *(c.value for c in circumstance or ()),
            *(["minor"] if minor else []),
            *(["trafficked"] if trafficked else []),
        ]
    )
    return _lookup(lawdata.eval_json, regime, act, party, circs)  # type: ignore[no-any-return]


# ------------------------------------------------------------------------------------------ model data


@router.get("/scenarios", response_model=list[ScenarioInfo], summary="The built-in scenarios (run templates)")
def scenarios() -> list[dict[str, Any]]:
    return list(scenario_rows())


@router.get("/parameters", response_model=list[ParameterInfo], summary="The model's parameter registry")
def parameters() -> list[dict[str, Any]]:
    from equality_model.model.params import registry_table

    return registry_table()


@router.get(
    "/evidence", response_model=list[FigureOut], summary="Observed figures the model uses, with sources"
)
def evidence(
    jurisdiction: Annotated[str | None, Query(max_length=20)] = None,
    topic: Annotated[str | None, Query(max_length=20)] = None,
    reliability: Annotated[str | None, Query(max_length=20)] = None,
) -> list[dict[str, Any]]:
    out = []
    for f in figures():
        if jurisdiction and f.jurisdiction.upper() != jurisdiction.upper():
            continue
        if topic and f.topic != topic:
            continue
        if reliability and f.reliability != reliability:
            continue
        out.append({**f.model_dump(mode="json"), "display": f.display()})
    return out


# ------------------------------------------------------------------------------------------ runs


def _links(job: Job) -> dict[str, str]:
    base = f"/api/runs/{job.id}"
    return {
        "self": base,
        "results": f"{base}/results",
        "csv": f"{base}/download.csv",
        "netcdf": f"{base}/download.nc",
        "page": f"/scenarios?run={job.id}",
    }


def _status(job: Job) -> dict[str, Any]:
    return {**job.as_dict(), "links": _links(job)}


def _job(request: Request, run_id: str) -> Job:
    job = manager(request).get(run_id)
    if job is None:
        raise ApiError(
            404,
            f"unknown run '{run_id}'; it never existed or was dropped (the server keeps "
            f"the last {manager(request).settings.keep_runs} finished runs)",
            "run_id",
        )
    return job


def _plan(req: RunRequest, request: Request) -> tuple[Any, int]:
    sc = build_scenario(req)
    size = check_size(sc, manager(request).settings.max_run_size)
    return sc, size


@router.post(
    "/runs/plan",
    summary="Check a run request without starting it: the scenario it builds and its size",
)
def plan_run(req: RunRequest, request: Request) -> dict[str, Any]:
    sc, size = _plan(req, request)
    return {
        "size": size,
        "limit": manager(request).settings.max_run_size,
        "agents": agents(sc),
        "simulated_weeks": simulated_weeks(sc),
        "replicates": sc.replicates,
        "scenario": sc.model_dump(mode="json"),
    }


@router.post(
    "/runs",
    status_code=202,
    response_model=RunStatus,
    summary="Start a simulation run in the background",
    description="Validates the request, refuses runs over the size limit (422) or beyond the number of runs "
    "allowed at once (429), then answers 202 with the run's id; poll GET /api/runs/{id}.",
)
def create_run(req: RunRequest, request: Request, response: Response) -> dict[str, Any]:
    sc, size = _plan(req, request)
    try:
        job = manager(request).submit(sc, size)
    except TooManyJobs as exc:
        response.headers["Retry-After"] = "10"
        raise ApiError(429, str(exc)) from None
    response.headers["Location"] = f"/api/runs/{job.id}"
    return _status(job)


@router.get("/runs", response_model=list[RunStatus], summary="Recent runs, newest first")
def list_runs(request: Request) -> list[dict[str, Any]]:
    return [_status(j) for j in manager(request).list()]


@router.get("/runs/{run_id}", response_model=RunStatus, summary="Status and progress (0 to 1) of a run")
def get_run(run_id: RunId, request: Request) -> dict[str, Any]:
    return _status(_job(request, run_id))


@router.delete("/runs/{run_id}", response_model=RunStatus, summary="Cancel a queued or running run")
def cancel_run(run_id: RunId, request: Request) -> dict[str, Any]:
    job = _job(request, run_id)
    if job.active:
        manager(request).cancel(job)
    return _status(job)


def _finished(request: Request, run_id: str) -> Job:
    job = _job(request, run_id)
    if job.status != "done":
        why = f": {job.error}" if job.error else ""
        raise ApiError(409, f"run '{run_id}' has no results: it is {job.status}{why}", "run_id")
    return job


@router.get(
    "/runs/{run_id}/results", response_model=RunResults, summary="Chart series with bands, and the summary"
)
def run_results(run_id: RunId, request: Request) -> dict[str, Any]:
    job = _finished(request, run_id)
    res = job.result or {}
    sc = job.as_dict()["scenario"]
    return {
        "id": job.id,
        "scenario": sc,
        "scenario_hash": res["scenario_hash"],
        "seconds": res["seconds"],
        "level": res["series"]["level"],
        "series": res["series"],
        "summary": res["summary"],
        "links": _links(job),
    }


def _download(request: Request, run_id: str, name: str, media: str, suffix: str) -> FileResponse:
    job = _finished(request, run_id)
    assert job.out_dir is not None
    path = job.out_dir / name
    if not path.exists():
        raise ApiError(404, f"the {suffix} file of run '{run_id}' is gone", "run_id")
    return FileResponse(path, media_type=media, filename=f"equality-model-{job.id}.{suffix}")


@router.get(
    "/runs/{run_id}/download.csv",
    response_class=FileResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "Yearly summary: mean and 90% interval"}},
    summary="Download the yearly summary (CSV)",
)
def download_csv(run_id: RunId, request: Request) -> FileResponse:
    return _download(request, run_id, "summary.csv", "text/csv", "csv")


@router.get(
    "/runs/{run_id}/download.nc",
    response_class=FileResponse,
    responses={
        200: {"content": {"application/x-netcdf": {}}, "description": "Every output, arm × replicate × week"}
    },
    summary="Download the full results (NetCDF)",
)
def download_nc(run_id: RunId, request: Request) -> FileResponse:
    return _download(request, run_id, "results.nc", "application/x-netcdf", "nc")
