"""The report folder: self-contained HTML with every section, PNG plots, NetCDF, CSV; rebuilt identically."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import xarray as xr
from typer.testing import CliRunner

from equality_model import cli
from equality_model.model.results import summary
from equality_model.model.scenario import Scenario
from equality_model.report import SECTIONS, build_report, load_results, parameter_hash
from equality_model.report.build import report_years, scenario_of
from equality_model.report.plots import figures
from equality_model.report.series import Panel, yearly

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class _Assets(HTMLParser):
    """Every resource the page would load, and its h2 headings."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.scripts = 0
        self.h2: list[str] = []
        self.img: list[str] = []
        self._in_h2 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "h2":
            self._in_h2 = True
            self.h2.append(a.get("id") or "")
        if tag == "img":
            self.img.append(a.get("src") or "")
        for attr in ("src", "srcset", "data", "poster"):
            if a.get(attr):
                self.loads.append((tag, attr, str(a[attr])))
        if tag == "link" and a.get("href"):
            self.loads.append((tag, "href", str(a["href"])))

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self._in_h2 = False


def _parse(html: str) -> _Assets:
    p = _Assets()
    p.feed(html)
    return p


def test_folder_holds_html_plots_netcdf_and_csv(built) -> None:  # type: ignore[no-untyped-def]
    for path in (built.html, built.netcdf, built.summary_csv, built.timeseries_csv, built.scenario):
        assert Path(path).is_file() and Path(path).stat().st_size > 0, path
    assert len(built.plots) >= 10
    for p in built.plots:
        assert p.parent.name == "plots" and p.read_bytes().startswith(PNG_MAGIC)
    csv = pd.read_csv(built.summary_csv)
    assert {"outcome", "year", "difference_lo", "difference_hi"} <= set(csv.columns)
    ts = pd.read_csv(built.timeseries_csv)
    assert {"figure", "series", "arm", "year", "p5", "median", "p95"} <= set(ts.columns)
    assert set(ts["arm"]) == {"baseline", "reform"}


def test_html_is_self_contained(html: str, built) -> None:  # type: ignore[no-untyped-def]
    page = _parse(html)
    assert page.scripts == 0
    external = [x for x in page.loads if not x[2].startswith("data:")]
    assert external == []
    style = "\n".join(re.findall(r"<style>(.*?)</style>", html, flags=re.S))
    assert "url(" not in style and "@import" not in style and "@font-face" not in style
    assert not re.search(r"""(src|href)=["']?(https?:)?//[^"']*\.(css|js|png|svg|woff2?|ttf)""", html)


def test_every_plot_is_embedded_as_a_data_uri_matching_its_png(html: str, built) -> None:  # type: ignore[no-untyped-def]
    page = _parse(html)
    assert len(page.img) == len(built.plots)
    embedded = {base64.b64decode(src.split(",", 1)[1]) for src in page.img}
    assert all(src.startswith("data:image/png;base64,") for src in page.img)
    assert embedded == {p.read_bytes() for p in built.plots}


def test_every_required_section_is_there_in_order(html: str) -> None:
    page = _parse(html)
    assert page.h2 == [sid for sid, _ in SECTIONS]
    for _sid, heading in SECTIONS:
        assert heading in html
    for words in (
        "What the model finds",  # plain-language summary
        "M.G.L. c. 272 § 53A(a)",  # the law diff cites the repealed selling offence
        "Exploitation hypothesis",
        "Displacement hypothesis",  # competing hypotheses side by side
        "ASSUMPTION",  # labelled assumptions in the parameter table
        "Parameter hash",
        "Scenario hash",
        "Exit services: demand and cost",
    ):
        assert words in html, words


def test_summary_sentences_come_from_the_numbers(html: str, tiny_results: xr.Dataset) -> None:
    df = summary(tiny_results, report_years(tiny_results))
    row = df[(df.outcome == "arrests_of_people_in_prostitution_per_year") & (df.year == 2)].iloc[0]
    assert row.reform_mean == 0 and row.baseline_mean > 0
    assert "fall to zero under the bill" in html
    assert "because selling is no longer an offence" in html
    # the reproducibility block names the run exactly
    sc = scenario_of(tiny_results)
    assert tiny_results.attrs["scenario_hash"] in html and parameter_hash(sc) in html
    assert f"--seed {sc.seed}" in html


def test_yearly_series_match_the_headline_summary(tiny_results: xr.Dataset) -> None:
    df = summary(tiny_results, (1, 2)).set_index(["outcome", "year"])
    stock = yearly(tiny_results, Panel("p", "people_in_prostitution", "sum", "stock"))
    flow = yearly(tiny_results, Panel("t", "transactions", "sum", "flow"))
    for yr in (1, 2):
        assert float(stock.sel(arm="reform", year=yr).mean()) == pytest.approx(
            df.loc[("people_in_prostitution", yr), "reform_mean"]
        )
        assert float(flow.sel(arm="baseline", year=yr).mean()) == pytest.approx(
            df.loc[("transactions_per_year", yr), "baseline_mean"]
        )


