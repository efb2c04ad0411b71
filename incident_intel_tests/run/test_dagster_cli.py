"""The `dagster asset materialize` CLI, as CI and cron users run it, on the embedded simulator."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from incident_intel.run.instance import ensure_dagster_home
from incident_intel.run.layers import MODELS_RUN_CONFIG, materialize_daily
from incident_intel.settings import PROJECT_ROOT
from incident_intel.storage.warehouse import warehouse_at

pytestmark = pytest.mark.slow


def _dagster(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    home = data_dir / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    env = {**os.environ, "INCIDENT_INTEL_DATA_DIR": str(data_dir), "DAGSTER_HOME": str(home)}
    env.pop("SERVICENOW_INSTANCE_URL", None)
    dagster = str(Path(sys.executable).with_name("dagster"))
    return subprocess.run(
        [dagster, *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _materialize(data_dir: Path, *selection: str) -> subprocess.CompletedProcess:
    return _dagster(
        "asset", "materialize", "-m", "incident_intel.definitions", *selection, data_dir=data_dir
    )


def test_materialize_one_partition_from_the_cli(tmp_path):
    completed = _materialize(
        tmp_path, "--select", "group:bronze or group:silver", "--partition", "2026-01-05"
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    manifest = json.loads(
        (tmp_path / "bronze/incident_pages/date=2026-01-05/manifest.json").read_text()
    )
    assert manifest["record_count"] > 0
    assert (tmp_path / "silver/incident_versions/date=2026-01-05/part-0.parquet").exists()
    warehouse = warehouse_at(tmp_path / "warehouse.duckdb", read_only=True)
    with warehouse.get_connection() as connection:
        [(incidents,)] = connection.sql("SELECT count(*) FROM silver.incidents").fetchall()
    assert incidents > 0
    assert "RUN_SUCCESS" in completed.stderr


def test_the_models_run_config_runs_steps_in_processes_forked_from_its_server(tmp_path):
    config = json.dumps(MODELS_RUN_CONFIG)
    completed = _materialize(tmp_path, "--select", "silver/feedback", "--config-json", config)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "Executing steps using multiprocess executor" in completed.stderr
    assert 'Executing step "silver__feedback" in subprocess' in completed.stderr
    assert "RUN_SUCCESS" in completed.stderr


def test_a_partition_range_runs_as_one_backfill(tmp_path):
    completed = _materialize(
        tmp_path,
        "--select",
        "bronze/incident_pages,silver/incident_versions,silver/incident_rejects",
        "--partition-range",
        "2026-01-05...2026-01-07",
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    days = sorted(p.name for p in (tmp_path / "silver/incident_versions").iterdir())
    assert days == ["date=2026-01-05", "date=2026-01-06", "date=2026-01-07"]


def test_a_failing_step_fails_the_in_process_daily_run(tmp_path, monkeypatch):
    monkeypatch.setenv("INCIDENT_INTEL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.delenv("SERVICENOW_INSTANCE_URL", raising=False)
    ensure_dagster_home()
    # No bronze partition for silver to read: its step fails, and the merge after it must not run.
    with pytest.raises(SystemExit, match="materialising the daily layers failed"):
        materialize_daily("silver/incident_versions,silver/incidents", "2026-01-05", "2026-01-05")
    with dg.DagsterInstance.get() as instance:
        (run,) = instance.get_runs()
        engine_messages = [
            entry.message
            for entry in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ENGINE_EVENT)
        ]
    assert run.status == dg.DagsterRunStatus.FAILURE
    assert any(message.startswith("Executing steps in process") for message in engine_messages)
    assert not (tmp_path / "warehouse.duckdb").exists()
