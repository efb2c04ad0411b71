"""`bench serve`: the scoring API started as its own process on loopback, driven by a load loop.

The API scores the promoted models of the lake at $INCIDENT_INTEL_DATA_DIR (run `make run`
first). Load comes from this process, over HTTP, so the API's figures include parsing,
embedding, scoring and serialising, and its memory is its own.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from incident_intel.api.guards import TOKEN_ENV
from incident_intel.bench.embed_bench import synthetic_ticket_texts

TOKEN = "bench-serve-token"
GROUPS = ("Network", "Service Desk", "Database", "Storage & Backup", "Identity & Access")


def _incidents(n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    texts = synthetic_ticket_texts(n, seed=seed)
    return [
        {
            "short_description": text.split(". ", 1)[0],
            "description": text,
            "priority": rng.randint(1, 5),
            "assignment_group": rng.choice(GROUPS),
            "contact_type": rng.choice(("phone", "email", "self-service")),
        }
        for text in texts
    ]


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


@contextmanager
def api_process(port: int, timeout: float = 180) -> Iterator[subprocess.Popen]:
    """`incident-intel serve` on loopback, ready (its /health answers) or failed loudly."""
    env = {**os.environ, TOKEN_ENV: TOKEN}
    command = [sys.executable, "-m", "incident_intel.cli", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                output = process.stdout.read().decode(errors="replace")
                raise SystemExit(f"the API exited before answering:\n{output[-3000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        else:
            raise SystemExit(f"the API did not answer /health within {timeout:.0f} s")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def _timed_posts(client: httpx.Client, path: str, bodies: list[Any]) -> list[float]:
    """Milliseconds per request, each checked to succeed."""
    times = []
    for body in bodies:
        started = time.perf_counter()
        response = client.post(path, json=body)
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return times


def _throughput(url: str, incidents: list[dict], clients: int, seconds: float) -> dict[str, Any]:
    counts, failures = [0] * clients, [0] * clients
    stop = time.monotonic() + seconds

    def drive(worker: int) -> None:
        with httpx.Client(base_url=url, headers=_auth(), timeout=60) as client:
            i = worker
            while time.monotonic() < stop:
                response = client.post("/predict", json=incidents[i % len(incidents)])
                counts[worker] += response.status_code == 200
                failures[worker] += response.status_code != 200
                i += clients

    threads = [threading.Thread(target=drive, args=(w,)) for w in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"requests": sum(counts), "failed": sum(failures), "rps": sum(counts) / elapsed}


def _auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def run_serve_bench(singles: int = 300, seconds: float = 20, clients: int = 8) -> dict[str, Any]:
    incidents = _incidents(2000, seed=7)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with (
        api_process(port) as process,
        httpx.Client(base_url=url, headers=_auth(), timeout=120) as client,
    ):
        idle_rss = _rss_mib(process.pid)
        _timed_posts(client, "/predict", incidents[:20])
        single = _timed_posts(client, "/predict", incidents[20 : 20 + singles])
        batch100 = _timed_posts(
            client,
            "/predict/batch",
            [{"incidents": incidents[i : i + 100]} for i in range(0, 1000, 100)],
        )
        batch1000 = _timed_posts(client, "/predict/batch", [{"incidents": incidents[:1000]}] * 3)
        load = _throughput(url, incidents, clients, seconds)
        figures = {
            "predict_p50_ms": round(statistics.median(single), 1),
            "predict_p99_ms": round(_percentile(single, 99), 1),
            "batch100_ms": round(statistics.median(batch100), 1),
            "batch1000_ms": round(statistics.median(batch1000), 1),
            f"throughput_rps_{clients}_clients": round(load["rps"], 1),
            "failed_requests_under_load": load["failed"],
            "rss_mib": round(_rss_mib(process.pid), 1),
            "rss_mib_idle": round(idle_rss, 1),
            "single_requests": singles,
            "cpu_count": os.cpu_count(),
        }
        figures["model_versions"] = client.get("/health").json()["model_versions"]
    return figures
