"""`bench faults`' hard-kill scenario: SIGKILL a real `dagster asset materialize`, then rerun.

The run pulls from a simulator served by this process (INCIDENT_INTEL_SIMULATOR_URL), slowed
by latency on every request so that the kill lands while bronze is being written. The rerun
is `incident_intel.run.layers.materialize`, which first fails runs whose processes are gone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

import dagster as dg

from incident_intel.bench.faults_lake import (
    DAY,
    INCIDENTS_PER_DAY,
    compare_with_truth,
    synthetic_store,
)
from incident_intel.bench.graph_run import derived_config, temporary_graph_root
from incident_intel.simulator.server import SimulatorServer
from incident_intel.simulator.settings import FaultSettings, SimulatorSettings
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import INCIDENT_PAGES

SELECTION = "group:bronze or group:silver"
LATENCY = FaultSettings(seed=9, latency_ms=150, latency_rate=1.0)
PULL = {"page_size": 50, "backoff_initial_seconds": 0.01, "backoff_max_seconds": 0.05}


def _bronze_started(data: Path) -> bool:
    """A staging directory of the day's bronze partition holds at least one page."""
    final = LakePaths(data).partition_dir(INCIDENT_PAGES, DAY)
    if not final.parent.is_dir():
        return False
    staging = final.parent.glob(f".{final.name}.staging-*")
    return any(any(s.glob("page-*")) for s in staging)


def _staging_leftovers(data: Path) -> int:
    return len(list(LakePaths(data).table_dir(INCIDENT_PAGES).glob(".*.staging-*")))


def _kill_mid_bronze(data: Path, log: Path, timeout: float = 180) -> float:
    """Start the run in a session of its own; SIGKILL the whole session once bronze has begun."""
    from incident_intel.run.instance import dagster_executable, quiet_environment
    from incident_intel.run.layers import DEFINITIONS_MODULE
    from incident_intel.settings import PROJECT_ROOT

    command = [dagster_executable(), "asset", "materialize", "-m", DEFINITIONS_MODULE]
    command += ["--select", SELECTION, "--partition", DAY.isoformat()]
    with open(log, "w") as output:
        process = subprocess.Popen(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=PROJECT_ROOT,
            env=quiet_environment(),
            start_new_session=True,
        )
    started = time.perf_counter()
    try:
        while not _bronze_started(data):
            if process.poll() is not None:
                raise RuntimeError(f"the run ended before bronze began:\n{log.read_text()[-2000:]}")
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"bronze did not begin within {timeout:.0f} s")
            time.sleep(0.05)
        return time.perf_counter() - started
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def _run_statuses() -> list[str]:
    with dg.DagsterInstance.get() as instance:
        return [run.status.value for run in reversed(instance.get_runs(limit=10))]


def hard_kill_then_rerun(root: Path) -> dict[str, Any]:
    from incident_intel.run.instance import ensure_dagster_home
    from incident_intel.run.layers import materialize

    store = synthetic_store(INCIDENTS_PER_DAY)
    served = SimulatorSettings(username="admin", password="simulator", faults=LATENCY)
    config = derived_config(source=PULL, simulator={"username": "admin", "password": "simulator"})
    previous = os.environ.get("INCIDENT_INTEL_SIMULATOR_URL")
    with SimulatorServer(store, served) as server, temporary_graph_root(config) as data:
        os.environ["INCIDENT_INTEL_SIMULATOR_URL"] = server.url
        try:
            ensure_dagster_home()
            killed_after = _kill_mid_bronze(data, root / "killed.log")
            after_kill = {"leftovers": _staging_leftovers(data), "statuses": _run_statuses()}
            rerun_succeeded = materialize(SELECTION, ["--partition", DAY.isoformat()])
            figures = compare_with_truth(data, store, [DAY])
            statuses = _run_statuses()
            leftovers = _staging_leftovers(data)
        finally:
            if previous is None:
                os.environ.pop("INCIDENT_INTEL_SIMULATOR_URL", None)
            else:
                os.environ["INCIDENT_INTEL_SIMULATOR_URL"] = previous
    return {
        **figures,
        "killed_after_seconds": round(killed_after, 1),
        "staging_dirs_after_kill": after_kill["leftovers"],
        "run_statuses_after_kill": after_kill["statuses"],
        "run_succeeded": rerun_succeeded,
        "run_statuses_after_rerun": statuses,
        "staging_dirs_after_rerun": leftovers,
    }
