"""The benchmark helpers (timings are recorded by ``equality-model bench``, never asserted)."""

from __future__ import annotations

import numba

from equality_model import bench
from equality_model.model import people
from equality_model.model.processes import demand
from equality_model.model.scenario import Scenario, load_scenario


def _tiny() -> Scenario:
    ma = load_scenario("massachusetts-equality-model")
    return Scenario.model_validate({**ma.model_dump(), "scale": 200, "years": 1, "replicates": 1})


def test_breakdown_accounts_for_the_run_and_restores_the_kernels() -> None:
    kernels = (demand.buyer_week, people.people_week, demand.init_buyers, demand.draw_rates)
    threads = numba.get_num_threads()
    out = bench.breakdown(_tiny())
    assert (demand.buyer_week, people.people_week, demand.init_buyers, demand.draw_rates) == kernels
    assert numba.get_num_threads() == threads
    parts = [out[k] for k in ("buyer_kernel_s", "people_pass_s", "buyer_draws_s", "rest_s")]
    assert all(p >= 0 for p in parts) and abs(sum(parts) - out["wall_s"]) < 1e-9
    assert out["arm_candidates"] > 0 and out["buyer_kernel_ns_per_arm_candidate"] > 0


def test_one_machine_bandwidth_for_every_fraction_in_a_bench_run() -> None:
    """The full bench measures the machine once and divides both the full model's and the reference
    model's effective bandwidth by that one figure (they were two measurements minutes apart)."""
    from benchmarks.reference import compare

    machine = {"triad_bytes_per_s": 2.0e10, "numpy_copy_bytes_per_s": 2.5e10, "threads": 2}
    full = bench.bandwidth(1.0e8, 4.0, machine)
    assert full["machine_bytes_per_s"] == 2.5e10 and full["fraction"] == 4.0e8 / 2.5e10
    assert "skipped" in bench.bandwidth(1.0e8, 4.0, None)
    speed = compare.speed([2_000], [], [])
    ref = compare.bandwidth(speed, 20_000, machine)
    assert ref["machine"] is machine and ref["measured_bytes_per_s"] == 2.5e10
    assert ref["whole_run"]["measured_bytes_per_s"] == ref["buyer_pass"]["measured_bytes_per_s"] == 2.5e10


def test_quick_bench_end_to_end_gives_every_figure_the_table_prints() -> None:
    """`equality-model bench` runs every benchmark in one process; a smoke run at small sizes checks
    that each part still runs and that the JSON holds what the table and BENCHMARKS.md read."""
    import json

    res = bench.run_all(quick=True, big_agents=100_000, log=lambda _m: None)
    json.dumps(res, default=float)  # saved as JSON by the command
    for key in ("massachusetts", "national"):
        assert res[key]["agents"] > 0 and res[key]["agent_steps_per_s"] > 0
        assert res[key]["bytes_per_agent_arrays"] == {"buyer": 34, "person": 37}
    assert res["national"]["buyers"] == 100_000
    reps = res["massachusetts_replicates"]
    assert reps["replicates"] == 2 and reps["wall_s"] > 0
    assert res["massachusetts_breakdown"]["arm_candidates"] > 0
    machine = res["bandwidth"]["machine_bytes_per_s"]
    assert 0 < res["bandwidth"]["fraction"] < 1
    assert res["reference"]["report"]["bandwidth"]["measured_bytes_per_s"] == machine  # one measurement
    assert res["reference"]["summary"] and all(v.endswith("x") for v in res["reference"]["summary"].values())
