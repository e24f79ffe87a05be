"""`equality-model laws …`: the CLI contract of the issue (JSON shapes, tables, and bad input)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from conftest import GOOD_JURISDICTION, GOOD_REFORM
from equality_model.cli import app


def run(runner: CliRunner, *args: str | Path) -> Result:
    """Invoke ``laws …`` with a wide console, so table cells do not wrap mid-phrase."""
    return runner.invoke(app, ["laws", *map(str, args)], env={"COLUMNS": "300"})


def run_json(runner: CliRunner, *args: str | Path) -> Any:
    result = run(runner, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# ------------------------------------------------------------------------------------------ list


def test_list_json(runner: CliRunner) -> None:
    rows = run_json(runner, "list", "--on", "2020-01-01")
    assert isinstance(rows, list)
    by_id = {r["id"]: r for r in rows}
    for r in rows:
        assert {"id", "name", "regime_type", "in_force_from"} <= set(r)
    se = by_id["SE"]
    assert se["regime_type"] == "equality_model" and se["in_force_from"] == "2020-01-01"
    assert se["pillars"] == {"decriminalize": "full", "demand": "full", "exit": "none"}
    assert {"version", "label", "role", "verified"} <= set(se)
    reform = by_id["US-MA+equality-model"]
    assert reform["kind"] == "reform" and reform["regime_type"] == "equality_model"


def test_list_on_a_date_picks_the_version_then_in_force(runner: CliRunner) -> None:
    old = {r["id"]: r for r in run_json(runner, "list", "--on", "2005-01-01")}
    assert old["SE"]["version"] == "SE-1999"
    assert old["US-ME"]["regime_type"] == "prohibition"


def test_list_table(runner: CliRunner) -> None:
    result = run(runner, "list")
    assert result.exit_code == 0
    for text in ("SE", "Sweden", "US-MA+equality-model", "Equality Model"):
        assert text in result.stdout


def test_list_includes_user_jurisdictions(runner: CliRunner, user_catalog) -> None:
    root = user_catalog({"XA.yaml": GOOD_JURISDICTION})
    rows = run_json(runner, "list", "--catalog", root)
    xa = next(r for r in rows if r["id"] == "XA")
    assert xa["regime_type"] == "equality_model" and xa["version"] == "XA-2010"
    # Before the catalogue starts: the row stays, and says why it has no regime.
    rows = run_json(runner, "list", "--catalog", root, "--on", "1990-01-01")
    xa = next(r for r in rows if r["id"] == "XA")
    assert xa["regime_type"] is None and "no version" in xa["note"]


# ------------------------------------------------------------------------------------------ show


def test_show_json_is_the_full_regime_plus_scorecard(runner: CliRunner) -> None:
    d = run_json(runner, "show", "US-MA")
    for key in (
        "jurisdiction_id",
        "offences",
        "exit_services",
        "record_relief",
        "regulation",
        "sources",
        "scorecard",
        "unverified",
    ):
        assert key in d
    buy = next(o for o in d["offences"] if o["id"] == "ma-buy")
    assert "class" in buy["penalty"]  # penalty class under its YAML name
    assert d["scorecard"]["regime_type"] == "prohibition"
    assert any("unverified" not in m and ":" in m for m in d["unverified"])


def test_show_table(runner: CliRunner) -> None:
    result = run(runner, "show", "US-MA")
    assert result.exit_code == 0
    for text in (
        "Offences for people in prostitution",
        "Offences for buyers",
        "Offences for exploiters",
        "c. 272 § 53A",
        "Record relief",
        "vacatur",
        "Sources",
        "Unverified",
    ):
        assert text in result.stdout, text


def test_show_table_survives_brackets_in_data(runner: CliRunner, user_catalog) -> None:
    """Rich markup must never eat data: a citation like '[bold]' is printed as written."""
    root = user_catalog({"XA.yaml": GOOD_JURISDICTION.replace("Test Code art. 1", "Code [bold] art. 1")})
    result = run(runner, "show", "XA@2005-01-01", "--catalog", root)
    assert result.exit_code == 0, result.output
    assert "Code [bold] art. 1" in result.stdout


# ------------------------------------------------------------------------------------------ eval


def test_eval_france_2017_contract_example(runner: CliRunner) -> None:
    d = run_json(runner, "eval", "FR@2017-01-01", "--act", "buy", "--party", "buyer")
    assert list(d)[:1] == ["regime"] and "offences" in d
    [o] = d["offences"]
    assert {"id", "act", "party", "penalty", "citation"} <= set(o)
    assert {"class", "fine_min", "fine_max", "currency", "custody_max_months"} <= set(o["penalty"])
    assert o["penalty"]["fine_max"] == 1500 and o["penalty"]["currency"] == "EUR"
    assert "contravention" in o["penalty"]["class"]
    assert (o["act"], o["party"]) == ("buy", "buyer")


def test_eval_lawful_act_gives_an_empty_list(runner: CliRunner) -> None:
    d = run_json(runner, "eval", "SE", "--act", "sell", "--party", "seller")
    assert d["offences"] == [] and d["lawful"] is True


def test_eval_flags_are_circumstances(runner: CliRunner) -> None:
    plain = run_json(runner, "eval", "SE@2021-01-01", "--act", "buy", "--party", "buyer")
    minor = run_json(runner, "eval", "SE@2021-01-01", "--act", "buy", "--party", "buyer", "--minor")
    assert minor["circumstances"] == ["minor"]
    assert (
        minor["offences"][0]["penalty"]["custody_max_months"]
        > plain["offences"][0]["penalty"]["custody_max_months"]
    )
    both = run_json(
        runner,
        "eval",
        "US-MA",
        "--act",
        "buy",
        "--party",
        "buyer",
        "--trafficked",
        "--circumstance",
        "minor",
        "-c",
        "repeat",
    )
    assert both["circumstances"] == ["minor", "repeat", "trafficked"]


def test_eval_table(runner: CliRunner) -> None:
    result = run(runner, "eval", "US-MA", "--act", "buy", "--party", "buyer", "--minor")
    assert result.exit_code == 0
    assert "ma-buy" in result.stdout and "10,000 USD" in result.stdout
    lawful = run(runner, "eval", "SE", "--act", "sell", "--party", "seller")
    assert "Lawful" in lawful.stdout


# ------------------------------------------------------------------------------------------ score


def test_score_reform_contract_example(runner: CliRunner) -> None:
    d = run_json(runner, "score", "US-MA+equality-model")
    assert d["regime_type"] == "equality_model"
    assert set(d["pillars"]) == {"decriminalize", "demand", "exit"}
    for p in d["pillars"].values():
        assert p["level"] in {"full", "partial", "none"} and isinstance(p["reasons"], list)


def test_score_canada_after_2014_contract_example(runner: CliRunner) -> None:
    d = run_json(runner, "score", "CA@2015-01-01")
    dec = d["pillars"]["decriminalize"]
    assert dec["level"] == "partial"
    assert any("s. 213" in r for r in dec["reasons"])


def test_score_uses_history_for_pillar_one(runner: CliRunner, user_catalog) -> None:
    """XA-2010 has expungement; without it, only the history (selling was an offence) decides."""
    text = GOOD_JURISDICTION.replace(
        "      kind: expungement\n      mode: automatic\n      citation: Test Code art. 9\n",
        "      kind: none\n",
    )
    d = run_json(runner, "score", "XA", "--catalog", user_catalog({"XA.yaml": text}))
    assert d["pillars"]["decriminalize"]["level"] == "partial"  # past convictions remain on record


def test_score_table(runner: CliRunner) -> None:
    result = run(runner, "score", "SE")
    assert result.exit_code == 0
    assert "Equality Model (Nordic model)" in result.stdout and "Brottsbalken" in result.stdout


# ------------------------------------------------------------------------------------------ diff


def test_diff_json(runner: CliRunner) -> None:
    d = run_json(runner, "diff", "US-MA", "US-MA+equality-model")
    assert {"a", "b", "a_label", "b_label", "changes"} <= set(d)
    assert d["b"] == "US-MA+equality-model"
    kinds = {c["kind"] for c in d["changes"]}
    assert {"offence_removed", "record_relief", "exit_service_added"} <= kinds
    assert all(c["citation"] for c in d["changes"])
    assert d["scorecards"]["b"]["regime_type"] == "equality_model"


def test_diff_table_is_what_a_staffer_needs(runner: CliRunner) -> None:
    result = run(runner, "diff", "US-MA", "US-MA+equality-model")
    out = result.stdout
    assert result.exit_code == 0
    # grouped by who, in this order
    heads = ["People in prostitution", "Buyers", "Exploiters", "Survivors"]
    positions = [out.index(h) for h in heads]
    assert positions == sorted(positions)
    # what changes, old vs new, with citations
    assert "offence repealed" in out and "not an offence" in out
    assert "repealed by H.1683" in out and "c. 272 § 53A(a)" in out
    assert "expungement" in out and "vacatur" in out
    # what does not change is said too: buying stays an offence
    assert "Buyers: no change" in out and "c. 272 § 53A(b)" in out
    assert "Prohibition" in out and "Equality Model (Nordic model)" in out


def test_diff_of_a_regime_with_itself(runner: CliRunner) -> None:
    assert run_json(runner, "diff", "SE", "SE")["changes"] == []
    assert "No changes" in run(runner, "diff", "SE", "SE").stdout


def test_diff_penalty_change_shows_old_and_new(runner: CliRunner, user_catalog) -> None:
    root = user_catalog({"jurisdictions/XA.yaml": GOOD_JURISDICTION, "reforms/xa-bill.yaml": GOOD_REFORM})
    out = run(runner, "diff", "XA", "XA+xa-bill", "--catalog", root).stdout
    assert "penalty changed" in out and "fine up to 3,000 EUR" in out and "fine up to 5,000 EUR" in out
    assert "exit service added" in out and "xa-exit" in out


# ------------------------------------------------------------------------------------------ check


def test_check_passes_on_the_builtin_cases(runner: CliRunner) -> None:
    d = run_json(runner, "check")
    assert d["passed"] >= 5


def test_check_runs_user_cases_and_fails_with_exit_1(runner: CliRunner, user_catalog) -> None:
    cases = """\
    jurisdiction: XA
    cases:
      - name: buying is an offence
        regime: XA@2005-01-01
        act: buy
        party: buyer
        expect:
          offences: [{id: xa-buy, fine_max: 1500}]
      - name: wrong on purpose
        regime: XA
        act: sell
        party: seller
        expect:
          offences: [xa-sell]
    """
    root = user_catalog({"XA.yaml": GOOD_JURISDICTION, "legal_cases/XA.yaml": cases})
    result = run(runner, "check", root / "legal_cases" / "XA.yaml", "--catalog", root, "--format", "json")
    assert result.exit_code == 1
    d = json.loads(result.stdout)
    assert (d["passed"], d["failed"]) == (1, 1)
    table = run(runner, "check", "--catalog", root)
    assert table.exit_code == 1 and "FAIL" in table.stdout and "wrong on purpose" in table.stdout


# ------------------------------------------------------------------------------------------ bad input


def assert_one_line_error(result: Result, *needles: str) -> str:
    """Exit 2, one line on stderr starting with 'error:', nothing on stdout, no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    err = result.stderr
    assert err.startswith("error: ") and err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in result.output
    assert result.stdout == ""
    for n in needles:
        assert n in err, (n, err)
    return err


