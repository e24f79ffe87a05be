"""The JSON API: every endpoint, each 4xx class, the run lifecycle and the limits."""

from __future__ import annotations

import io
import json
import statistics
import time
from typing import Any

import pytest
import xarray as xr
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from equality_model.cli import app as cli_app
from equality_model.law.catalog import default_catalog
from equality_model.model.params import registry
from equality_model.model.scenario import builtin_names, load_scenario
from equality_model.web.jobs import Job, JobManager
from equality_model.web.runs import RunRequest, agents, build_scenario, run_size, simulated_weeks

from .conftest import LONG_RUN, TINY_RUN, wait_for

HELD_BACK = {"NO", "IE", "GB-NIR"}  # outcome figures withheld for out-of-sample validation


def _err(resp: Any, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert isinstance(body["detail"], str) and body["detail"], body
    assert "\n" not in body["detail"]
    return body  # type: ignore[no-any-return]


# ------------------------------------------------------------------------------------------ laws


def test_health(client: TestClient) -> None:
    body = client.get("/api/health").json()
    assert body["status"] == "ok"
    assert body["limits"]["max_jobs"] == 2
    assert body["limits"]["max_run_size"] > 0


def test_laws_lists_every_jurisdiction_like_the_cli(client: TestClient) -> None:
    rows = client.get("/api/laws").json()
    jurisdictions = [r for r in rows if r["kind"] == "jurisdiction"]
    assert len(jurisdictions) == 15
    assert {r["id"] for r in jurisdictions} == set(default_catalog().jurisdictions)
    assert any(r["id"] == "US-MA+equality-model" and r["kind"] == "reform" for r in rows)
    for r in jurisdictions:
        assert r["regime_type"] and r["pillars"] and "in_force_from" in r
    cli = CliRunner().invoke(cli_app, ["laws", "list", "--format", "json"])
    assert cli.exit_code == 0, cli.output
    assert rows == json.loads(cli.output)


def test_laws_filters(client: TestClient) -> None:
    em = client.get("/api/laws", params={"type": "equality_model"}).json()
    assert em and all(r["regime_type"] == "equality_model" for r in em)
    assert {r["id"] for r in client.get("/api/laws", params={"q": "massachusetts"}).json()} >= {"US-MA"}
    assert all(r["kind"] == "reform" for r in client.get("/api/laws", params={"kind": "reform"}).json())
    before = {r["id"]: r for r in client.get("/api/laws", params={"on": "1998-12-31"}).json()}
    after = {r["id"]: r for r in client.get("/api/laws", params={"on": "1999-01-01"}).json()}
    assert before["SE"]["regime_type"] != "equality_model"
    assert after["SE"]["regime_type"] == "equality_model"


def test_law_detail_score_diff_eval(client: TestClient) -> None:
    ma = client.get("/api/laws/US-MA").json()
    assert ma["jurisdiction_id"] == "US-MA"
    assert any(o["id"] == "ma-sell" for o in ma["offences"])
    assert ma["jurisdiction"]["versions"] and ma["jurisdiction"]["sources"]
    assert ma["scorecard"]["regime_type"]
    bill = client.get("/api/laws/US-MA+equality-model").json()
    assert bill["reform_id"] == "equality-model"
    assert not any(o["party"] == "seller" and o["act"] == "sell" for o in bill["offences"])
    score = client.get("/api/laws/SE@1999-01-01/score").json()
    assert score["pillars"]["demand"]["level"] == "full"
    d = client.get("/api/diff", params={"a": "US-MA", "b": "US-MA+equality-model"}).json()
    removed = [c for c in d["changes"] if c["kind"] == "offence_removed"]
    assert any(c["act"] == "sell" and c["party"] == "seller" for c in removed)
    assert d["scorecards"]["b"]["regime_type"] == "equality_model"
    buy = client.get("/api/eval", params={"regime": "FR@2017-01-01", "act": "buy", "party": "buyer"}).json()
    assert buy["lawful"] is False and buy["offences"]
    sell = client.get(
        "/api/eval", params={"regime": "FR@2017-01-01", "act": "sell", "party": "seller"}
    ).json()
    assert sell["lawful"] is True
    minor = client.get(
        "/api/eval",
        params={"regime": "FR@2017-01-01", "act": "buy", "party": "buyer", "minor": "true"},
    ).json()
    assert minor["circumstances"] == ["minor"]


def test_scenarios_parameters_evidence(client: TestClient) -> None:
    scen = client.get("/api/scenarios").json()
    assert {s["name"] for s in scen} == set(builtin_names())
    params = client.get("/api/parameters").json()
    assert {p["name"] for p in params} == set(registry())
    figs = client.get("/api/evidence").json()
    assert len(figs) >= 50
    names = set(registry()) | set(builtin_names())
    for f in figs:
        assert f["source"] and f["quote"] and f["unit"] and f["display"]
        assert f["reliability"] in ("official", "peer", "ngo", "media", "low")
        assert f["jurisdiction"] not in HELD_BACK, f["id"]
        assert set(f["used_by"]) <= names, f["id"]
    ids = {f["id"]: f for f in figs}
    assert ids["us-buyers-past-year"]["value"] == 6.2
    assert ids["platt-violence"]["display"] == "2.99 (1.96–4.57)"
    se = client.get("/api/evidence", params={"jurisdiction": "se"}).json()
    assert se and all(f["jurisdiction"] == "SE" for f in se)


# ------------------------------------------------------------------------------------------ 4xx


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("/api/laws/XX", "unknown jurisdiction 'XX'"),
        ("/api/laws/US-MA+nope", "unknown reform 'nope'"),
        ("/api/laws/XX/score", "unknown jurisdiction"),
        ("/api/diff?a=XX&b=US-MA", "unknown jurisdiction"),
        ("/api/eval?regime=ZZ&act=buy&party=buyer", "unknown jurisdiction"),
        ("/api/runs/nope", "unknown run 'nope'"),
        ("/api/runs/nope/results", "unknown run"),
        ("/api/runs/nope/download.csv", "unknown run"),
    ],
)
def test_not_found(client: TestClient, url: str, needle: str) -> None:
    assert needle in _err(client.get(url), 404)["detail"]


