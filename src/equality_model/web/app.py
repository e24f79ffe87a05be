"""The web explorer: FastAPI app factory (JSON API, pages, local static assets, job manager)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import plotly
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

import equality_model
from equality_model.errors import InputError
from equality_model.web import api, lawdata, pages
from equality_model.web.config import Settings
from equality_model.web.jobs import JobManager

HERE = Path(__file__).parent
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

DESCRIPTION = """
A web explorer for the Equality Model policy lab: the law catalogue (jurisdictions, versions,
scorecards, diffs), simulation runs as background jobs (baseline against reform, with bands
across replicates), and the observed figures the model uses.

Errors are `{"detail": "...", "field": ...}` with a 4xx status: 404 unknown thing, 409 run not
finished, 422 malformed value or run over the size limit, 429 too many runs at once.
"""


def _error(
    status: int, detail: str, field: str | None = None, errors: list[Any] | None = None
) -> JSONResponse:
    body: dict[str, Any] = {"detail": detail, "field": field}
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status)


def _loc(loc: Any) -> str:
    return ".".join(str(x) for x in loc)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build an app with its own job manager (started and stopped with the app's lifespan)."""
    settings = settings or Settings.from_env()

    jobs = JobManager(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        jobs.open()
        lawdata.laws_rows(dt.date.today())  # load and score the catalogue once, before the first request
        if settings.prewarm:
            jobs.prewarm()
        try:
            yield
        finally:
            jobs.close()

    app = FastAPI(
        title="equality-model web explorer",
        version=equality_model.__version__,
        description=DESCRIPTION,
        docs_url=None,  # Swagger UI and ReDoc load assets from a CDN: every asset here is served locally
        redoc_url=None,
        lifespan=lifespan,
    )

    @app.exception_handler(InputError)
    async def _input_error(request: Request, exc: InputError) -> JSONResponse:
        return _error(422, str(exc), exc.field)

    @app.exception_handler(api.ApiError)
    async def _api_error(request: Request, exc: api.ApiError) -> JSONResponse:
        headers = {"Retry-After": "10"} if exc.status == 429 else None
        resp = _error(exc.status, exc.detail, exc.field)
        if headers:
            resp.headers.update(headers)
        return resp

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errs = [
            {
                "loc": [str(x) for x in e.get("loc", ())],
                "msg": str(e.get("msg", "")),
                "type": str(e.get("type", "")),
            }
            for e in exc.errors()
        ]
        first = exc.errors()[0] if exc.errors() else {}
        where = _loc(first.get("loc", ()))
        msg = str(first.get("msg", "invalid request"))
        if "input" in first and first.get("type") != "missing":
            msg += f" (got {_short(first['input'])})"
        more = f" (and {len(errs) - 1} more)" if len(errs) > 1 else ""
        return _error(422, f"{where}: {msg}{more}" if where else msg + more, where or None, errs)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail))

    app.state.jobs = jobs
    app.include_router(api.router)
    app.include_router(pages.router)

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        """Plotly.js as shipped in the plotly Python package (no CDN)."""
        return FileResponse(
            PLOTLY_JS, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"}
        )

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    return app