@pytest.mark.parametrize(
    "args",
    [
        ("eval", "SE", "--act", "bye", "--party", "buyer"),
        ("list",),
        ("show", "SE"),
        ("score", "SE"),
        ("diff", "SE", "SE"),
    ],
)
def test_every_verb_accepts_catalog_and_format(
    runner: CliRunner, args: tuple[str, ...], user_catalog
) -> None:
    root = user_catalog({"XA.yaml": GOOD_JURISDICTION})
    result = run(runner, *args, "--catalog", root, "--format", "json")
    if "bye" in args:
        assert_one_line_error(result, "unknown act 'bye'")
    else:
        assert result.exit_code == 0 and json.loads(result.stdout) is not None


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (
            ("eval", "SE", "--act", "bye", "--party", "buyer"),
            ("field 'act'", "unknown act 'bye'", "expected one of sell, buy, solicit_public"),
        ),
        (
            ("eval", "SE", "--act", "buy", "--party", "pimp"),
            ("field 'party'", "unknown party 'pimp'", "expected one of seller, buyer, third_party"),
        ),
        (
            ("eval", "SE", "--act", "buy", "--party", "buyer", "-c", "teen"),
            ("field 'circumstances'", "unknown circumstance 'teen'", "minor"),
        ),
        (
            ("eval", "FR@2017-13-45", "--act", "buy", "--party", "buyer"),
            ("field 'regime date'", "expected a date as YYYY-MM-DD", "2017-13-45"),
        ),
        (("list", "--on", "2017-02-30"), ("field '--on'", "expected a date as YYYY-MM-DD", "2017-02-30")),
        (("show", "XX"), ("field 'jurisdiction'", "unknown jurisdiction 'XX'", "expected one of", "SE")),
        (
            ("show", "US-MA+nope"),
            ("field 'reform'", "unknown reform 'nope'", "expected one of equality-model"),
        ),
        (("score", "SE+equality-model"), ("field 'regime'", "use US-MA+equality-model")),
        (("diff", "SE", "S E"), ("field 'regime'", "expected ID, ID@YYYY-MM-DD or ID+REFORM")),
        (
            ("show", "SE", "--catalog", "/nonexistent/folder"),
            ("/nonexistent/folder", "catalog folder not found"),
        ),
    ],
)
def test_bad_command_line_input(runner: CliRunner, args: tuple[str, ...], needles: tuple[str, ...]) -> None:
    assert_one_line_error(run(runner, *args), *needles)


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