def test_lookup_errors_map_to_404_or_422() -> None:
    from equality_model.errors import InputError
    from equality_model.web.lawdata import not_found

    assert not_found(InputError("no version of XA is in force on 1700-01-01", field="date"))
    assert not_found(InputError("unknown reform 'x'", field="reform"))
    assert not not_found(InputError("bad regime reference 'x!'", field="regime"))


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("/api/laws/bad!!", "bad regime reference"),
        ("/api/laws/SE+equality-model", "applies to US-MA"),
        ("/api/laws/US-MA@2020-13-45", "expected a date"),
        ("/api/laws?on=yesterday", "query.on"),
        ("/api/laws?kind=planet", "query.kind"),
        ("/api/diff?a=US-MA", "query.b: Field required"),
        ("/api/eval?regime=FR&act=fly&party=buyer", "query.act"),
        ("/api/eval?regime=FR&act=buy&party=buyer&circumstance=rainy", "query.circumstance"),
    ],
)
def test_malformed_queries(client: TestClient, url: str, needle: str) -> None:
    assert needle in _err(client.get(url), 422)["detail"]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({**TINY_RUN, "years": 0}, "body.years"),
        ({**TINY_RUN, "years": "ten"}, "body.years"),
        ({**TINY_RUN, "replicates": 10**9}, "body.replicates"),
        ({**TINY_RUN, "bogus": 1}, "body.bogus: Extra inputs are not permitted"),
        ({**TINY_RUN, "start": "2027-13-01"}, "body.start"),
        ({**TINY_RUN, "levers": {"enforcement_effort": -1}}, "body.levers.enforcement_effort"),
        ({"years": 1}, "body.jurisdiction: Field required"),
        ({**TINY_RUN, "jurisdiction": "XX"}, "unknown jurisdiction 'XX'"),
        ({**TINY_RUN, "reform": "US-MA+nope"}, "unknown reform 'nope'"),
        ({**TINY_RUN, "reform": "SE@1999-01-01"}, "law of SE, not of US-MA"),
        ({**TINY_RUN, "scenario": "sweden-1999"}, "is for SE, not US-MA"),
        ({**TINY_RUN, "scenario": "nope"}, "unknown scenario 'nope'"),
        ({**TINY_RUN, "parameters": {"buyer.share_evr": 0.1}}, "did you mean 'buyer.share_ever'"),
        ({**TINY_RUN, "parameters": {"buyer.share_ever": 5}}, "outside the plausible range"),
        ({"jurisdiction": "NL", "reform": "none"}, "give population"),
        ({**TINY_RUN, "scale": 1, "years": 10, "replicates": 20}, "run too large"),
    ],
)
def test_run_requests_are_validated(client: TestClient, body: dict[str, Any], needle: str) -> None:
    before = client.get("/api/health").json()["active_runs"]
    assert needle in _err(client.post("/api/runs", json=body), 422)["detail"]
    assert needle in _err(client.post("/api/runs/plan", json=body), 422)["detail"]
    assert client.get("/api/health").json()["active_runs"] == before


