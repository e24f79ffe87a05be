#!/usr/bin/env python3
"""A bounded load test of the web explorer on loopback: N concurrent clients, a fixed number of requests.

By default it starts ``equality-model serve`` in a subprocess on a free loopback port (one uvicorn
process, as users run it), then sends REQUESTS requests from CLIENTS concurrent clients (each its
own httpx.AsyncClient and keep-alive connection) spread over the paths, and prints throughput,
latency percentiles and errors. It exits 1 if any request failed. Give --url to test a running server.

    python scripts/load_test.py                       # 100 clients, 2,000 requests, /api/laws and /laws
    python scripts/load_test.py --clients 50 --requests 5000 --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass

import httpx

DEFAULT_PATHS = ("/api/laws", "/laws")


@dataclass
class LoadResult:
    url: str
    clients: int
    requests: int
    paths: list[str]
    seconds: float
    throughput_rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    error_examples: list[str]

    def lines(self) -> list[str]:
        return [
            f"target      {self.url}  paths {', '.join(self.paths)}",
            f"load        {self.clients} concurrent clients, {self.requests:,} requests "
            f"in {self.seconds:.2f} s",
            f"throughput  {self.throughput_rps:,.0f} requests/s",
            f"latency     p50 {self.p50_ms:.1f} ms, p90 {self.p90_ms:.1f} ms, p99 {self.p99_ms:.1f} ms, "
            f"max {self.max_ms:.1f} ms",
            f"errors      {self.errors}"
            + (f" (e.g. {'; '.join(self.error_examples)})" if self.errors else ""),
        ]


def _quantile(sorted_ms: list[float], q: float) -> float:
    if not sorted_ms:
        return float("nan")
    i = min(len(sorted_ms) - 1, max(0, round(q * (len(sorted_ms) - 1))))
    return sorted_ms[i]


async def _load(url: str, clients: int, total: int, paths: Sequence[str], timeout: float) -> LoadResult:
    latencies: list[float] = []
    errors: list[str] = []
    counter = iter(range(total))

    async def client(c: httpx.AsyncClient) -> None:
        for i in counter:  # shared iterator: the clients take requests until none are left
            path = paths[i % len(paths)]
            t0 = time.perf_counter()
            try:
                r = await c.get(path)
                await r.aread()
                if r.status_code != 200:
                    errors.append(f"{path}: HTTP {r.status_code}")
            except httpx.HTTPError as exc:
                errors.append(f"{path}: {exc.__class__.__name__}")
            latencies.append((time.perf_counter() - t0) * 1000)

    # Build every client before the clock starts (plain HTTP on loopback: no TLS context to load),
    # each with its own keep-alive connection, like separate users.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    pool = [
        httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits, verify=False) for _ in range(clients)
    ]
    try:
        t0 = time.perf_counter()
        await asyncio.gather(*(client(c) for c in pool))
    finally:
        await asyncio.gather(*(c.aclose() for c in pool))
    seconds = time.perf_counter() - t0
    ms = sorted(latencies)
    return LoadResult(
        url=url,
        clients=clients,
        requests=len(latencies),
        paths=list(paths),
        seconds=seconds,
        throughput_rps=len(latencies) / seconds if seconds else float("nan"),
        p50_ms=_quantile(ms, 0.50),
        p90_ms=_quantile(ms, 0.90),
        p99_ms=_quantile(ms, 0.99),
        max_ms=ms[-1] if ms else float("nan"),
        errors=len(errors),
        error_examples=sorted(set(errors))[:3],
    )


def run_load(
    url: str,
    clients: int = 100,
    requests: int = 2000,
    paths: Sequence[str] = DEFAULT_PATHS,
    timeout: float = 30.0,
    warmup: int = 20,
) -> LoadResult:
    """Warm the server up with a few sequential requests, then run the bounded load."""
    with httpx.Client(base_url=url, timeout=timeout) as c:
        for i in range(warmup):
            c.get(paths[i % len(paths)]).raise_for_status()
    return asyncio.run(_load(url, clients, requests, paths, timeout))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_subprocess(port: int | None = None, startup_timeout: float = 90.0) -> Iterator[str]:
    """Start ``equality-model serve`` on 127.0.0.1 in a subprocess; yield its base URL."""
    port = port or _free_port()
    cmd = [
        sys.executable,
        "-m",
        "equality_model.cli",
        "serve",
        "--port",
        str(port),
        "--no-prewarm",
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr else ""
                raise RuntimeError(f"the server exited with code {proc.returncode}: {err[-2000:]}")
            try:
                if httpx.get(url + "/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer on {url} within {startup_timeout:g} s")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="Test this running server instead of starting one.")
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--path", action="append", dest="paths", help="Path to request (repeatable).")
    ap.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = ap.parse_args(argv)
    paths = tuple(args.paths or DEFAULT_PATHS)
    if args.url:
        res = run_load(args.url.rstrip("/"), args.clients, args.requests, paths)
    else:
        with serve_subprocess() as url:
            res = run_load(url, args.clients, args.requests, paths)
    if args.json:
        print(json.dumps(asdict(res), indent=2))
    else:
        print("\n".join(res.lines()))
    return 1 if res.errors else 0


if __name__ == "__main__":
    sys.exit(main())
