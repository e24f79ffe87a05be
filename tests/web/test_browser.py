"""Browser tests in real headless Chromium (Debian's ``chromium``), driven by Playwright.

Playwright's own browser downloads are never used: Chromium is launched from /usr/bin/chromium with
``executable_path``. Without it the tests are skipped locally, and fail under CI (CI=true), where
``.ci/run`` installs it. Screenshots go to $EQUALITY_MODEL_SCREENSHOTS if set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from equality_model.law.catalog import default_catalog
from equality_model.web import Settings, create_app
from equality_model.web.server import serve_in_thread


@pytest.fixture(scope="module")
def base_url(chromium: dict) -> Iterator[str]:
    app = create_app(Settings(max_jobs=1, job_timeout=120, prewarm=True))
    with serve_in_thread(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser(base_url: str, chromium: dict) -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(**chromium)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    outside: list[str] = []
    pg.on(
        "request", lambda r: None if r.url.startswith((base_url, "data:", "blob:")) else outside.append(r.url)
    )
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    ctx.close()
    assert not outside, f"requests left the local server: {outside}"
    assert not errors, f"JavaScript errors: {errors}"


def _shot(pg: Page, name: str) -> None:
    folder = os.environ.get("EQUALITY_MODEL_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_laws_table_lists_all_jurisdictions(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/laws")
    rows = page.locator("#laws-table tbody tr[data-kind=jurisdiction]")
    assert rows.count() == 15
    ids = {rows.nth(i).get_attribute("data-id") for i in range(rows.count())}
    assert ids == set(default_catalog().jurisdictions)
    assert all(rows.nth(i).is_visible() for i in range(rows.count()))
    _shot(page, "laws")
    page.fill("#filter-q", "US-")
    visible = page.locator("#laws-table tbody tr:visible")
    assert {visible.nth(i).get_attribute("data-id")[:3] for i in range(visible.count())} == {"US-"}
    page.fill("#filter-q", "")
    page.select_option("#filter-type", "equality_model")
    types = page.locator("#laws-table tbody tr:visible")
    assert types.count() >= 5
    assert {types.nth(i).get_attribute("data-type") for i in range(types.count())} == {"equality_model"}


def test_jurisdiction_page_from_the_table(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/laws")
    page.click("#laws-table tr[data-id='SE'] td:first-child a")
    page.wait_for_url("**/laws/SE")
    assert page.locator("#timeline li").count() >= 2
    assert page.locator("#sources tbody tr").count() >= 1
    assert "Buyers" in page.inner_text("main")


def test_diff_page_shows_the_bills_changes(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/diff?a=US-MA&b=US-MA%2Bequality-model")
    sellers = page.locator("section[data-who='people in prostitution'] tr.offence_removed")
    assert sellers.count() >= 1
    text = sellers.first.inner_text()
    assert "offence repealed" in text and "selling sex" in text and "53A(a)" in text
    assert "not an offence" in text
    _shot(page, "diff")
    # choosing another pair in the form reloads the page with that comparison
    page.select_option("#diff-a", "SE@1999-01-01")
    page.click("#diff-form button")
    page.wait_for_url("**/diff?a=SE%401999-01-01*")


def test_small_scenario_run_ends_in_a_chart(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/scenarios")
    page.select_option("#jurisdiction", "US-MA")
    page.fill("#years", "1")
    page.fill("#replicates", "2")
    page.fill("#scale", "1000")
    page.fill("#exit_capacity", "2")
    page.click("#run")
    page.wait_for_selector("#status:not([hidden])")
    page.wait_for_selector(".js-plotly-plot svg", timeout=120_000)
    assert page.locator("#error").is_hidden()
    chart = page.locator("#chart-people_in_prostitution.js-plotly-plot svg.main-svg")
    assert chart.count() >= 1
    assert page.locator("#chart-people_in_prostitution path.js-fill").count() >= 2  # bands, both arms
    assert page.get_attribute("#download-csv", "href").endswith("/download.csv")
    assert page.locator("#summary-table tbody tr").count() >= 10
    assert "run=" in page.url
    _shot(page, "scenarios")


def test_refused_run_shows_the_reason(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/scenarios")
    page.fill("#years", "50")
    page.fill("#replicates", "1000")
    page.fill("#scale", "1")
    page.click("#run")
    page.wait_for_selector("#error:not([hidden])")
    assert "run too large" in page.inner_text("#error")


def test_evidence_page_filters(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/evidence")
    total = page.locator("#evidence-table tbody tr").count()
    page.select_option("#filter-jurisdiction", "SE")
    shown = page.locator("#evidence-table tbody tr:visible")
    assert 0 < shown.count() < total
    assert "Länsstyrelsen" in page.inner_text("#evidence-table")
    _shot(page, "evidence")
