"""Runs bronze -> silver for chosen days against a live simulator, and reads the results back."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import polars as pl

from incident_intel.bench.faults_lake import (
    BRONZE_ASSETS,
    CANONICAL,
    DAILY_ASSETS,
    lake_resources,
)
from incident_intel.ingest.bronze import write_bronze_partition
from incident_intel.ingest.source import IncidentSource
from incident_intel.partitions import day_window
from incident_intel.simulator.synthetic import SyntheticIncidentStore
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import (
    INCIDENT_AUDIT_PAGES,
    INCIDENT_PAGES,
    INCIDENT_REJECTS,
    INCIDENT_VERSIONS,
    INCIDENTS,
)
from incident_intel.storage.warehouse import warehouse_at

SILVER_ASSETS = DAILY_ASSETS


def materialize(
    data_dir: Path, source: IncidentSource, partition: str | None = None, **kwargs
) -> dg.ExecuteInProcessResult:
    result = dg.materialize(
        SILVER_ASSETS,
        partition_key=partition,
        resources={"source": source, **lake_resources(data_dir)},
        **kwargs,
    )
    assert result.success
    failed = [
        e.check_name
        for e in result.get_asset_check_evaluations()
        if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR
    ]
    assert not failed, f"checks failed: {failed}"
    return result


def silver_versions(data_dir: Path, day: date) -> pl.DataFrame:
    path = LakePaths(data_dir).partition_file(INCIDENT_VERSIONS, day)
    return pl.read_parquet(path).select(CANONICAL).sort("sys_updated_on", "sys_id")


def silver_rejects(data_dir: Path, day: date) -> pl.DataFrame:
    return pl.read_parquet(LakePaths(data_dir).partition_file(INCIDENT_REJECTS, day))


def current_incidents(data_dir: Path) -> pl.DataFrame:
    warehouse = warehouse_at(LakePaths(data_dir).warehouse, read_only=True)
    with warehouse.get_connection() as connection:
        frame = connection.sql(f"SELECT * FROM {INCIDENTS.sql_name}").pl()
    return frame.select(CANONICAL).sort("sys_id")


def expected_versions(store: SyntheticIncidentStore, day: date) -> pl.DataFrame:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    end = start + (datetime(2026, 1, 2) - datetime(2026, 1, 1))
    return store.ground_truth(start, end).select(CANONICAL).sort("sys_updated_on", "sys_id")


def pull_failure(data_dir: Path, source: IncidentSource, partition: str) -> str:
    """Materialise bronze only, expecting failure; return the error messages the run shows."""
    result = dg.materialize(
        BRONZE_ASSETS,
        partition_key=partition,
        resources={"source": source, **lake_resources(data_dir)},
        raise_on_error=False,
    )
    assert not result.success
    messages = []
    for failure in result.get_step_failure_events():
        error = failure.step_failure_data.error
        while error is not None:
            messages.append(error.message)
            error = error.cause
    return "\n".join(messages)


def pull_day(paths: LakePaths, source: IncidentSource, day: date) -> None:
    """Pull one day's incident pages, then its audit trail, into bronze, as the assets do."""
    start, end = day_window(day)
    common = {"source_url": source.url, "window_start": start, "window_end": end}
    write_bronze_partition(
        paths.partition_dir(INCIDENT_PAGES, day), source.pull_window(start, end), **common
    )
    write_bronze_partition(
        paths.partition_dir(INCIDENT_AUDIT_PAGES, day),
        source.pull_audit_window(start, end),
        **common,
    )
