"""The parameter registry: every parameter is bounded and sourced; overrides are checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from equality_model.errors import InputError
from equality_model.model import params as params_mod
from equality_model.model.params import (
    ParamSet,
    check_override,
    load_param_file,
    registry,
    registry_table,
)

MODEL_SRC = Path(params_mod.__file__).parent


def test_registry_entries_are_bounded_and_sourced() -> None:
    reg = registry()
    assert len(reg) > 40
    for name, spec in reg.items():
        assert re.fullmatch(r"[a-z]+\.[a-z0-9_]+", name), name
        lo, hi = spec.range
        assert lo <= spec.default <= hi, name
        assert spec.source or spec.assumption, name
        assert spec.unit and spec.description.strip(), name


def test_default_param_set_is_the_registry_defaults() -> None:
    p = ParamSet.default()
    assert {k: p[k] for k in registry()} == {k: v.default for k, v in registry().items()}
    assert p.changed() == {}


def test_overrides_are_checked_and_reported() -> None:
    p = ParamSet.default().with_overrides({"buyer.share_ever": 0.1, "seller.age_out": 50})
    assert p["buyer.share_ever"] == 0.1 and isinstance(p["seller.age_out"], float)
    assert p.changed() == {"buyer.share_ever": 0.1, "seller.age_out": 50.0}
    assert ParamSet.default()["buyer.share_ever"] == registry()["buyer.share_ever"].default  # not mutated


@pytest.mark.parametrize("edge", [0, 1])
def test_range_ends_are_accepted(edge: int) -> None:
    lo_hi = registry()["buyer.share_ever"].range
    assert check_override("buyer.share_ever", lo_hi[edge]) == lo_hi[edge]


@pytest.mark.parametrize(
    ("name", "value", "needle"),
    [
        ("buyer.share_evr", 0.1, "unknown parameter 'buyer.share_evr' (did you mean 'buyer.share_ever'?)"),
        ("zzz", 0.1, "unknown parameter 'zzz'; `equality-model params list`"),
        ("buyer.share_ever", 0.5, "outside the plausible range [0.07, 0.21]"),
        ("buyer.share_ever", 0.01, "outside the plausible range"),
        ("buyer.share_ever", True, "expected a number"),
        ("buyer.share_ever", "0.1", "expected a number"),
        ("buyer.share_ever", None, "expected a number"),
    ],
)
def test_bad_overrides(name: str, value: object, needle: str) -> None:
    with pytest.raises(InputError) as exc:
        check_override(name, value, file="f.yaml", line=4)
    err = exc.value
    assert needle in str(err)
    assert (err.file, err.line, err.field) == ("f.yaml", 4, f"parameters.{name}")
    with pytest.raises(InputError, match="parameters"):
        ParamSet.default().with_overrides({name: value})


def test_field_prefix_names_the_flag() -> None:
    with pytest.raises(InputError) as exc:
        check_override("nope", 1.0, field_prefix="--param")
    assert exc.value.field == "--param.nope"


def test_parameter_file(tmp_path: Path) -> None:
    p = tmp_path / "set.yaml"
    p.write_text(
        "name: test\nparameters:\n  buyer.share_ever: 0.12\n  seller.age_out: 55\n", encoding="utf-8"
    )
    assert load_param_file(p) == {"buyer.share_ever": 0.12, "seller.age_out": 55.0}


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        (
            "parameters:\n  buyer.share_ever: 0.12\n  seller.agee_out: 55\n",
            3,
            "did you mean 'seller.age_out'",
        ),
        ("parameters:\n  buyer.share_ever: 0.9\n", 2, "outside the plausible range"),
        ("name: x\nparameter:\n  buyer.share_ever: 0.12\n", 2, "unknown field"),
        ("parameters: [1, 2\n", None, "invalid YAML"),
    ],
)
def test_bad_parameter_file(tmp_path: Path, text: str, line: int | None, needle: str) -> None:
    p = tmp_path / "set.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_param_file(p)
    assert exc.value.file == str(p) and needle in str(exc.value)
    if line is not None:
        assert exc.value.line == line


def test_registry_table_has_one_row_per_parameter() -> None:
    rows = registry_table()
    assert [r["name"] for r in rows] == list(registry())
    assert set(rows[0]) == {"name", "default", "low", "high", "unit", "description", "source", "assumption"}
    assert all("\n" not in r["description"] for r in rows)


def test_every_registry_parameter_is_read_by_the_model() -> None:
    """A parameter that nothing reads would show no effect in a sensitivity analysis: a silent trap."""
    code = "\n".join(p.read_text(encoding="utf-8") for p in MODEL_SRC.rglob("*.py"))
    unused = [name for name in registry() if f'"{name}"' not in code]
    assert unused == []
