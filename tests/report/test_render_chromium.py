"""Render the report in headless Chromium (no network) and take a screenshot.

Uses the ``chromium`` fixture (tests/conftest.py): skipped locally without Debian's chromium, fails under CI.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


def test_report_renders_offline_in_chromium(built, tmp_path: Path, chromium: dict) -> None:  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install playwright)")
    html = Path(built.html)
    # a copy alone in its folder: the page must not need the PNG files next to it
    alone = tmp_path / "alone.html"
    shutil.copyfile(html, alone)
    requested: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(**chromium)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})

            def block(route):  # type: ignore[no-untyped-def]
                url = route.request.url
                if url.startswith(("file:", "data:")):
                    return route.continue_()
                requested.append(url)
                return route.abort()

            page.route("**/*", block)
            page.goto(alone.as_uri(), wait_until="load")
            images = page.eval_on_selector_all("img", "els => els.map(e => [e.complete, e.naturalWidth])")
            headings = page.eval_on_selector_all("h2", "els => els.map(e => e.id)")
            width = page.evaluate("document.documentElement.scrollWidth")
            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert requested == []
    assert images and all(done and w > 300 for done, w in images)
    assert len(headings) == 10
    assert width <= 1280  # no horizontal scrolling at a laptop width
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 50_000
