"""One executor interface for replicates, sweeps, calibration and sensitivity.

The default runs replicates in local worker processes (``spawn``, so the numba thread pool is
never forked). Each replicate's randomness depends only on (seed, replicate), so results are
bit-identical whatever the number of workers or the order in which replicates finish.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context

import numpy as np

from equality_model.model.engine import Simulation, rate_targets
from equality_model.model.processes import demand
from equality_model.model.scenario import Scenario

Arrays = dict[str, dict[str, np.ndarray]]
RateFit = tuple[tuple[float, float, float], tuple[float, float]]  # (targets, fit)


def _one(sc_json: str, replicate: int, threads: int, rate_fit: RateFit | None = None) -> tuple[int, Arrays]:
    import numba

    numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    if rate_fit is not None:
        demand.remember_rate_fit(*rate_fit)
    sc = Scenario.model_validate_json(sc_json)
    return replicate, Simulation(sc, replicate).run()


# Worker processes run one replicate each on one core: native thread pools stay at one thread, so
# idle BLAS or OpenMP threads never spin on the cores the other workers need.
ONE_THREAD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@contextlib.contextmanager
def _worker_environment() -> Iterator[None]:
    """Set ``ONE_THREAD_ENV`` while worker processes are spawned (they inherit it), then restore."""
    before = {k: os.environ.get(k) for k in ONE_THREAD_ENV}
    os.environ.update(ONE_THREAD_ENV)
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def default_workers(replicates: int) -> int:
    return max(1, min(replicates, os.cpu_count() or 1))


def check_workers(workers: int | None) -> None:
    """A worker count is a user's input (``--workers``, ``run(workers=…)``): at least one, or None."""
    if workers is not None and workers < 1:
        from equality_model.errors import InputError

        raise InputError(f"expected at least 1 worker process (got {workers})", field="workers")


def run_replicates(
    sc: Scenario,
    *,
    workers: int | None = None,
    on_replicate: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> list[Arrays]:
    """Run every replicate of ``sc``; returns them in replicate order.

    ``workers=1`` runs in this process (using all numba threads); more workers run one replicate
    each in its own process with one numba thread."""
    n = sc.replicates
    check_workers(workers)
    workers = default_workers(n) if workers is None else workers
    if workers == 1 or n == 1:
        out = []
        for r in range(n):
            out.append(Simulation(sc, r).run(progress=on_progress))
            if on_replicate:
                on_replicate(r)
        return out
    results: dict[int, Arrays] = {}
    payload = sc.model_dump_json()
    targets = rate_targets(sc.params())  # fitted here once, so workers need not import SciPy
    fit = (targets, demand.fit_rate_distribution(*targets))
    with (
        _worker_environment(),
        ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool,
    ):
        futures = [pool.submit(_one, payload, r, 1, fit) for r in range(n)]
        for f in as_completed(futures):
            r, arrays = f.result()
            results[r] = arrays
            if on_replicate:
                on_replicate(r)
    return [results[r] for r in range(n)]
