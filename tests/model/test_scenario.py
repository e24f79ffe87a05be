"""Scenarios: loading by name or path, validation errors that name the file, line and field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from equality_model.errors import InputError
from equality_model.model.scenario import Scenario, builtin_names, load_scenario, scenarios_dir

from .simkit import MA, implementation

MA_TEXT = (scenarios_dir() / f"{MA}.yaml").read_text(encoding="utf-8")


def _write(tmp_path: Path, old: str, new: str, name: str = "scenario.yaml") -> tuple[Path, str]:
    assert old in MA_TEXT, old
    text = MA_TEXT.replace(old, new, 1)
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p, text


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _error(path: Path | str) -> InputError:
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    return exc.value


# ------------------------------------------------------------------------------------- loading


def test_builtin_by_name_and_by_path_are_the_same(tmp_path: Path) -> None:
    by_name = load_scenario(MA)
    p = tmp_path / "copy.yaml"
    p.write_text(MA_TEXT, encoding="utf-8")
    assert load_scenario(p) == by_name == load_scenario(str(p))
    assert MA in builtin_names()
    assert by_name.baseline == "US-MA" and by_name.reform == "US-MA+equality-model"
    assert by_name.start == dt.date(2027, 1, 1)


def test_weeks_and_arm_implementations(ma: Scenario) -> None:
    assert ma.weeks == ma.years * 52 and ma.burn_in_weeks == ma.burn_in_years * 52
    assert ma.implementation("baseline") == ma.baseline_implementation
    assert ma.implementation("reform") == ma.reform_implementation != ma.baseline_implementation
    no_reform_imp = Scenario.model_validate({**ma.model_dump(), "reform_implementation": None})
    assert no_reform_imp.implementation("reform") == ma.baseline_implementation


def test_fingerprint_is_stable_and_tracks_every_input(ma: Scenario) -> None:
    again = Scenario.model_validate(ma.model_dump())
    assert again.fingerprint() == ma.fingerprint() and len(ma.fingerprint()) == 16
    changes = [
        {"seed": ma.seed + 1},
        {"parameters": {"buyer.share_ever": 0.15}},
        {"baseline_implementation": implementation(ma, education_usd_per_year=1.0)},
    ]
    prints = {Scenario.model_validate({**ma.model_dump(), **c}).fingerprint() for c in changes}
    assert len(prints) == len(changes) and ma.fingerprint() not in prints


def test_parameters_become_a_param_set(ma: Scenario) -> None:
    sc = Scenario.model_validate({**ma.model_dump(), "parameters": {"buyer.share_ever": 0.15}})
    assert sc.params()["buyer.share_ever"] == 0.15
    assert sc.params().changed() == {"buyer.share_ever": 0.15}
    assert ma.params().changed() == {}


# ---------------------------------------------------------------------------------- bad input


def test_unknown_scenario_name_lists_the_builtins() -> None:
    err = _error("no-such-scenario")
    assert err.field == "scenario"
    assert "unknown scenario 'no-such-scenario'" in str(err) and MA in str(err)


def test_missing_file(tmp_path: Path) -> None:
    err = _error(tmp_path / "missing.yaml")
    assert err.file == str(tmp_path / "missing.yaml") and "file not found" in str(err)


def test_unknown_parameter_names_file_line_and_field(tmp_path: Path) -> None:
    p, text = _write(tmp_path, "parameters: {}", "parameters:\n  buyer.share_evr: 0.1")
    err = _error(p)
    assert err.file == str(p)
    assert err.line == _line_of(text, "buyer.share_evr")
    assert err.field == "parameters.buyer.share_evr"
    assert "unknown parameter 'buyer.share_evr'" in str(err) and "did you mean 'buyer.share_ever'" in str(err)
    assert str(err).startswith(f"{p}:{err.line}: field 'parameters.buyer.share_evr': ")


@pytest.mark.parametrize(
    ("value", "needle"),
    [("0.9", "outside the plausible range [0.07, 0.21]"), ("lots", "expected a number"), ("true", "number")],
)
def test_bad_parameter_value(tmp_path: Path, value: str, needle: str) -> None:
    p, text = _write(tmp_path, "parameters: {}", f"parameters:\n  buyer.share_ever: {value}")
    err = _error(p)
    assert (err.file, err.line, err.field) == (
        str(p),
        _line_of(text, "buyer.share_ever"),
        "parameters.buyer.share_ever",
    )
    assert needle in str(err)


@pytest.mark.parametrize(
    ("old", "new", "field", "needle"),
    [
        ("replicates: 20", "replicate: 20", "replicate", "did you mean 'replicates'"),
        ("years: 10", "years: 0", "years", "greater than or equal to 1"),
        ("scale: 1\n", "scale: 0.5\n", "scale", "greater than or equal to 1"),
        ("seed: 20261121", "seed: -4", "seed", "greater than or equal to 0"),
        ("start: 2027-01-01", "start: 2027-02-30", "start", "date"),
        (
            "    demand_course: false",
            "    demand_curse: false",
            "baseline_implementation.enforcement.demand_curse",
            "did you mean 'demand_course'",
        ),
        (
            "substance_use: {capacity: 15,",
            "substance_use: {capacity: -15,",
            "baseline_implementation.services.substance_use.capacity",
            "greater than or equal to 0",
        ),
        (
            "    priority: trafficked_first",
            "    priority: loudest_first",
            "reform_implementation.services.priority",
            "fifo",
        ),
        ("reform: US-MA+equality-model", "reform: US-XX", "reform", "unknown jurisdiction 'US-XX'"),
        ("baseline: US-MA\n", "baseline: US-MA@2027-13-01\n", "baseline", "expected a date"),
    ],
)
def test_bad_field_names_file_line_and_field(
    tmp_path: Path, old: str, new: str, field: str, needle: str
) -> None:
    p, text = _write(tmp_path, old, new)
    err = _error(p)
    assert err.file == str(p)
    assert err.field == field
    assert err.line == _line_of(text, new.strip()), str(err)
    assert needle in str(err)
    assert "\n" not in str(err)


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    p, text = _write(tmp_path, "seed: 20261121", "seed: [20261121")
    err = _error(p)
    assert err.file == str(p) and "invalid YAML" in str(err)
    assert err.line is not None and _line_of(text, "seed:") <= err.line <= _line_of(text, "seed:") + 2


@pytest.mark.parametrize("text", ["- a\n- b\n", "", "just a string\n"])
def test_a_scenario_must_be_a_mapping(tmp_path: Path, text: str) -> None:
    p = tmp_path / "s.yaml"
    p.write_text(text, encoding="utf-8")
    err = _error(p)
    assert err.file == str(p) and "expected a mapping" in str(err)


def test_unknown_parameter_in_python_api_is_an_input_error(ma: Scenario) -> None:
    with pytest.raises(InputError, match="unknown parameter 'nope'"):
        Scenario.model_validate({**ma.model_dump(), "parameters": {"nope": 1.0}})
