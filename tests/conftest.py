"""Shared fixtures: the built-in catalogue, a CLI runner, and a writer for user catalogue folders."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from equality_model.law.catalog import Catalog, default_catalog

# The jurisdictions the catalogue must hold (the list).
EXPECTED_JURISDICTIONS = (
    "SE",
    "NO",
    "IS",
    "FR",
    "IE",
    "GB-NIR",
    "IL",
    "CA",
    "US-ME",
    "US-MA",
    "NL",
    "DE",
    "NZ",
    "US-NV",
    "US-RI",
)

# A minimal valid jurisdiction file, for user-folder (--catalog) tests. Line numbers matter to tests.
GOOD_JURISDICTION = """\
id: XA
name: Testland
currency: EUR
sources:
  - id: src1
    title: Test source
versions:
  - id: XA-2000
    label: Selling and buying are offences
    in_force_from: 2000-01-01
    offences:
      - id: xa-sell
        act: sell
        party: seller
        description: Selling sex.
        penalty:
          fine_max: 500
          currency: EUR
        citation: Test Code art. 1
      - id: xa-buy
        act: buy
        party: buyer
        description: Buying sex.
        penalty:
          fine_max: 1500
          currency: EUR
        citation: Test Code art. 2
    record_relief:
      kind: none
  - id: XA-2010
    label: Buying only
    in_force_from: 2010-01-01
    offences:
      - id: xa-buy
        act: buy
        party: buyer
        description: Buying sex.
        penalty:
          fine_max: 3000
          currency: EUR
          custody_max_months: 12
        citation: Test Code art. 2 (2010)
    record_relief:
      kind: expungement
      mode: automatic
      citation: Test Code art. 9
"""

GOOD_REFORM = """\
id: xa-bill
applies_to: XA
title: Test bill
start: 2030-01-01
label: Test bill
sources:
  - id: bill
    title: Bill text
changes:
  - op: amend_offence
    offence: xa-buy
    set:
      penalty:
        fine_max: 5000
        currency: EUR
    citation: Bill s. 1
  - op: add_exit_service
    exit_service:
      id: xa-exit
      description: Housing and job training for people leaving prostitution.
      kinds: [housing, training]
      citation: Bill s. 2
"""


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The built-in catalogue (cached by the library)."""
    return default_catalog()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def user_catalog(tmp_path: Path) -> Callable[..., Path]:
    """Write files into a fresh user catalogue folder: ``make({"jurisdictions/XA.yaml": text, ...})``."""

    def make(files: dict[str, str]) -> Path:
        root = tmp_path / "catalog"
        for rel, text in files.items():
            p = root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(textwrap.dedent(text), encoding="utf-8")
        root.mkdir(exist_ok=True)
        return root

    return make


# Debian's Chromium for the browser tests: never a Playwright download.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--headless=new",
)


@pytest.fixture(scope="session")
def chromium() -> dict[str, object]:
    """Launch options for Debian's Chromium: skipped locally without it, a failure under CI."""
    if not CHROMIUM.exists():
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
            pytest.fail(f"{CHROMIUM} is missing under CI: .ci/run should install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} not found (install Debian's chromium package to run the browser tests)")
    return {"executable_path": str(CHROMIUM), "args": list(CHROMIUM_ARGS)}
