"""Runs that died without a word: marked failed, and their pool slots given back.

A run killed outright (kill -9, the OOM killer, a closed laptop) cannot report its own end.
Dagster learns of such a death only from whatever launched the run: the user-code server fails a
run worker of its own that dies, and the daemon's run monitoring fails a run that outlives
`max_runtime_seconds` (see dagster.yaml). A run started by `dagster asset materialize`, as
`incident-intel run` starts them, has no such watcher: it stays STARTED for good, keeps its
`warehouse` slot, and every later step in that pool waits for it.

Every run records the pids of its processes in its events: the executor's and each step
worker's. `incident-intel` always uses the local SQLite instance (`ensure_dagster_home`), whose
files are on this machine's disk, so its runs ran on this machine: a run none of whose processes
is still running is dead. While a run launched here goes, the launcher sweeps every few seconds,
so a run waiting for a dead run's slot gets it even when the dead run's last step outlived it.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from dagster._core.events import JobFailureData, RunFailureReason

SWEEP_INTERVAL_SECONDS = 10.0
# The statuses of a run that has processes; queued and not-started runs hold no slot either.
ACTIVE_STATUSES = [
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]
PID_EVENTS = {dg.DagsterEventType.ENGINE_EVENT, dg.DagsterEventType.STEP_WORKER_STARTED}


def recover_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Fail every unfinished run whose processes are all gone, and free a dead run's slots.

    Returns the ids of the runs recovered.
    """
    suspects = {run.run_id for run in instance.get_runs(dg.RunsFilter(statuses=ACTIVE_STATUSES))}
    # A run marked failed from outside (say, for its max runtime) may still hold its slots.
    suspects |= instance.event_log_storage.get_concurrency_run_ids()
    recovered = []
    for run_id in sorted(suspects):
        pids = run_pids(instance, run_id)
        # No pid yet: the run has not reached its executor, so it holds no slot; leave it.
        if not pids or any(_is_running(pid) for pid in pids):
            continue
        # Read again: a run that ended normally recorded its end before its processes exited.
        run = instance.get_run_by_id(run_id)
        if run is not None and not run.is_finished:
            instance.report_run_failed(
                run,
                f"Every process of this run (pids {sorted(pids)}) is gone without the run "
                "ending: it was killed. Marked failed, and its pool slots freed.",
                JobFailureData(error=None, failure_reason=RunFailureReason.UNEXPECTED_TERMINATION),
            )
        elif run_id not in instance.event_log_storage.get_concurrency_run_ids():
            continue  # it ended normally, and gave its slots back, while we looked
        instance.event_log_storage.free_concurrency_slots_for_run(run_id)
        recovered.append(run_id)
    return recovered


def run_pids(instance: dg.DagsterInstance, run_id: str) -> set[int]:
    """The pids the run's processes recorded: its executor's and each step worker's."""
    pids = set()
    for record in instance.get_records_for_run(run_id, of_type=PID_EVENTS).records:
        data = record.event_log_entry.get_dagster_event().event_specific_data
        # Only some engine events name a process; the others carry no data or other metadata.
        pid = data.metadata.get("pid") if data is not None else None
        if pid is not None:
            pids.add(int(pid.value))
    return pids


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    # A killed process stays in the process table until its parent reaps it; the orphaned step
    # workers of a run whose parent is a container's pid 1 that never reaps stay there for good.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # no /proc on this system, or the process has just gone
        return False
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def sweep_dead_runs() -> None:
    """Recover the dead runs of the instance at $DAGSTER_HOME, saying which."""
    try:
        with dg.DagsterInstance.get() as instance:
            recovered = recover_dead_runs(instance)
    except Exception as error:  # a sweep that fails is retried later; it must not stop a run
        print(f"Could not check for dead runs: {error}", file=sys.stderr, flush=True)
        return
    for run_id in recovered:
        print(
            f"Run {run_id} had died without ending: marked failed, its pool slots freed",
            file=sys.stderr,
            flush=True,
        )


@contextmanager
def sweeping_dead_runs() -> Iterator[None]:
    """Sweep dead runs at once, then every SWEEP_INTERVAL_SECONDS until the block ends."""
    stop = threading.Event()

    def sweep_until_stopped() -> None:
        sweep_dead_runs()
        while not stop.wait(SWEEP_INTERVAL_SECONDS):
            sweep_dead_runs()

    sweeper = threading.Thread(target=sweep_until_stopped, name="sweep-dead-runs", daemon=True)
    sweeper.start()
    try:
        yield
    finally:
        stop.set()
        sweeper.join()