def test_malformed_json_body(client: TestClient) -> None:
    resp = client.post("/api/runs", content=b"{not json", headers={"Content-Type": "application/json"})
    assert "JSON" in _err(resp, 422)["detail"]


def test_too_large_message_names_the_numbers(client: TestClient) -> None:
    body = {"jurisdiction": "US-MA", "years": 10, "replicates": 20, "scale": 1}
    detail = _err(client.post("/api/runs", json=body), 422)["detail"]
    sc = build_scenario(RunRequest.model_validate(body))
    assert f"{run_size(sc):,}" in detail and "200,000,000" in detail


# ------------------------------------------------------------------------------------------ planning


def test_plan_applies_levers_to_the_reform_arm(client: TestClient) -> None:
    body = {
        **TINY_RUN,
        "levers": {"enforcement_effort": 0.5, "exit_capacity": 2, "education_usd_per_year": 1234},
    }
    plan = client.post("/api/runs/plan", json=body).json()
    tpl = load_scenario("massachusetts-equality-model")
    sc = plan["scenario"]
    ref_impl, tpl_ref = sc["reform_implementation"], tpl.reform_implementation
    assert tpl_ref is not None
    assert ref_impl["services"]["housing"]["capacity"] == tpl_ref.services.housing.capacity * 2
    assert ref_impl["enforcement"]["buyer_arrests_per_1000_purchases"]["street"] == pytest.approx(
        tpl_ref.enforcement.buyer_arrests_per_1000_purchases.street * 0.5
    )
    assert ref_impl["education_usd_per_year"] == 1234
    assert sc["baseline_implementation"] == tpl.baseline_implementation.model_dump(mode="json")
    assert (sc["baseline"], sc["reform"], sc["start"]) == ("US-MA", "US-MA+equality-model", "2027-01-01")
    built = build_scenario(RunRequest.model_validate(body))
    assert plan["size"] == agents(built) * simulated_weeks(built) * built.replicates == run_size(built)


def test_plan_without_a_template_needs_population(client: TestClient) -> None:
    body = {
        "jurisdiction": "NL",
        "population": {"total": 17_000_000, "adult_men": 6_500_000},
        "reform": "none",
        "start": "2010-01-01",
        **{k: TINY_RUN[k] for k in ("years", "replicates", "scale")},
    }
    plan = client.post("/api/runs/plan", json=body)
    assert plan.status_code == 200, plan.text
    sc = plan.json()["scenario"]
    assert sc["baseline"] == "NL@2009-12-31" and sc["reform"] is None
    assert sc["population"]["adult_men"] == 6_500_000


def test_bare_reform_id_is_accepted(client: TestClient) -> None:
    plan = client.post("/api/runs/plan", json={**TINY_RUN, "reform": "equality-model"}).json()
    assert plan["scenario"]["reform"] == "US-MA+equality-model"


# ------------------------------------------------------------------------------------------ runs


def test_run_lifecycle(client: TestClient) -> None:
    resp = client.post("/api/runs", json=TINY_RUN)
    assert resp.status_code == 202, resp.text
    run = resp.json()
    assert resp.headers["location"] == f"/api/runs/{run['id']}"
    assert run["status"] in ("queued", "starting", "running")
    early = client.get(f"/api/runs/{run['id']}/results")
    if early.status_code != 200:  # the run may already be done on a fast machine
        assert "has no results" in _err(early, 409)["detail"]
    seen = []
    deadline = time.monotonic() + 120
    while True:
        st = client.get(f"/api/runs/{run['id']}").json()
        seen.append(st["progress"])
        if st["status"] in ("done", "failed", "cancelled") or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert st["status"] == "done", st
    assert st["progress"] == 1.0 and seen == sorted(seen)
    assert any(r["id"] == run["id"] for r in client.get("/api/runs").json())

    res = client.get(f"/api/runs/{run['id']}/results").json()
    series = res["series"]
    n = len(series["dates"])
    assert n == 4  # quarters of one year
    for name, s in series["outcomes"].items():
        for arm in ("baseline", "reform"):
            b = s[arm]
            assert len(b["mean"]) == len(b["lo"]) == len(b["hi"]) == n, name
            assert all(
                lo <= m + 1e-9 and m <= hi + 1e-9
                for lo, m, hi in zip(b["lo"], b["mean"], b["hi"], strict=True)
            )
    assert {r["year"] for r in res["summary"]} == {1}

    csv = client.get(res["links"]["csv"])
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("outcome,year,baseline_mean")
    nc = client.get(res["links"]["netcdf"])
    assert nc.status_code == 200
    ds = xr.load_dataset(io.BytesIO(nc.content), engine="h5netcdf")
    assert dict(ds.sizes)["arm"] == 2 and dict(ds.sizes)["replicate"] == 2 and dict(ds.sizes)["week"] == 52