def test_report_command_rebuilds_the_same_report(built, html: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "again"
    res = CliRunner().invoke(cli.app, ["report", str(built.netcdf), "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    assert str(out / "report.html") in res.stdout
    again = (out / "report.html").read_text(encoding="utf-8")
    assert _parse(again).h2 == _parse(html).h2
    assert again == html  # a pure function of the results
    assert sorted(p.name for p in (out / "plots").iterdir()) == sorted(p.name for p in built.plots)


def test_scenario_file_reproduces_the_scenario_hash(built, tiny_results: xr.Dataset) -> None:  # type: ignore[no-untyped-def]
    from equality_model.model.scenario import load_scenario

    assert load_scenario(built.scenario).fingerprint() == tiny_results.attrs["scenario_hash"]
    assert "equality-model run scenario.yaml" in Path(built.html).read_text(encoding="utf-8")


def test_figures_cover_the_required_series(tiny_results: xr.Dataset) -> None:
    variables = {p.var for f in figures(tiny_results) for p in f.panels}
    for var in (
        "people_in_prostitution",
        "people_by_control",
        "active_buyers",
        "transactions",
        "arrests",
        "exits",
        "waiting_list",
        "in_service",
        "violence",
        "records_held",
        "cost",
        "fine_revenue",
    ):
        assert var in variables, var
    violence = next(f for f in figures(tiny_results) if f.key == "violence")
    assert len(violence.panels) == 3


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.nc", "no such file"),
        (lambda d: (d / "text.nc").write_text("not netcdf") and d / "text.nc", "not a NetCDF results file"),
        (
            lambda d: (
                xr.Dataset({"x": ("a", [1, 2])}).to_netcdf(d / "other.nc", engine="h5netcdf"),
                d / "other.nc",
            )[1],
            "not an equality-model results file",
        ),
        (lambda d: d, "got a folder"),
    ],
)
def test_bad_results_are_one_line_input_errors(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path)
    res = CliRunner().invoke(cli.app, ["report", str(path), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2
    assert res.stderr.startswith("error: ") and message in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_out_must_be_a_folder(built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = CliRunner().invoke(cli.app, ["report", str(built.netcdf), "--out", str(blocker)])
    assert res.exit_code == 2 and "expected a folder" in res.stderr


def test_load_results_accepts_what_save_wrote(built, tiny_results: xr.Dataset) -> None:  # type: ignore[no-untyped-def]
    ds = load_results(built.netcdf)
    assert ds.attrs["scenario_hash"] == tiny_results.attrs["scenario_hash"]
    xr.testing.assert_equal(ds["arrests"], tiny_results["arrests"])


def test_demo_command_runs_writes_and_prints(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tiny_scenario: Scenario
) -> None:
    from equality_model import cli_report
    from equality_model.model.results import with_settings

    monkeypatch.setattr(
        cli_report, "demo_scenario", lambda n, seed: with_settings(tiny_scenario, replicates=n, seed=seed)
    )
    out = tmp_path / "demo"
    res = CliRunner().invoke(
        cli.app,
        ["demo", "--out", str(out), "--replicates", "2", "--seed", "7", "--workers", "1", "--quiet"],
        env={"COLUMNS": "200"},  # a wide table, whatever terminal runs the tests
    )
    assert res.exit_code == 0, res.output
    assert "current law against the bill" in res.stdout  # the headline table's title
    assert "People in prostitution" in res.stdout
    assert f"Report: {out / 'report.html'}" in res.stdout
    assert (out / "report.html").is_file() and (out / "results.nc").is_file()
    assert (out / "results.summary.csv").is_file() and any((out / "plots").glob("*.png"))
    assert load_results(out / "results.nc").attrs["seed"] == 7


def test_demo_rejects_bad_settings(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli.app, ["demo", "--replicates", "0", "--out", str(tmp_path / "x")])
    assert res.exit_code == 2 and res.stderr.startswith("error: ")
    res = CliRunner().invoke(cli.app, ["demo", "--workers", "0", "--out", str(tmp_path / "y")])
    assert res.exit_code == 2
    assert res.stderr == "error: field 'workers': expected at least 1 worker process (got 0)\n"
    assert not (tmp_path / "y").exists()  # rejected before the report folder is made


def test_build_report_is_reusable_as_a_library(tiny_results: xr.Dataset, tmp_path: Path) -> None:
    files = build_report(tiny_results, tmp_path / "lib")
    assert files.html.is_file() and files.folder == tmp_path / "lib"
