"""Background jobs: a bounded number of simulation runs, each in a worker process.

``JobManager.submit`` refuses a run when ``max_jobs`` runs are already queued or running (the API
answers 429). Accepted runs go to a thread pool of ``max_jobs`` threads; each thread borrows a
*slot* (one long-lived worker process, see :mod:`equality_model.web.worker`), sends the job and
watches it: progress messages, the result, the time limit and cancel requests. The server's event
loop only reads job records, so it stays responsive while runs go on in other processes.

A run over its time limit, or cancelled by ``DELETE /api/runs/{id}``, is asked to stop; if its
worker does not stop within a grace period it is terminated and a fresh worker replaces it.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing as mp
import queue
import secrets
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from equality_model.model.scenario import Scenario
from equality_model.web.config import Settings

STARTUP_TIMEOUT = 300.0
ACTIVE = ("queued", "starting", "running")


class TooManyJobs(Exception):
    """``max_jobs`` runs are already queued or running."""


@dataclass
class Job:
    id: str
    scenario: Scenario
    size: int
    created: float = field(default_factory=time.time)
    status: str = "queued"  # queued | starting | running | done | failed | cancelled
    phase: str = "queued"
    weeks_done: int = 0
    weeks_total: int = 1
    error: str | None = None
    started: float | None = None
    finished: float | None = None
    result: dict[str, Any] | None = None
    out_dir: Path | None = None
    cancel_requested: bool = False

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def progress(self) -> float:
        if self.status == "done":
            return 1.0
        return max(0.0, min(1.0, self.weeks_done / max(1, self.weeks_total)))

    def as_dict(self) -> dict[str, Any]:
        sc = self.scenario
        elapsed = None
        if self.started is not None:
            elapsed = round((self.finished or time.time()) - self.started, 3)
        return {
            "id": self.id,
            "status": self.status,
            "phase": self.phase,
            "progress": round(self.progress, 4),
            "error": self.error,
            "created": self.created,
            "elapsed_seconds": elapsed,
            "size": self.size,
            "scenario": {
                "jurisdiction": sc.jurisdiction,
                "baseline": sc.baseline,
                "reform": sc.reform,
                "start": sc.start.isoformat(),
                "years": sc.years,
                "replicates": sc.replicates,
                "scale": sc.scale,
                "seed": sc.seed,
                "title": sc.title,
            },
        }


class Slot:
    """One worker process and the pipe to it; used by one job at a time."""

    def __init__(self, index: int, settings: Settings) -> None:
        self.index = index
        self.settings = settings
        self.ctx = mp.get_context("spawn")
        self.proc: Any = None
        self.conn: Connection | None = None
        # A lock-free shared flag (1 = stop the current run): a worker killed while reading it cannot
        # leave a lock held. A fresh one goes to every new worker.
        self.cancel: Any = None

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.is_alive()

    def ensure_started(self) -> None:
        if self.alive:
            return
        self.stop()
        from equality_model.web.worker import worker_main

        parent, child = self.ctx.Pipe()
        self.cancel = self.ctx.RawValue("b", 0)
        proc = self.ctx.Process(
            target=worker_main,
            args=(child, self.cancel, self.settings.threads_per_worker()),
            name=f"equality-model-worker-{self.index}",
            daemon=True,
        )
        proc.start()
        child.close()
        self.proc, self.conn = proc, parent
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            try:
                kind, data = parent.recv() if parent.poll(0.2) else (None, None)
            except (EOFError, OSError):  # the worker died, or the server is stopping
                break
            if kind == "ready":
                return
            if kind is not None:
                self.stop()
                raise RuntimeError(f"the worker process could not start ({data})")
            if not proc.is_alive():
                break
        code = proc.exitcode
        self.stop()
        raise RuntimeError(f"the worker process could not start (exit code {code})")

    def stop(self) -> None:
        """Terminate the worker (if any) and forget it."""
        proc, conn = self.proc, self.conn
        self.proc = self.conn = None
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.close()
        if proc is not None:
            if proc.is_alive():
                proc.terminate()
                proc.join(5)
            if proc.is_alive():
                proc.kill()
                proc.join(5)

    def execute(self, job: Job, timeout: float) -> tuple[str, Any]:
        """Run ``job`` in this worker; returns (status, result-or-message)."""
        assert self.conn is not None and self.proc is not None
        self.cancel.value = 0
        payload = {"scenario": job.scenario.model_dump_json(), "out_dir": str(job.out_dir)}
        self.conn.send(payload)
        deadline = time.monotonic() + timeout
        stop_reason: str | None = None
        grace_end = 0.0
        while True:
            now = time.monotonic()
            if stop_reason is None:
                if job.cancel_requested:
                    stop_reason = "cancelled by request"
                elif now >= deadline:
                    stop_reason = f"cancelled: time limit of {timeout:g} s exceeded"
                if stop_reason is not None:
                    job.phase = "cancelling"
                    self.cancel.value = 1
                    grace_end = now + self.settings.grace_seconds
            elif now >= grace_end:  # the worker did not stop in time: terminate it
                self.stop()
                return "cancelled", stop_reason
            wait = 0.1 if stop_reason else max(0.01, min(0.2, deadline - now))
            try:
                ready = self.conn.poll(wait)
                msg = self.conn.recv() if ready else None
            except (EOFError, OSError):
                code = self.proc.exitcode if self.proc is not None else None
                self.stop()
                if stop_reason:
                    return "cancelled", stop_reason
                return "failed", f"the worker process stopped unexpectedly (exit code {code})"
            if msg is None:
                if not self.alive:
                    code = self.proc.exitcode if self.proc is not None else None
                    self.stop()
                    return "failed", f"the worker process stopped unexpectedly (exit code {code})"
                continue
            kind, data = msg
            if kind == "progress":
                job.weeks_done += int(data)
            elif kind == "phase":
                if stop_reason is None:
                    job.phase = str(data)
            elif kind in ("done", "failed", "cancelled"):
                self.cancel.value = 0
                if stop_reason:  # over time or cancelled, even if it just finished
                    return "cancelled", stop_reason
                if kind == "cancelled":
                    return "cancelled", "cancelled"
                return kind, data


class JobManager:
    """Accepts, runs and keeps jobs; see the module docstring."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.jobs: dict[str, Job] = {}
        self.lock = threading.Lock()
        self.slots: queue.Queue[Slot] = queue.Queue()
        self._all_slots = [Slot(i, settings) for i in range(settings.max_jobs)]
        for s in self._all_slots:
            self.slots.put(s)
        self.pool: ThreadPoolExecutor | None = None
        self._root: Path | None = None
        self._counter = itertools.count(1)
        self.closed = False

    @property
    def root(self) -> Path:
        """Where runs write their downloads (a temporary folder unless ``results_dir`` is set)."""
        if self._root is None:
            d = self.settings.results_dir
            self._root = Path(d) if d is not None else Path(tempfile.mkdtemp(prefix="equality-model-runs-"))
            self._root.mkdir(parents=True, exist_ok=True)
        return self._root

    # ------------------------------------------------------------------ lifecycle
    def prewarm(self) -> None:
        """Start every worker in the background (each warms numba's caches)."""

        def warm(slot: Slot) -> None:
            try:
                slot.ensure_started()
            except RuntimeError:
                pass  # the first job will try again and report the error
            finally:
                self.slots.put(slot)

        idle: list[Slot] = []
        while True:
            try:
                idle.append(self.slots.get_nowait())
            except queue.Empty:
                break
        for slot in idle:
            threading.Thread(target=warm, args=(slot,), daemon=True, name="equality-model-prewarm").start()

    def open(self) -> None:
        """(Re)open for jobs: the app's lifespan calls this at startup."""
        self.closed = False

    def close(self) -> None:
        """Cancel active runs, stop the workers and remove the temporary results folder."""
        self.closed = True
        with self.lock:
            for j in self.jobs.values():
                if j.active:
                    j.cancel_requested = True
            pool, self.pool = self.pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        for s in self._all_slots:
            s.stop()
        with self.lock:
            for j in self.jobs.values():
                if j.active:
                    j.status, j.phase, j.error = "cancelled", "cancelled", "cancelled: the server stopped"
            self.jobs.clear()
        if self._root is not None and self.settings.results_dir is None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None

    # ------------------------------------------------------------------ jobs
    def active_count(self) -> int:
        with self.lock:
            return sum(j.active for j in self.jobs.values())

    def submit(self, sc: Scenario, size: int) -> Job:
        with self.lock:
            if self.closed:
                raise TooManyJobs("the server is shutting down")
            n = sum(j.active for j in self.jobs.values())
            if n >= self.settings.max_jobs:
                raise TooManyJobs(
                    f"too many runs at once: {n} queued or running, the limit is {self.settings.max_jobs}; "
                    "wait for one to finish (or cancel one) and try again"
                )
            jid = f"{next(self._counter):04d}-{secrets.token_hex(4)}"
            job = Job(id=jid, scenario=sc, size=size, weeks_total=sc.replicates * 2 * sc.weeks)
            job.out_dir = self.root / jid
            self.jobs[jid] = job
            self._evict()
            if self.pool is None:
                self.pool = ThreadPoolExecutor(
                    max_workers=self.settings.max_jobs, thread_name_prefix="equality-model-job"
                )
            self.pool.submit(self._run, job)
        return job

    def get(self, jid: str) -> Job | None:
        with self.lock:
            return self.jobs.get(jid)

    def list(self) -> list[Job]:
        with self.lock:
            return sorted(self.jobs.values(), key=lambda j: j.created, reverse=True)

    def cancel(self, job: Job) -> None:
        job.cancel_requested = True
        if job.status == "queued":
            job.phase = "cancelling"

    def _evict(self) -> None:
        """Drop the oldest finished jobs (and their files) beyond ``keep_runs``. Holds the lock."""
        finished = sorted((j for j in self.jobs.values() if not j.active), key=lambda j: j.created)
        for j in finished[: max(0, len(finished) - self.settings.keep_runs)]:
            del self.jobs[j.id]
            if j.out_dir is not None:
                shutil.rmtree(j.out_dir, ignore_errors=True)

    def _finish(self, job: Job, status: str, data: Any) -> None:
        job.finished = time.time()
        if status == "done":
            job.result = data
            job.phase = "done"
        else:
            job.error = str(data)
            job.phase = status
            if job.out_dir is not None:
                shutil.rmtree(job.out_dir, ignore_errors=True)
        job.status = status

    def _run(self, job: Job) -> None:
        if job.cancel_requested:
            self._finish(job, "cancelled", "cancelled by request")
            return
        slot = self.slots.get()
        try:
            if job.cancel_requested:
                self._finish(job, "cancelled", "cancelled by request")
                return
            job.status = job.phase = "starting"
            try:
                slot.ensure_started()
            except RuntimeError as exc:
                self._finish(job, "failed", str(exc))
                return
            if job.cancel_requested:
                self._finish(job, "cancelled", "cancelled by request")
                return
            job.status = job.phase = "running"
            job.started = time.time()
            assert job.out_dir is not None
            job.out_dir.mkdir(parents=True, exist_ok=True)
            status, data = slot.execute(job, self.settings.job_timeout)
            self._finish(job, status, data)
        except Exception as exc:  # keep the job record truthful whatever happens
            self._finish(job, "failed", f"internal error ({exc.__class__.__name__}: {exc})")
            slot.stop()
        finally:
            self.slots.put(slot)