def test_too_many_jobs_responsiveness_and_cancel(client: TestClient) -> None:
    """Two long runs fill the server; a third is refused; the API stays quick; cancelling stops them."""
    ids = []
    try:
        for _ in range(2):
            resp = client.post("/api/runs", json=LONG_RUN)
            assert resp.status_code == 202, resp.text
            ids.append(resp.json()["id"])
        for rid in ids:
            st = wait_for(client, rid, until=("running", "done", "failed", "cancelled"), timeout=90)
            assert st["status"] == "running", st
        refused = client.post("/api/runs", json=TINY_RUN)
        assert "too many runs at once" in _err(refused, 429)["detail"]
        assert refused.headers["retry-after"]
        times = []
        for _ in range(20):
            t0 = time.perf_counter()
            assert client.get("/api/laws").status_code == 200
            times.append(time.perf_counter() - t0)
        assert statistics.median(times) < 0.25 and max(times) < 2.0, times
        st = client.get(f"/api/runs/{ids[0]}").json()
        assert st["status"] == "running" and 0 <= st["progress"] < 1
    finally:
        for rid in ids:
            client.delete(f"/api/runs/{rid}")
    for rid in ids:
        st = wait_for(client, rid, timeout=30)
        assert st["status"] == "cancelled" and st["error"] == "cancelled by request", st
        assert "has no results" in _err(client.get(f"/api/runs/{rid}/results"), 409)["detail"]
    # the server takes runs again (workers stopped cooperatively, or were replaced)
    again = client.post("/api/runs", json=TINY_RUN)
    assert again.status_code == 202, again.text
    assert wait_for(client, again.json()["id"])["status"] == "done"


def test_time_limit_cancels_cleanly(client: TestClient, web_app: FastAPI) -> None:
    jobs: JobManager = web_app.state.jobs
    original = jobs.settings
    jobs.settings = original.with_(job_timeout=2.0)
    try:
        resp = client.post("/api/runs", json=LONG_RUN)
        assert resp.status_code == 202, resp.text
        st = wait_for(client, resp.json()["id"], timeout=60)
    finally:
        jobs.settings = original
    assert st["status"] == "cancelled", st
    assert st["error"] == "cancelled: time limit of 2 s exceeded"
    assert st["elapsed_seconds"] < 2.0 + 2 + 5  # limit + grace + slack
    job = jobs.get(st["id"])
    assert job is not None and job.out_dir is not None and not job.out_dir.exists()  # partial files removed
    after = client.post("/api/runs", json=TINY_RUN)
    assert after.status_code == 202
    assert wait_for(client, after.json()["id"])["status"] == "done"


def test_finished_runs_are_evicted_beyond_keep_runs() -> None:
    from equality_model.web.config import Settings

    mgr = JobManager(Settings(keep_runs=2))
    sc = build_scenario(RunRequest.model_validate(TINY_RUN))
    for i in range(4):
        job = Job(id=f"j{i}", scenario=sc, size=1, created=float(i), status="done")
        job.out_dir = mgr.root / job.id
        job.out_dir.mkdir()
        mgr.jobs[job.id] = job
    active = Job(id="live", scenario=sc, size=1, created=0.5, status="running")
    mgr.jobs["live"] = active
    with mgr.lock:
        mgr._evict()
    assert set(mgr.jobs) == {"j2", "j3", "live"}
    assert not (mgr.root / "j0").exists() and (mgr.root / "j3").exists()
    mgr.close()
    assert not mgr.jobs
