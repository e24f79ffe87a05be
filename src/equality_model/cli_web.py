"""``equality-model serve``: the web explorer (FastAPI + uvicorn) on 127.0.0.1 by default.

Limits (flags win over the environment variables documented in ``equality_model.web.config``):
the largest run in agent-weeks, the number of runs at once and a time limit per run.
"""

from __future__ import annotations

from typing import Annotated

import typer


def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to bind. The default serves this machine only.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    max_jobs: Annotated[
        int | None,
        typer.Option(
            "--max-jobs", min=1, help="Runs queued or running at once [env EQUALITY_MODEL_MAX_JOBS; 2]."
        ),
    ] = None,
    max_run_size: Annotated[
        float | None,
        typer.Option(
            "--max-run-size",
            min=1,
            help="Largest run in agent-weeks: agents × simulated weeks × replicates "
            "[env EQUALITY_MODEL_MAX_RUN_SIZE; 200,000,000].",
        ),
    ] = None,
    job_timeout: Annotated[
        float | None,
        typer.Option(
            "--job-timeout",
            min=1,
            help="Seconds a run may take before it is cancelled [env EQUALITY_MODEL_JOB_TIMEOUT; 900].",
        ),
    ] = None,
    prewarm: Annotated[
        bool, typer.Option("--prewarm/--no-prewarm", help="Start the simulation workers with the server.")
    ] = True,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
) -> None:
    """Serve the web explorer: laws, scenarios (background runs) and evidence, with a JSON API."""
    import uvicorn

    from equality_model.web import Settings, create_app

    settings = Settings.from_env(
        max_jobs=max_jobs, max_run_size=max_run_size, job_timeout=job_timeout, prewarm=prewarm
    )
    app = create_app(settings)
    typer.echo(
        f"equality-model explorer on http://{host}:{port}/ (API: /openapi.json; limits: {settings.max_jobs} "
        f"runs at once, {settings.max_run_size:,.0f} agent-weeks, {settings.job_timeout:g} s)",
        err=True,
    )
    uvicorn.run(app, host=host, port=port, log_level=log_level)


def register(root: typer.Typer) -> None:
    """Add the serve command to the root app."""
    root.command("serve")(serve)
