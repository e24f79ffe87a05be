"""This machine's memory bandwidth, and a kernel's effective bandwidth as a fraction of it.

``measure()`` runs the STREAM triad ``a[i] = b[i] + s * c[i]`` as a numba kernel on (by default)
2 threads over three float64 arrays of 2^25 elements (256 MiB each, far larger than any cache),
counting 24 bytes per element as STREAM does (the write-allocate read of ``a`` is not counted),
and a NumPy copy of one such array into another (16 bytes per element; large copies use
streaming stores, so it often beats the triad). Each is the best of several repetitions.
``measure_bandwidth()`` returns the larger of the two in bytes/s: the most this machine was seen
to move, so a fraction of it is conservative.

Effective bandwidth of a kernel = bytes it must move per agent-step x agent-steps per second;
``bandwidth_fraction`` divides that by the measured figure.

    python -m benchmarks.bandwidth            # prints the measurements
"""

from __future__ import annotations

import argparse
import json
import time

import numba as nb
import numpy as np

TRIAD_BYTES_PER_ELEMENT = 24  # read b, read c, write a (float64)
COPY_BYTES_PER_ELEMENT = 16  # read src, write dst


@nb.njit(parallel=True, cache=True)
def _triad(a: np.ndarray, b: np.ndarray, c: np.ndarray, s: float) -> None:
    for i in nb.prange(a.size):
        a[i] = b[i] + s * c[i]


def _best(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def measure(n: int = 1 << 25, repeats: int = 7, threads: int = 2) -> dict[str, float]:
    """Triad (numba, ``threads`` threads) and NumPy copy bandwidth in bytes/s, best of ``repeats``."""
    before = nb.get_num_threads()
    threads = max(1, min(threads, nb.config.NUMBA_NUM_THREADS))
    a = np.zeros(n)
    b = np.ones(n)
    c = np.full(n, 2.0)
    nb.set_num_threads(threads)
    try:
        _triad(a, b, c, 3.0)  # compile and touch every page
        triad_s = _best(lambda: _triad(a, b, c, 3.0), repeats)
    finally:
        nb.set_num_threads(before)
    copy_s = _best(lambda: np.copyto(a, b), repeats)
    return {
        "triad_bytes_per_s": TRIAD_BYTES_PER_ELEMENT * n / triad_s,
        "numpy_copy_bytes_per_s": COPY_BYTES_PER_ELEMENT * n / copy_s,
        "array_mib": n * 8 / 2**20,
        "threads": threads,
        "repeats": repeats,
    }


def machine_bytes_per_s(m: dict[str, float]) -> float:
    """The machine's figure from a ``measure()`` result: the larger of the best triad and copy."""
    return max(m["triad_bytes_per_s"], m["numpy_copy_bytes_per_s"])


def measure_bandwidth(n: int = 1 << 25, repeats: int = 7, threads: int = 2) -> float:
    """This machine's memory bandwidth in bytes/s: the larger of the best triad and the best copy."""
    return machine_bytes_per_s(measure(n, repeats, threads))


def effective_bandwidth(bytes_per_agent_step: float, agent_steps_per_s: float) -> float:
    """Bytes/s a kernel moves if it touches ``bytes_per_agent_step`` per agent-step."""
    return bytes_per_agent_step * agent_steps_per_s


def bandwidth_fraction(
    bytes_per_agent_step: float, agent_steps_per_s: float, measured_bytes_per_s: float | None = None
) -> dict[str, float]:
    """Effective bandwidth of a kernel and its fraction of this machine's measured bandwidth."""
    if measured_bytes_per_s is None:
        measured_bytes_per_s = measure_bandwidth()
    eff = effective_bandwidth(bytes_per_agent_step, agent_steps_per_s)
    return {
        "bytes_per_agent_step": float(bytes_per_agent_step),
        "agent_steps_per_s": float(agent_steps_per_s),
        "effective_bytes_per_s": eff,
        "measured_bytes_per_s": float(measured_bytes_per_s),
        "fraction": eff / measured_bytes_per_s,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    m = measure(repeats=args.repeats, threads=args.threads)
    print(
        f"STREAM triad ({m['threads']} threads, 3 x {m['array_mib']:.0f} MiB): "
        f"{m['triad_bytes_per_s'] / 1e9:.2f} GB/s; NumPy copy: {m['numpy_copy_bytes_per_s'] / 1e9:.2f} GB/s; "
        f"measured bandwidth: {machine_bytes_per_s(m) / 1e9:.2f} GB/s"
    )
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(m, fh, indent=2)


if __name__ == "__main__":
    main()