BAD_FILES = {
    "invalid YAML syntax": (
        {"XA.yaml": GOOD_JURISDICTION.replace("name: Testland", "name: [Testland")},
        "XA.yaml",
        "currency: EUR",
        None,
        ("invalid YAML", "expected"),
    ),  # the line where PyYAML detects it
    "unknown field": (
        {
            "XA.yaml": GOOD_JURISDICTION.replace(
                "        party: buyer", "        party: buyer\n        penality: 3"
            )
        },
        "XA.yaml",
        "penality: 3",
        "versions.0.offences.1.penality",
        ("unknown field",),
    ),
    "missing field": (
        {"jurisdictions/XA.yaml": GOOD_JURISDICTION.replace("    label: Buying only\n", "")},
        "jurisdictions/XA.yaml",
        "- id: XA-2010",
        "versions.1.label",
        ("missing required field",),
    ),
    "bad value": (
        {"XA.yaml": GOOD_JURISDICTION.replace("act: buy", "act: purchase")},
        "XA.yaml",
        "act: purchase",
        "versions.0.offences.1.act",
        ("'sell', 'buy'", "got 'purchase'"),
    ),
    "bad date in a file": (
        {"XA.yaml": GOOD_JURISDICTION.replace("2010-01-01", "2010-13-45")},
        "XA.yaml",
        "2010-13-45",
        "versions.1.in_force_from",
        ("valid date", "got '2010-13-45'"),
    ),
    "inconsistent penalty": (
        {
            "XA.yaml": GOOD_JURISDICTION.replace(
                "          fine_max: 500\n", "          fine_max: 500\n          fine_min: 900\n"
            )
        },
        "XA.yaml",
        "        penalty:",
        "versions.0.offences.0.penalty",
        ("fine_min (900.0) exceeds fine_max",),
    ),
    "reform that does not match its baseline": (
        {
            "XA.yaml": GOOD_JURISDICTION,
            "reforms/xa-bill.yaml": GOOD_REFORM.replace("    offence: xa-buy", "    offence: xa-sell"),
        },
        "reforms/xa-bill.yaml",
        "offence: xa-sell",
        "changes.0.offence",
        ("amends offence 'xa-sell', which the baseline does not have", "expected one of xa-buy"),
    ),
    "reform of an unknown jurisdiction": (
        {
            "XA.yaml": GOOD_JURISDICTION,
            "reforms/xa-bill.yaml": GOOD_REFORM.replace("applies_to: XA", "applies_to: XB"),
        },
        "reforms/xa-bill.yaml",
        "applies_to: XB",
        "applies_to",
        ("unknown jurisdiction 'XB'", "expected one of"),
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES), ids=list(BAD_FILES))
def test_bad_catalog_file(runner: CliRunner, user_catalog, case: str) -> None:
    files, rel, line_needle, field, needles = BAD_FILES[case]
    root = user_catalog(files)
    path = root / rel
    line = _line_of(path.read_text(), line_needle)
    err = assert_one_line_error(run(runner, "list", "--catalog", root), *needles)
    assert f"error: {path}:{line}: " in err, err
    if field:
        assert f"field '{field}'" in err


