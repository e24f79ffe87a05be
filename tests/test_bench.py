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
