"""A bounded load test on loopback: 100 concurrent clients, 2,000 requests, no errors allowed.

It runs ``scripts/load_test.py`` against ``equality-model serve`` started in a subprocess (as users
run it) and prints the figures (throughput, latency percentiles, errors) for BENCHMARKS.md.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "load_test.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("equality_model_load_test", SCRIPT)
    assert spec and spec.loader, SCRIPT
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.timeout(180)
def test_load_100_clients_no_errors(capsys: pytest.CaptureFixture[str]) -> None:
    lt = _script()
    with lt.serve_subprocess() as url:
        res = lt.run_load(url, clients=100, requests=2000, paths=("/api/laws", "/laws"))
    with capsys.disabled():
        print("\n" + "\n".join(res.lines()))
    assert res.requests == 2000
    assert res.errors == 0, res.error_examples
    assert res.p99_ms < 10_000  # generous: a shared CI machine, but nothing may hang