def test_unknown_field_message_lists_the_expected_fields(runner: CliRunner, user_catalog) -> None:
    root = user_catalog(BAD_FILES["unknown field"][0])
    err = assert_one_line_error(run(runner, "list", "--catalog", root))
    assert "penalty" in err.split("field 'versions.0.offences.1.penality'")[1]


def test_misspelt_required_field_is_reported_as_the_typo(runner: CliRunner, user_catalog) -> None:
    root = user_catalog({"XA.yaml": GOOD_JURISDICTION.replace("name: Testland", "nmae: Testland")})
    assert_one_line_error(run(runner, "list", "--catalog", root), "field 'nmae'")


# ------------------------------------------------------------------------------------------ installed command


def _command() -> list[str]:
    exe = shutil.which("equality-model", path=str(Path(sys.executable).parent)) or shutil.which(
        "equality-model"
    )
    return [exe] if exe else [sys.executable, "-c", "from equality_model.cli import main; main()"]


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (
            ["laws", "eval", "FR@2017-13-45", "--act", "buy", "--party", "buyer"],
            2,
            "expected a date as YYYY-MM-DD",
        ),
        (["laws", "eval", "SE", "--act", "bye", "--party", "buyer"], 2, "unknown act 'bye'"),
        (["laws", "eval", "FR@2017-01-01", "--act", "buy", "--party", "buyer", "--format", "json"], 0, ""),
    ],
)
def test_installed_command(args: list[str], code: int, needle: str) -> None:
    env = {**os.environ, "COLUMNS": "120"}
    env.pop("EQUALITY_MODEL_DEBUG", None)
    proc = subprocess.run([*_command(), *args], capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    if code:
        assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1 and needle in proc.stderr
        assert proc.stdout == ""
    else:
        assert json.loads(proc.stdout)["offences"][0]["penalty"]["fine_max"] == 1500
