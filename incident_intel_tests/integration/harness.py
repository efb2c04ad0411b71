"""Runs bronze -> silver for chosen days against a live simulator, and reads the results back."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import polars as pl

from incident_intel.defs.bronze.assets import incident_pages
from incident_intel.defs.silver.assets import incidents, silver_incident_versions
from incident_intel.defs.silver.checks import (
    incidents_key_fields_not_null,
    incidents_resolved_after_opened,
    incidents_sys_id_unique,
)
from incident_intel.lake.paths import LakePaths
from incident_intel.lake.warehouse import connect_warehouse
from incident_intel.resources.incident_source import IncidentSource
from incident_intel.resources.lake import LakeResource
from incident_intel.simulator.synthetic import SyntheticIncidentStore
from incident_intel.sources.schema_mapping import canonical_columns, load_schema_mapping

FIXED_CLOCK = datetime(2026, 2, 1, tzinfo=UTC)
CANONICAL = canonical_columns(load_schema_mapping().canonical)
SILVER_ASSETS = [
    incident_pages,
    silver_incident_versions,
    incidents,
    incidents_sys_id_unique,
    incidents_key_fields_not_null,
    incidents_resolved_after_opened,
]


def synthetic_store(incidents_per_day: int = 120, seed: int = 11) -> SyntheticIncidentStore:
    return SyntheticIncidentStore(
        seed=seed,
        incidents_per_day=incidents_per_day,
        start_date=date(2025, 12, 20),
        clock=lambda: FIXED_CLOCK,
    )


def materialize(
    data_dir: Path, source: IncidentSource, partition: str | None = None, **kwargs
) -> dg.ExecuteInProcessResult:
    result = dg.materialize(
        SILVER_ASSETS,
        partition_key=partition,
        resources={"source": source, "lake": LakeResource(data_dir=str(data_dir))},
        **kwargs,
    )
    assert result.success
    failed = [e.check_name for e in result.get_asset_check_evaluations() if not e.passed]
    assert not failed, f"checks failed: {failed}"
    return result


def silver_versions(data_dir: Path, day: date) -> pl.DataFrame:
    path = LakePaths(data_dir).silver_partition_file("incident_versions", day)
    return pl.read_parquet(path).select(CANONICAL).sort("sys_updated_on", "sys_id")


def silver_rejects(data_dir: Path, day: date) -> pl.DataFrame:
    return pl.read_parquet(LakePaths(data_dir).silver_partition_file("incident_rejects", day))


def current_incidents(data_dir: Path) -> pl.DataFrame:
    with connect_warehouse(LakePaths(data_dir).warehouse, read_only=True) as connection:
        frame = connection.sql("SELECT * FROM silver.incidents").pl()
    return frame.select(CANONICAL).sort("sys_id")


def expected_versions(store: SyntheticIncidentStore, day: date) -> pl.DataFrame:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    end = start + (datetime(2026, 1, 2) - datetime(2026, 1, 1))
    return store.ground_truth(start, end).select(CANONICAL).sort("sys_updated_on", "sys_id")


def pull_failure(data_dir: Path, source: IncidentSource, partition: str) -> str:
    """Materialise bronze only, expecting failure; return the error message the run shows."""
    result = dg.materialize(
        SILVER_ASSETS[:1],
        partition_key=partition,
        resources={"source": source, "lake": LakeResource(data_dir=str(data_dir))},
        raise_on_error=False,
    )
    assert not result.success
    error = result.get_step_failure_events()[0].step_failure_data.error
    messages = []
    while error is not None:
        messages.append(error.message)
        error = error.cause
    return "\n".join(messages)
