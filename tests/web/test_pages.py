"""The HTML pages (server-rendered): content, filters, errors, and that every asset is local."""

from __future__ import annotations

import re
from pathlib import Path

import plotly
import pytest
from fastapi.testclient import TestClient

from equality_model.law.catalog import default_catalog

PAGES = ("/", "/laws", "/laws/US-MA", "/laws/US-MA%2Bequality-model", "/diff", "/scenarios", "/evidence")


@pytest.mark.parametrize("path", PAGES)
def test_pages_use_only_local_assets(client: TestClient, path: str) -> None:
    resp = client.get(path)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/html")
    html = resp.text
    assets = re.findall(r"<script[^>]*\ssrc=\"([^\"]+)\"", html) + re.findall(
        r"<link[^>]*\shref=\"([^\"]+)\"", html
    )
    assert assets, path
    for url in assets:
        assert url.startswith("/static/"), (path, url)
        assert client.get(url).status_code == 200, url
    assert "cdn" not in html.lower()
    for link in ("/laws", "/scenarios", "/evidence"):
        assert f'href="{link}"' in html


def test_plotly_is_the_packaged_file(client: TestClient) -> None:
    resp = client.get("/static/plotly.min.js")
    assert resp.status_code == 200 and "javascript" in resp.headers["content-type"]
    assert (
        len(resp.content) == (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").stat().st_size
    )


def test_no_cdn_docs_but_openapi(client: TestClient) -> None:
    assert client.get("/docs").status_code == 404
    schema = client.get("/openapi.json").json()
    for path in (
        "/api/laws",
        "/api/laws/{ref}",
        "/api/diff",
        "/api/eval",
        "/api/runs",
        "/api/runs/{run_id}",
        "/api/runs/{run_id}/results",
        "/api/evidence",
        "/api/scenarios",
        "/api/parameters",
    ):
        assert path in schema["paths"], path
    assert "202" in schema["paths"]["/api/runs"]["post"]["responses"]
    assert "429" in schema["paths"]["/api/runs"]["post"]["responses"]


def test_index_leads_to_the_sections(client: TestClient) -> None:
    html = client.get("/").text
    assert "15 jurisdictions" in html


def test_laws_table_and_server_side_filter(client: TestClient) -> None:
    html = client.get("/laws").text
    for jid in default_catalog().jurisdictions:
        assert f'data-id="{jid}"' in html, jid
    assert "15 of 15" not in html  # reforms are listed too
    filtered = client.get("/laws", params={"type": "equality_model", "kind": "jurisdiction"}).text
    rows = re.findall(r"<tr data-id=\"([^\"]+)\"[^>]*?(hidden)?>", filtered.replace("\n", " "))
    shown = {rid for rid, hidden in rows if not hidden}
    assert "SE" in shown and "DE" not in shown and "US-MA+equality-model" not in shown
    assert client.get("/laws", params={"on": "nope"}).status_code == 422


def test_regime_page_has_timeline_offences_and_sources(client: TestClient) -> None:
    html = client.get("/laws/SE").text
    assert 'id="timeline"' in html and html.count("<li") >= 2
    assert "Buyers" in html and 'id="sources"' in html
    assert "/diff?a=" in html  # each later version links to what it changed
    missing = client.get("/laws/XX")
    assert missing.status_code == 404 and "unknown jurisdiction" in missing.text


def test_diff_page_shows_the_bill(client: TestClient) -> None:
    html = client.get("/diff", params={"a": "US-MA", "b": "US-MA+equality-model"}).text
    assert "offence repealed" in html and "selling sex" in html
    assert "M.G.L. c. 272 § 53A(a)" in html
    assert "exit service added" in html
    assert client.get("/diff").status_code == 200  # defaults to the first reform
    assert client.get("/diff", params={"a": "XX", "b": "US-MA"}).status_code == 404


def test_scenarios_page_embeds_form_data(client: TestClient) -> None:
    html = client.get("/scenarios").text
    assert 'id="form-data"' in html and '"US-MA"' in html
    assert 'src="/static/plotly.min.js"' in html
    for field in (
        "jurisdiction",
        "reform",
        "start",
        "years",
        "replicates",
        "enforcement_effort",
        "exit_capacity",
    ):
        assert f'id="{field}"' in html, field


def test_evidence_page(client: TestClient) -> None:
    html = client.get("/evidence").text
    assert "Demand Abolition" in html and "Platt et al. (2018)" in html
    assert 'data-jurisdiction="NO"' not in html and 'data-jurisdiction="IE"' not in html
