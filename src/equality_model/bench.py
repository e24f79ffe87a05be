"""Speed and memory benchmarks of the engine (``equality-model bench``).

Measured, never asserted in unit tests. Every figure of one invocation comes from the same
process on the same machine, so ratios between them are meaningful; BENCHMARKS.md records them.

- agent-steps per second of the full model, at Massachusetts scale and at >= 10 million agents
  (agents = buyers + people in prostitution + exploiters; steps = weeks simulated, burn-in once and
  each arm after it);
- bytes of state per agent, and peak memory of a 10-year national run;
- wall time of Massachusetts × 10 years × N replicates (default 100);
- the reference model against Mesa 3 (and Starsim where it maps), when run from a source checkout
  with the ``bench`` extra installed;
- the buyer kernel's effective memory bandwidth against this machine's measured bandwidth.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from equality_model.model.engine import Simulation
from equality_model.model.scenario import Scenario, load_scenario


def _machine() -> dict[str, Any]:
    import numba

    cpu = ""
    try:
        cpu = next(
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        )
    except (OSError, StopIteration):
        cpu = platform.processor()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "numba_threads": numba.get_num_threads(),
    }


def national(adult_men: int, years: int = 10, scale: float = 1.0) -> Scenario:
    """The Massachusetts comparison with a national-size population (a benchmark workload)."""
    sc = load_scenario("massachusetts-equality-model")
    pop = {
        "total": int(adult_men / 0.385),
        "adult_men": adult_men,
        "source": "benchmark workload: Massachusetts law with a national-size population",
    }
    return Scenario.model_validate(
        {
            **sc.model_dump(),
            "name": "national-benchmark",
            "population": pop,
            "years": years,
            "scale": scale,
            "replicates": 1,
        }
    )


def time_run(sc: Scenario, replicate: int = 1) -> dict[str, Any]:
    """Time one replicate (both arms) after a warm-up that compiles the kernels."""
    sim = Simulation(sc, replicate)
    t0 = time.perf_counter()
    sim.run()
    wall = time.perf_counter() - t0
    st = sim.final_state
    weeks = sim.burn + 2 * sc.weeks
    agents = st.buyers.n + st.sellers.n + st.exploiters.n
    return {
        "scenario": sc.name,
        "buyers": int(st.buyers.n),
        "people_slots": int(st.sellers.n),
        "exploiter_slots": int(st.exploiters.n),
        "agents": int(agents),
        "weeks_simulated": int(weeks),
        "wall_s": wall,
        "agent_steps_per_s": agents * weeks / wall,
        "bytes_per_agent_arrays": {"buyer": st.buyers.bytes_per_agent, "person": st.sellers.bytes_per_agent},
        "state_bytes": int(st.nbytes()),
        "state_bytes_per_agent": st.nbytes() / agents,
    }


def breakdown(sc: Scenario, replicate: int = 1) -> dict[str, Any]:
    """Where one replicate's time goes, on one numba thread (as each worker of a multi-replicate
    run): the buyer kernel, the people-in-prostitution pass, drawing buyers, and the rest (the
    Python step loop and setup). Timed by wrapping the kernels for this one run."""
    import numba

    from equality_model.model import people
    from equality_model.model.processes import demand

    spent = {"buyer_kernel": 0.0, "people_pass": 0.0, "buyer_draws": 0.0}
    arm_candidates = 0
    originals = {
        (demand, "buyer_week"): demand.buyer_week,
        (people, "people_week"): people.people_week,
        (demand, "init_buyers"): demand.init_buyers,
        (demand, "draw_rates"): demand.draw_rates,
    }

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any) -> Any:
            nonlocal arm_candidates
            t0 = time.perf_counter()
            res = fn(*args)
            spent[name] += time.perf_counter() - t0
            if name == "buyer_kernel":
                arm_candidates += int(res[0][:, demand.C_CAND].sum())
            return res

        return wrapper

    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        demand.buyer_week = timed("buyer_kernel", originals[(demand, "buyer_week")])
        people.people_week = timed("people_pass", originals[(people, "people_week")])
        demand.init_buyers = timed("buyer_draws", originals[(demand, "init_buyers")])
        demand.draw_rates = timed("buyer_draws", originals[(demand, "draw_rates")])
        t0 = time.perf_counter()
        Simulation(sc, replicate).run()
        wall = time.perf_counter() - t0
    finally:
        for (mod, name), fn in originals.items():
            setattr(mod, name, fn)
        numba.set_num_threads(before)
    out: dict[str, Any] = {"wall_s": wall, **{f"{k}_s": v for k, v in spent.items()}}
    out["rest_s"] = wall - sum(spent.values())
    out["arm_candidates"] = arm_candidates
    out["buyer_kernel_ns_per_arm_candidate"] = spent["buyer_kernel"] / max(arm_candidates, 1) * 1e9
    return out


def _peak_rss_subprocess(code: str) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter and report its peak resident memory (ru_maxrss)."""
    wrapper = (
        code + "\nimport resource, json\nprint(json.dumps({'peak_rss_bytes': "
        "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))\n"
    )
    out = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def memory_national(adult_men: int) -> dict[str, Any]:
    code = (
        "from equality_model.bench import national\n"
        "from equality_model.model.engine import Simulation\n"
        f"sc = national({adult_men})\n"
        "Simulation(sc, 0).run()\n"
    )
    res = _peak_rss_subprocess(code)
    res["adult_men"] = adult_men
    res["buyers"] = int(adult_men * 0.2)
    return res


