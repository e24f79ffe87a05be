"""Server settings: limits on runs and jobs, from ``serve`` flags or environment variables.

Environment variables (a flag given to ``equality-model serve`` wins):

- ``EQUALITY_MODEL_MAX_JOBS``: runs queued or running at once (default 2);
- ``EQUALITY_MODEL_MAX_RUN_SIZE``: largest run, in agent-weeks (default 200,000,000), where
  agent-weeks = agents × simulated weeks (burn-in + both arms) × replicates;
- ``EQUALITY_MODEL_JOB_TIMEOUT``: seconds a run may take before it is cancelled (default 900);
- ``EQUALITY_MODEL_KEEP_RUNS``: finished runs kept (results and downloads) before the oldest go (default 50).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from equality_model.errors import InputError

DEFAULT_MAX_JOBS = 2
DEFAULT_MAX_RUN_SIZE = 200_000_000
DEFAULT_JOB_TIMEOUT = 900.0
DEFAULT_KEEP_RUNS = 50

ENV = {
    "max_jobs": "EQUALITY_MODEL_MAX_JOBS",
    "max_run_size": "EQUALITY_MODEL_MAX_RUN_SIZE",
    "job_timeout": "EQUALITY_MODEL_JOB_TIMEOUT",
    "keep_runs": "EQUALITY_MODEL_KEEP_RUNS",
}


@dataclass(frozen=True)
class Settings:
    """Limits and resources of one server."""

    max_jobs: int = DEFAULT_MAX_JOBS
    max_run_size: float = DEFAULT_MAX_RUN_SIZE
    job_timeout: float = DEFAULT_JOB_TIMEOUT
    keep_runs: int = DEFAULT_KEEP_RUNS
    results_dir: Path | None = None  # None: a temporary folder removed at shutdown
    prewarm: bool = False  # start the worker processes when the server starts
    worker_threads: int | None = None  # numba threads per worker (default: cores / max_jobs)
    grace_seconds: float = 3.0  # after a cancel, how long a worker may take to stop before it is killed

    def __post_init__(self) -> None:
        checks = (
            ("max_jobs", self.max_jobs >= 1, "at least 1"),
            ("max_run_size", self.max_run_size > 0, "above 0"),
            ("job_timeout", self.job_timeout > 0, "above 0 seconds"),
            ("keep_runs", self.keep_runs >= 1, "at least 1"),
        )
        for name, ok, want in checks:
            if not ok:
                raise InputError(f"expected {want}, got {getattr(self, name)!r}", field=name)

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Defaults, then environment variables, then ``overrides`` that are not None."""
        values: dict[str, object] = {}
        for name, var in ENV.items():
            raw = os.environ.get(var)
            if raw is None or not raw.strip():
                continue
            try:
                values[name] = int(raw) if name in ("max_jobs", "keep_runs") else float(raw)
            except ValueError:
                raise InputError(f"expected a number, got {raw!r}", field=var) from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    def threads_per_worker(self) -> int:
        if self.worker_threads:
            return max(1, self.worker_threads)
        return max(1, (os.cpu_count() or 1) // self.max_jobs)

    def public(self) -> dict[str, float | int]:
        """The limits a client may see."""
        return {
            "max_jobs": self.max_jobs,
            "max_run_size": self.max_run_size,
            "job_timeout_seconds": self.job_timeout,
            "keep_runs": self.keep_runs,
        }
