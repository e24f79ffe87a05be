"""``equality-model serve``: defaults (loopback), flags and environment variables, and a real start."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from equality_model.cli import app as cli_app
from equality_model.web.server import free_port


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    import uvicorn

    got: dict[str, Any] = {}

    def fake_run(app: Any, **kwargs: Any) -> None:
        got["app"] = app
        got.update(kwargs)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    for var in ("EQUALITY_MODEL_MAX_JOBS", "EQUALITY_MODEL_MAX_RUN_SIZE", "EQUALITY_MODEL_JOB_TIMEOUT"):
        monkeypatch.delenv(var, raising=False)
    return got


def test_serve_binds_loopback_by_default(captured: dict[str, Any]) -> None:
    res = CliRunner().invoke(cli_app, ["serve"])
    assert res.exit_code == 0, res.output
    assert captured["host"] == "127.0.0.1" and captured["port"] == 8000
    s = captured["app"].state.jobs.settings
    assert (s.max_jobs, s.max_run_size, s.job_timeout, s.prewarm) == (2, 200_000_000, 900.0, True)


def test_serve_flags_and_environment(captured: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EQUALITY_MODEL_MAX_JOBS", "3")
    monkeypatch.setenv("EQUALITY_MODEL_JOB_TIMEOUT", "60")
    res = CliRunner().invoke(
        cli_app,
        ["serve", "--host", "0.0.0.0", "--port", "9001", "--max-run-size", "1e6", "--job-timeout", "30"],
    )
    assert res.exit_code == 0, res.output
    s = captured["app"].state.jobs.settings
    assert captured["host"] == "0.0.0.0" and captured["port"] == 9001
    assert (s.max_jobs, s.max_run_size, s.job_timeout) == (3, 1e6, 30.0)  # the flag wins over the env


def test_serve_rejects_bad_configuration(captured: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EQUALITY_MODEL_MAX_JOBS", "many")
    res = CliRunner().invoke(cli_app, ["serve"])
    assert res.exit_code == 2
    assert "EQUALITY_MODEL_MAX_JOBS" in res.output and "expected a number" in res.output
    res = CliRunner().invoke(cli_app, ["serve", "--max-jobs", "0"])
    assert res.exit_code == 2 and "app" not in captured


def test_serve_help_lists_the_limits() -> None:
    res = CliRunner().invoke(cli_app, ["serve", "--help"], env={"COLUMNS": "200"})
    assert res.exit_code == 0
    for opt in ("--host", "--port", "--max-jobs", "--max-run-size", "--job-timeout", "127.0.0.1"):
        assert opt in res.output, opt


def test_serve_really_serves() -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "equality_model.cli", "serve", "--port", str(port), "--no-prewarm"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            try:
                resp = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert resp.status_code == 200 and resp.json()["status"] == "ok"
        assert httpx.get(f"http://127.0.0.1:{port}/laws").status_code == 200
    finally:
        proc.terminate()
        proc.wait(20)
    assert proc.returncode in (0, -15)