def replicates_wall(n: int, workers: int | None = None) -> dict[str, Any]:
    from equality_model.model.results import run

    sc = load_scenario("massachusetts-equality-model")
    t0 = time.perf_counter()
    ds = run(sc, replicates=n, workers=workers)
    wall = time.perf_counter() - t0
    return {
        "replicates": n,
        "years": sc.years,
        "wall_s": wall,
        "workers": workers or os.cpu_count(),
        "outputs": len(ds.data_vars),
    }


def machine_bandwidth() -> dict[str, Any] | None:
    """This machine's memory bandwidth (``benchmarks.bandwidth.measure``), or None outside a source
    checkout. Measured once a bench run, so every bandwidth fraction in it divides by one figure."""
    try:
        sys.path.insert(0, os.getcwd())
        from benchmarks.bandwidth import measure  # type: ignore[import-not-found]
    except ImportError:
        return None
    return measure()


def bandwidth(
    agent_steps_per_s: float, bytes_per_agent_step: float, machine: dict[str, Any] | None
) -> dict[str, Any]:
    if machine is None:
        return {"skipped": "run from a source checkout to measure memory bandwidth"}
    from benchmarks.bandwidth import bandwidth_fraction, machine_bytes_per_s  # type: ignore[import-not-found]

    f = bandwidth_fraction(bytes_per_agent_step, agent_steps_per_s, machine_bytes_per_s(machine))
    return {
        "machine_bytes_per_s": f["measured_bytes_per_s"],
        "kernel_bytes_per_s": f["effective_bytes_per_s"],
        "fraction": f["fraction"],
        "bytes_per_agent_step": f["bytes_per_agent_step"],
    }


def reference(quick: bool = False, machine: dict[str, Any] | None = None) -> dict[str, Any]:
    try:
        sys.path.insert(0, os.getcwd())
        from benchmarks.reference import compare  # type: ignore[import-not-found]
    except ImportError as exc:
        return {
            "skipped": f"reference benchmark unavailable ({exc}); run from a source checkout "
            "with `pip install -e .[bench]`"
        }
    rep = compare.main(["--quick"] if quick else [], machine=machine)
    ratios = {
        f"engine at {r['engine_n']:,} buyers / Mesa at {r['mesa_n']:,}": f"{r['ratio']:,.0f}x"
        for r in rep["speed"].get("engine_vs_mesa", [])
    }
    return {"report": rep, "summary": ratios}


def run_all(
    *,
    replicates: int = 100,
    big_agents: int = 10_000_000,
    quick: bool = False,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Every benchmark, in one process; returns a JSON-able dict."""
    out: dict[str, Any] = {"machine": _machine(), "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
    ma = load_scenario("massachusetts-equality-model")
    log("warming up (compiling kernels)…")
    Simulation(ma.model_copy(update={"years": 1}), 0).run()
    log("full model at Massachusetts scale…")
    out["massachusetts"] = time_run(ma)
    log("where one Massachusetts replicate's time goes (one thread)…")
    out["massachusetts_breakdown"] = breakdown(ma.model_copy(update={"years": 1}) if quick else ma)
    adult_men = int(big_agents / 0.2) + 1
    log(f"full model at >= {big_agents:,} agents…")
    out["national"] = time_run(national(adult_men, years=1 if quick else 2))
    if not quick:
        log("peak memory of a 10-year run with tens of millions of buyers (subprocess)…")
        out["memory_national"] = memory_national(150_000_000)
    log(f"Massachusetts × 10 years × {replicates} replicates…")
    out["massachusetts_replicates"] = replicates_wall(2 if quick else replicates)
    # buyer kernel traffic per agent-step: the 4-byte next_cand scan for everyone; candidates read/write
    # ~34 bytes; the measured mix is dominated by the scan.
    log("memory bandwidth…")
    machine = machine_bandwidth()
    out["bandwidth"] = bandwidth(out["national"]["agent_steps_per_s"], 4.0, machine)
    log("reference model against Mesa…")
    out["reference"] = reference(quick, machine)
    out["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return out
