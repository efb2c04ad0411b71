"""A run killed outright (kill -9) neither stays in progress nor keeps the warehouse pool's slot.

The first tests build runs in a real SQLite instance (the project's dagster.yaml) with the pids
real runs record, and check what `recover_dead_runs` makes of them. The slow ones kill real runs:
one started as `incident-intel run` starts them, recovered by the next run's sweep, and one
launched by the daemon, recovered by the code server and run monitoring with no sweep at all.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.events import EngineEventData
from dagster._core.execution.plan.instance_concurrency_context import InstanceConcurrencyContext

from incident_intel.run.layers import IN_PROCESS_RUN_CONFIG
from incident_intel.run.recovery import recover_dead_runs, run_pids, sweeping_dead_runs
from incident_intel.settings import PROJECT_ROOT

POOL = "warehouse"
STEP = "silver__incidents"
BIN = Path(sys.executable).parent

# Two assets in the warehouse pool: one that says it has started and then blocks until it is
# killed, and one that is done at once. STARTED_MARKER names the file the first one creates.
PROBE_DEFINITIONS = """
import os
import time
from pathlib import Path

import dagster as dg


@dg.asset(pool="warehouse")
def warehouse_blocker() -> None:
    Path(os.environ["STARTED_MARKER"]).touch()
    time.sleep(3600)


@dg.asset(pool="warehouse")
def warehouse_writer() -> None:
    pass


