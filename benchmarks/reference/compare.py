"""Compare the reference-model implementations: outcome distributions, speed, memory bandwidth.

    python -m benchmarks.reference.compare --json reference.json

(a) Distribution: ``--reps`` seeds of each implementation at the SMALL configuration; for each
    end-of-run total, a two-sample KS test and the difference of means in standard errors,
    engine against each of the others.
(b) Speed: one timed run of each implementation at each size, all in this one process. The
    engine's kernels are compiled (or loaded from numba's cache) first and it gets one untimed
    run at each size; Mesa and Starsim get one untimed tiny run. Agent-steps are
    sum over weeks of (buyers + active sellers).
(c) Memory bandwidth: this machine's (``benchmarks.bandwidth``) and the engine's effective
    bandwidth, for the whole run and for the weekly buyer pass on its own.

Nothing here is a test: the figures are measurements of one run on one machine.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import platform
import sys
import time

import numba as nb
import numpy as np
from scipy import stats

from benchmarks.bandwidth import bandwidth_fraction, machine_bytes_per_s, measure
from benchmarks.reference import BASE, SMALL, TINY, TOTALS, Params, agent_steps, totals
from benchmarks.reference import engine_impl as engine
from benchmarks.reference.mesa_impl import run_mesa
from equality_model.model.rng import Streams

#: Seed offsets, so no two implementations share a seed number (they share no generator anyway).
SEED_BASE = {"engine": 0, "mesa": 1_000_000, "starsim": 2_000_000}
#: A total "agrees" if the means differ by less than this many standard errors ...
Z_MAX = 3.5
#: ... and the KS test does not reject at this level.
KS_MIN_P = 0.001


#: Starsim is optional, and slow to import, so it is imported only when a comparison needs it.
STARSIM_AVAILABLE = importlib.util.find_spec("starsim") is not None


def run_starsim(params: Params, seed: int) -> dict[str, np.ndarray]:
    from benchmarks.reference.starsim_impl import run_starsim as run

    return run(params, seed)


def runners() -> dict:
    out = {"engine": engine.run_engine, "mesa": run_mesa}
    if STARSIM_AVAILABLE:
        out["starsim"] = run_starsim
    return out


def run_totals(name: str, params: Params, reps: int) -> list[dict[str, float]]:
    run = runners()[name]
    return [totals(run(params, SEED_BASE[name] + s)) for s in range(reps)]


def compare_samples(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """Means, SDs, the difference in standard errors and the two-sample KS p-value."""
    se = float(np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size))
    diff = float(a.mean() - b.mean())
    z = diff / se if se > 0 else (0.0 if diff == 0 else float("inf"))
    ks = stats.ks_2samp(a, b)
    return {
        "mean_a": float(a.mean()),
        "mean_b": float(b.mean()),
        "sd_a": float(a.std(ddof=1)),
        "sd_b": float(b.std(ddof=1)),
        "z": z,
        "ks_stat": float(ks.statistic),
        "ks_p": float(ks.pvalue),
        "agree": bool(abs(z) < Z_MAX and ks.pvalue > KS_MIN_P),
    }


def distribution(params: Params, reps: int) -> dict:
    samples = {}
    seconds = {}
    for name in runners():
        t0 = time.perf_counter()
        samples[name] = run_totals(name, params, reps)
        seconds[name] = time.perf_counter() - t0
    result = {"params": params.as_dict(), "reps": reps, "seconds": seconds, "comparisons": {}}
    eng = samples["engine"]
    for other in (n for n in samples if n != "engine"):
        rows = {}
        for key in TOTALS:
            a = np.array([r[key] for r in eng])
            b = np.array([r[key] for r in samples[other]])
            rows[key] = compare_samples(a, b)
        result["comparisons"][other] = {"rows": rows, "all_agree": all(r["agree"] for r in rows.values())}
    return result


def timed(run, params: Params, seed: int) -> dict:
    t0 = time.perf_counter()
    out = run(params, seed)
    seconds = time.perf_counter() - t0
    steps = agent_steps(out, params)
    return {
        "n_buyers": params.n_buyers,
        "seconds": seconds,
        "agent_steps": steps,
        "agent_steps_per_s": steps / seconds,
        "purchases": int(out["transactions"].sum() + out["failed"].sum()),
    }


def speed(engine_sizes: list[int], mesa_sizes: list[int], starsim_sizes: list[int]) -> dict:
    result: dict = {"engine": [], "mesa": [], "starsim": []}
    for n in engine_sizes:
        params = BASE.scaled(n)
        engine.run_engine(params, seed=99)  # untimed: first touch of memory, thread pool
        row = timed(engine.run_engine, params, seed=1)
        row["threads"] = engine.default_threads(n)
        result["engine"].append(row)
    run_mesa(TINY, 0)
    for n in mesa_sizes:
        result["mesa"].append(timed(run_mesa, BASE.scaled(n), seed=1))
    if STARSIM_AVAILABLE:
        run_starsim(TINY, 0)
        for n in starsim_sizes:
            result["starsim"].append(timed(run_starsim, BASE.scaled(n), seed=1))
    ratios = []
    for e in result["engine"]:
        for m in result["mesa"]:
            ratios.append(
                {
                    "engine_n": e["n_buyers"],
                    "mesa_n": m["n_buyers"],
                    "ratio": e["agent_steps_per_s"] / m["agent_steps_per_s"],
                    "same_n": e["n_buyers"] == m["n_buyers"],
                }
            )
    result["engine_vs_mesa"] = ratios
    return result


def buyer_pass_only(n: int, weeks: int = BASE.weeks, repeats: int = 3) -> dict:
    """Time the weekly buyer pass alone over ``weeks`` weeks at ``n`` buyers, best of ``repeats``.

    Like the machine's bandwidth, this is a kernel measurement, so it takes the best of several
    runs, each from a fresh initial state.
    """
    params = BASE.scaled(n)
    streams = Streams(1)
    _, inv_log_q, next_buy0, _ = engine.init_buyers(params, streams)
    counts = np.zeros((n + engine.CHUNK - 1) // engine.CHUNK, dtype=np.int64)
    buf = np.zeros(n, dtype=np.int32)
    key = streams["buyer.purchase"]
    best = float("inf")
    for _ in range(repeats):
        next_buy = next_buy0.copy()
        engine._buyer_pass(-1, next_buy, inv_log_q, key, buf, counts)  # compiled; no buyer has week -1
        purchases = 0
        t0 = time.perf_counter()
        for t in range(weeks):
            engine._buyer_pass(t, next_buy, inv_log_q, key, buf, counts)
            purchases += int(counts.sum())
        best = min(best, time.perf_counter() - t0)
    steps = n * weeks
    frac = purchases / steps
    # next_buy read by every buyer; a purchaser also reads inv_log_q (8 B) and writes next_buy (4 B)
    # and its id to the purchaser list (4 B).
    bytes_per_step = engine.BYTES_PER_BUYER_STEP + 16 * frac
    return {
        "n_buyers": n,
        "weeks": weeks,
        "threads": nb.get_num_threads(),
        "repeats": repeats,
        "seconds": best,
        "buyer_steps_per_s": steps / best,
        "purchase_fraction": frac,
        "bytes_per_buyer_step": bytes_per_step,
    }


def bandwidth(speed_result: dict, pass_n: int, machine: dict | None = None) -> dict:
    """The engine's effective bandwidth against ``machine`` (``benchmarks.bandwidth.measure()``),
    measured here unless the caller measured it already (the full ``bench`` run measures it once
    for all its bandwidth figures, so they are fractions of one figure)."""
    machine = machine or measure()
    measured = machine_bytes_per_s(machine)
    largest = max(speed_result["engine"], key=lambda r: r["n_buyers"])
    params = BASE.scaled(largest["n_buyers"])
    buyer_steps = params.n_buyers * params.weeks
    # Lower bound on the bytes a whole run must move: BYTES_PER_BUYER_STEP per buyer-step.
    bytes_per_step = engine.BYTES_PER_BUYER_STEP * buyer_steps / largest["agent_steps"]
    whole = bandwidth_fraction(bytes_per_step, largest["agent_steps_per_s"], measured)
    whole["n_buyers"] = largest["n_buyers"]
    bp = buyer_pass_only(pass_n)
    kernel = bandwidth_fraction(bp["bytes_per_buyer_step"], bp["buyer_steps_per_s"], measured)
    kernel.update(bp)
    return {"machine": machine, "measured_bytes_per_s": measured, "whole_run": whole, "buyer_pass": kernel}


def environment() -> dict:
    import mesa

    env = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "numba_threads": nb.get_num_threads(),
        "numba_threading_layer": None,
        "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY"),
        "numpy": np.__version__,
        "numba": nb.__version__,
        "mesa": mesa.__version__,
        "starsim": None,
    }
    with contextlib.suppress(ValueError):  # raised if no parallel region has run yet
        env["numba_threading_layer"] = nb.threading_layer()
    if STARSIM_AVAILABLE:
        import starsim

        env["starsim"] = starsim.__version__
    return env


def _fmt_rate(x: float) -> str:
    return f"{x / 1e6:,.2f} M/s" if x < 1e9 else f"{x / 1e9:,.2f} G/s"


def print_report(report: dict) -> None:
    d = report["distribution"]
    print(
        f"\n(a) Outcome distributions: {d['reps']} seeds each, N_b={d['params']['n_buyers']:,}, "
        f"S_0={d['params']['n_sellers']}, T={d['params']['weeks']} weeks"
    )
    for other, comp in d["comparisons"].items():
        print(
            f"\n  engine vs {other}: {'all agree' if comp['all_agree'] else 'DISAGREE'} "
            f"(|z| < {Z_MAX} and KS p > {KS_MIN_P})"
        )
        print(f"  {'total':<20} {'engine mean':>12} {other + ' mean':>13} {'z':>7} {'KS D':>6} {'KS p':>7}")
        for key, r in comp["rows"].items():
            print(
                f"  {key:<20} {r['mean_a']:>12.2f} {r['mean_b']:>13.2f} {r['z']:>7.2f} "
                f"{r['ks_stat']:>6.3f} {r['ks_p']:>7.3f}{'' if r['agree'] else '  <--'}"
            )
    s = report["speed"]
    print(f"\n(b) Speed, one timed run each (engine kernels compiled first: {s['engine_compile_s']:.1f} s)")
    print(f"  {'implementation':<16} {'N_b':>12} {'seconds':>9} {'agent-steps':>14} {'agent-steps/s':>15}")
    for name in ("engine", "mesa", "starsim"):
        for r in s[name]:
            print(
                f"  {name:<16} {r['n_buyers']:>12,} {r['seconds']:>9.3f} {r['agent_steps']:>14,} "
                f"{_fmt_rate(r['agent_steps_per_s']):>15}"
            )
    for r in s["engine_vs_mesa"]:
        tag = "same N" if r["same_n"] else "per agent-step"
        print(f"  engine at {r['engine_n']:,} / Mesa at {r['mesa_n']:,} ({tag}): {r['ratio']:,.0f}x")
    b = report["bandwidth"]
    m = b["machine"]
    print(
        f"\n(c) Memory bandwidth: STREAM triad ({m['threads']} threads) "
        f"{m['triad_bytes_per_s'] / 1e9:.2f} GB/s, "
        f"NumPy copy {m['numpy_copy_bytes_per_s'] / 1e9:.2f} GB/s; using the larger, "
        f"{b['measured_bytes_per_s'] / 1e9:.2f} GB/s"
    )
    w = b["whole_run"]
    print(
        f"  whole engine run at N_b={w['n_buyers']:,}: {w['bytes_per_agent_step']:.2f} B/agent-step x "
        f"{_fmt_rate(w['agent_steps_per_s'])} = {w['effective_bytes_per_s'] / 1e9:.2f} GB/s "
        f"= {w['fraction']:.1%} of measured"
    )
    k = b["buyer_pass"]
    print(
        f"  buyer pass alone at N_b={k['n_buyers']:,} ({k['threads']} threads, best of {k['repeats']}): "
        f"{k['bytes_per_buyer_step']:.2f} B/buyer-step x {_fmt_rate(k['buyer_steps_per_s'])} = "
        f"{k['effective_bytes_per_s'] / 1e9:.2f} GB/s = {k['fraction']:.1%} of measured"
    )


def main(argv: list[str] | None = None, machine: dict | None = None) -> dict:
    """The whole comparison; ``machine`` is a bandwidth measurement to reuse (see ``bandwidth``)."""
    parser = argparse.ArgumentParser(description="Compare the reference-model implementations.")
    parser.add_argument("--json", help="write the full report to this JSON file")
    parser.add_argument("--reps", type=int, default=40, help="seeds per implementation for (a)")
    parser.add_argument(
        "--engine-sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000, 10_000_000]
    )
    parser.add_argument("--mesa-sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--starsim-sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--pass-size", type=int, default=10_000_000, help="N_b for the buyer-pass bandwidth")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test, not a measurement")
    args = parser.parse_args(argv)
    if args.quick:
        args.reps, args.engine_sizes, args.mesa_sizes = 8, [10_000], [2_000]
        args.starsim_sizes, args.pass_size = [2_000], 100_000
    dist_params = TINY if args.quick else SMALL

    t0 = time.perf_counter()
    load_before = os.getloadavg()  # other processes on the machine make every timing slower
    compile_s = engine.warm_up()  # before anything else runs the engine, so this is the compile time
    report = {"command": " ".join(["python -m benchmarks.reference.compare", *(argv or sys.argv[1:])])}
    report["distribution"] = distribution(dist_params, args.reps)
    report["speed"] = speed(args.engine_sizes, args.mesa_sizes, args.starsim_sizes)
    report["speed"]["engine_compile_s"] = compile_s
    report["bandwidth"] = bandwidth(report["speed"], args.pass_size, machine)
    report["environment"] = environment()
    report["environment"]["loadavg_before"] = load_before
    report["environment"]["loadavg_after"] = os.getloadavg()
    report["base_params"] = BASE.as_dict()
    report["wall_seconds"] = time.perf_counter() - t0
    print_report(report)
    env = report["environment"]
    print(f"\nload average (1, 5, 15 min) before: {env['loadavg_before']}, after: {env['loadavg_after']}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=2)
        print(f"\nwrote {args.json}")
    return report


if __name__ == "__main__":
    main()
