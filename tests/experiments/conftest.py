"""Fixtures for the executor tests."""

from __future__ import annotations

from collections.abc import Iterator

import numba
import pytest


@pytest.fixture(scope="session", autouse=True)
def _one_numba_thread_here() -> Iterator[None]:
    """One numba thread in this process (results do not depend on it; see tests/model/conftest.py)."""
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    yield
    numba.set_num_threads(before)
