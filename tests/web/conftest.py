"""Fixtures for the web explorer tests: one app (with its worker processes) shared by the API tests."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from equality_model.web import Settings, create_app

# A run that takes about a second once a worker is warm.
TINY_RUN: dict[str, Any] = {"jurisdiction": "US-MA", "years": 1, "replicates": 2, "scale": 1000}
# A run that takes half a minute (250 replicates of 0.13 s, within the default size limit): used to
# hold jobs open (then cancelled) and to hit time limits. The 20 replicates at scale 100 it replaced
# took 3 s once the engine got faster, so a slow poll could find the run already done.
LONG_RUN: dict[str, Any] = {"jurisdiction": "US-MA", "years": 10, "replicates": 250, "scale": 1000}
FINISHED = ("done", "failed", "cancelled")


@pytest.fixture(scope="session")
def web_app() -> FastAPI:
    return create_app(Settings(max_jobs=2, job_timeout=120, keep_runs=20, grace_seconds=2))


@pytest.fixture(scope="session")
def client(web_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(web_app) as c:
        yield c


def wait_for(
    client: TestClient, run_id: str, timeout: float = 120, until: tuple[str, ...] = FINISHED
) -> dict:
    """Poll a run until its status is in ``until``; returns the last status."""
    deadline = time.monotonic() + timeout
    while True:
        st = client.get(f"/api/runs/{run_id}").json()
        if st["status"] in until:
            return st
        if time.monotonic() > deadline:
            raise AssertionError(f"run {run_id} still {st['status']} after {timeout:g} s: {st}")
        time.sleep(0.2)
