"""The `dagster asset materialize` CLI, as CI and cron users run it, on the embedded simulator."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
