"""The root command: registration of command groups and the one-line error contract of main()."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from equality_model import __version__, cli
from equality_model.errors import InputError


def test_no_arguments_shows_help(runner: CliRunner) -> None:
    result = runner.invoke(cli.app, [])
    assert result.exit_code == 2  # Click's no_args_is_help is a usage error
    assert "laws" in result.output and "Usage" in result.output


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli.app, ["--version"])
    assert result.exit_code == 0 and __version__ in result.stdout


def test_laws_group_is_registered(runner: CliRunner) -> None:
    result = runner.invoke(cli.app, ["laws", "--help"])
    assert result.exit_code == 0
    for verb in ("list", "show", "eval", "score", "diff", "check"):
        assert verb in result.stdout


def test_every_registered_group_exposes_a_typer_app() -> None:
    import importlib

    for name, module in cli.COMMAND_GROUPS:
        assert isinstance(importlib.import_module(module).app, typer.Typer), name


def test_unknown_option_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli.app, ["laws", "list", "--bogus"])
    assert result.exit_code == 2


def _raise(exc: BaseException):
    def boom(*args, **kwargs):
        raise exc

    return boom


def test_main_turns_input_error_into_one_line_and_exit_2(monkeypatch, capsys) -> None:
    monkeypatch.setattr(cli, "app", _raise(InputError("bad\nthing", file="f.yaml", line=3, field="x")))
    with pytest.raises(SystemExit) as exit_:
        cli.main([])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err == "error: f.yaml:3: field 'x': bad thing\n"


def test_main_reports_an_unexpected_error_on_one_line(monkeypatch, capsys) -> None:
    monkeypatch.delenv("EQUALITY_MODEL_DEBUG", raising=False)
    monkeypatch.setattr(cli, "app", _raise(RuntimeError("oops\nmore")))
    with pytest.raises(SystemExit) as exit_:
        cli.main([])
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: internal error (RuntimeError: oops more)")


def test_debug_env_shows_the_real_exception(monkeypatch) -> None:
    monkeypatch.setenv("EQUALITY_MODEL_DEBUG", "1")
    monkeypatch.setattr(cli, "app", _raise(RuntimeError("oops")))
    with pytest.raises(RuntimeError, match="oops"):
        cli.main([])


def test_main_runs_the_app(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["laws", "eval", "SE@2012-01-01", "--act", "buy", "--party", "buyer", "--format", "json"])
    assert exit_.value.code == 0
    assert '"se-buy"' in capsys.readouterr().out
