"""The YAML loader: safe, line-aware, and never silently losing data."""

from __future__ import annotations

from pathlib import Path

import pytest

from equality_model.errors import InputError
from equality_model.law.schema import Jurisdiction
from equality_model.yamlio import load_yaml, parse_yaml, validate_doc


def test_duplicate_keys_are_refused_with_their_line() -> None:
    with pytest.raises(InputError) as exc:
        parse_yaml("id: SE\nname: Sweden\nid: NO\n", "dup.yaml")
    msg = str(exc.value)
    assert msg.startswith("dup.yaml:3:") and "duplicate key 'id'" in msg


def test_dates_stay_strings_so_pydantic_names_the_bad_field() -> None:
    doc = parse_yaml("when: 2020-13-45\n", "d.yaml")
    assert doc.data == {"when": "2020-13-45"}


def test_unknown_field_lists_the_expected_fields_and_suggests_a_fix() -> None:
    doc = parse_yaml("id: SE\nnmae: Sweden\ncurrency: SEK\n", "j.yaml")
    with pytest.raises(InputError) as exc:
        validate_doc(doc, Jurisdiction)
    msg = str(exc.value)
    assert "j.yaml:2" in msg and "field 'nmae'" in msg and "did you mean 'name'" in msg
    assert "expected fields: id, name" in msg


def test_unsafe_tags_are_refused(tmp_path: Path) -> None:
    p = tmp_path / "evil.yaml"
    p.write_text("x: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(InputError, match="invalid YAML"):
        load_yaml(p)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_yaml(tmp_path / "nope.yaml")