defs = dg.Definitions(
    assets=[warehouse_blocker, warehouse_writer],
    jobs=[dg.define_asset_job("blocker_job", selection=[warehouse_blocker])],
)
"""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


@pytest.fixture
def instance(home: Path) -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        yield instance


def _dead_pid() -> int:
    exited = subprocess.Popen([sys.executable, "-c", "pass"])
    exited.wait(timeout=30)
    return exited.pid


@pytest.fixture
def live_process() -> Iterator[subprocess.Popen]:
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        yield process
    finally:
        process.kill()
        process.wait(timeout=30)


def _started_run(instance: dg.DagsterInstance, *pids: int) -> dg.DagsterRun:
    """A run as its executor leaves it mid-step: started, its pids recorded, the slot held."""
    run = instance.add_run(dg.DagsterRun(job_name="probe", status=dg.DagsterRunStatus.STARTED))
    for pid in pids:
        instance.report_engine_event(f"process (pid: {pid})", run, EngineEventData.in_process(pid))
    with InstanceConcurrencyContext(instance, run) as concurrency:
        assert concurrency.claim(POOL, STEP)
    return run


def _status(instance: dg.DagsterInstance, run_id: str) -> dg.DagsterRunStatus:
    run = instance.get_run_by_id(run_id)
    assert run is not None
    return run.status


def _slot_holders(instance: dg.DagsterInstance) -> list[str]:
    return [
        slot.run_id for slot in instance.event_log_storage.get_concurrency_info(POOL).claimed_slots
    ]


def test_a_run_whose_processes_are_all_gone_is_failed_and_its_slot_freed(instance):
    run = _started_run(instance, _dead_pid(), _dead_pid())
    assert _slot_holders(instance) == [run.run_id]

    assert recover_dead_runs(instance) == [run.run_id]
    assert _status(instance, run.run_id) == dg.DagsterRunStatus.FAILURE
    assert _slot_holders(instance) == []
    assert recover_dead_runs(instance) == []


def test_a_run_with_a_process_still_running_keeps_its_slot_until_that_process_ends(
    instance, live_process
):
    # The executor was killed, but its step worker, orphaned, still writes.
    run = _started_run(instance, _dead_pid(), live_process.pid)
    assert recover_dead_runs(instance) == []
    assert _status(instance, run.run_id) == dg.DagsterRunStatus.STARTED
    assert _slot_holders(instance) == [run.run_id]

    live_process.kill()
    live_process.wait(timeout=30)
    assert recover_dead_runs(instance) == [run.run_id]
    assert _slot_holders(instance) == []


def _proc_state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def _wait_until(condition: Callable[[], object], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.2)


def test_a_killed_process_nobody_has_reaped_counts_as_gone(instance, live_process):
    live_process.kill()
    # Not waited for: a zombie until this test's teardown reaps it.
    _wait_until(lambda: _proc_state(live_process.pid) == "Z", "the killed process to be a zombie")
    run = _started_run(instance, live_process.pid)
    assert recover_dead_runs(instance) == [run.run_id]


def test_a_run_that_recorded_no_process_yet_is_left_alone(instance):
    run = _started_run(instance)
    assert recover_dead_runs(instance) == []
    assert _status(instance, run.run_id) == dg.DagsterRunStatus.STARTED


def test_a_run_failed_from_outside_gets_its_slot_back_once_its_processes_are_gone(instance):
    run = _started_run(instance, _dead_pid())
    instance.report_run_failed(run, "Exceeded maximum runtime of 7200 seconds.")
    assert recover_dead_runs(instance) == [run.run_id]
    assert _slot_holders(instance) == []
    failures = instance.get_records_for_run(
        run.run_id, of_type=dg.DagsterEventType.RUN_FAILURE
    ).records
    assert len(failures) == 1, "a run already failed was failed again"


# --- real runs, killed ------------------------------------------------------------------------


@contextmanager
def _process(command: list[str], log: Path, **popen_args) -> Iterator[subprocess.Popen]:
    """A process in a session of its own, every process of which is killed on the way out."""
    with open(log, "w") as output:
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True, **popen_args
        )
    try:
        yield process
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def _run_to_end(command: list[str], log: Path, **popen_args) -> int:
    with _process(command, log, **popen_args) as process:
        return process.wait(timeout=300)


@pytest.fixture
def probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    module = tmp_path / "probe.py"
    module.write_text(PROBE_DEFINITIONS)
    monkeypatch.setenv("STARTED_MARKER", str(tmp_path / "blocker-started"))
    return module


def _blocker_holds_the_slot(instance: dg.DagsterInstance, run: subprocess.Popen, log: Path) -> str:
    """Wait until the blocking step runs, holding the pool's slot; returns its run's id."""

    def holding() -> bool:
        assert run.poll() is None, f"the first run ended early:\n{log.read_text()[-3000:]}"
        return bool(_slot_holders(instance)) and Path(os.environ["STARTED_MARKER"]).exists()

    _wait_until(holding, "the blocking step to hold the warehouse slot", timeout=240)
    (run_id,) = _slot_holders(instance)
    return run_id


@pytest.mark.slow
@pytest.mark.parametrize(
    "executor",
    [[], ["--config-json", json.dumps(IN_PROCESS_RUN_CONFIG)]],
    ids=["multiprocess", "in_process"],
)
def test_the_run_after_a_killed_cli_run_completes_on_its_own(
    home, instance, probe, tmp_path, executor
):
    dagster = str(BIN / "dagster")
    materialize = [dagster, "asset", "materialize", "-f", str(probe), "--select"]
    first_log = tmp_path / "first.log"
    blocker = [*materialize, "warehouse_blocker", *executor]
    with _process(blocker, first_log, cwd=tmp_path) as first:
        killed_run = _blocker_holds_the_slot(instance, first, first_log)
        os.killpg(first.pid, signal.SIGKILL)  # the run's process, its step worker, their helpers
        first.wait(timeout=30)
    # Killed, the run cannot say so: in progress for good, and the only slot with it.
    assert _status(instance, killed_run) == dg.DagsterRunStatus.STARTED
    assert _slot_holders(instance) == [killed_run]

    # The next run, launched as incident_intel.run.layers launches every run; nothing between.
    second_log = tmp_path / "second.log"
    with sweeping_dead_runs():
        second = _run_to_end([*materialize, "warehouse_writer"], second_log, cwd=tmp_path)
    assert second == 0, second_log.read_text()[-3000:]
    assert _status(instance, killed_run) == dg.DagsterRunStatus.FAILURE
    (latest,) = instance.get_runs(limit=1)
    assert latest.run_id != killed_run and latest.status == dg.DagsterRunStatus.SUCCESS
    assert _slot_holders(instance) == []


@pytest.mark.slow
def test_a_killed_daemon_run_is_failed_and_its_slot_freed_by_run_monitoring(
    home, instance, probe, tmp_path
):
    # The docker-compose way: the daemon launches the run through the code server, and nothing
    # of incident_intel.run sweeps. Same run launcher and run_monitoring as that deployment.
    dagster = str(BIN / "dagster")
    location = ["-f", str(probe)]
    daemon = [str(BIN / "dagster-daemon"), "run", *location]
    second_log = tmp_path / "second.log"
    # The daemon's session holds its code server and every run worker: all go on the way out.
    with _process(daemon, tmp_path / "daemon.log", cwd=tmp_path):
        launch = subprocess.run(
            [dagster, "job", "launch", *location, "-j", "blocker_job"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert launch.returncode == 0, launch.stderr[-3000:]
        (killed_run,) = instance.get_runs(limit=1)
        _wait_until(
            lambda: (
                _slot_holders(instance) == [killed_run.run_id]
                and Path(os.environ["STARTED_MARKER"]).exists()
            ),
            "the daemon's run to hold the warehouse slot",
            timeout=240,
        )
        # Every process of the run: its worker, and the worker of the blocking step.
        pids = run_pids(instance, killed_run.run_id)
        assert len(pids) >= 2, pids
        for pid in pids:
            os.kill(pid, signal.SIGKILL)

        # The code server fails the run at once; the daemon frees its slot 30 s after that.
        second = _run_to_end(
            [dagster, "asset", "materialize", *location, "--select", "warehouse_writer"],
            second_log,
            cwd=tmp_path,
        )
    assert second == 0, second_log.read_text()[-3000:]
    assert _status(instance, killed_run.run_id) == dg.DagsterRunStatus.FAILURE
    assert _slot_holders(instance) == []
