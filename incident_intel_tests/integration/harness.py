"""Runs bronze -> silver for chosen days against a live simulator, and reads the results back."""

from __future__ import annotations

import warnings
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import polars as pl

from incident_intel.ingest.assets import build_bronze_assets
from incident_intel.ingest.source import IncidentSource
from incident_intel.partitions import daily_partitions
from incident_intel.settings import ProjectSettings
from incident_intel.silver.assets import build_silver_assets
from incident_intel.silver.checks import (
    incidents_key_fields_not_null,
    incidents_resolved_after_opened,
    incidents_sys_id_unique,
)
from incident_intel.silver.mapping import canonical_columns, load_schema_mapping
from incident_intel.simulator.synthetic import SyntheticIncidentStore
from incident_intel.storage.lake import LakeResource
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import INCIDENT_REJECTS, INCIDENT_VERSIONS, INCIDENTS
from incident_intel.storage.warehouse import warehouse_at

FIXED_CLOCK = datetime(2026, 2, 1, tzinfo=UTC)
CANONICAL = canonical_columns(load_schema_mapping().canonical)
# The daily layers on config/config.yaml's partitions_start_date.
PARTITIONS = daily_partitions(date(2026, 1, 1))
with warnings.catch_warnings():
    # `backfill_policy` is beta in Dagster 1.13, as incident_intel/definitions.py notes.
    warnings.simplefilter("ignore", dg.BetaWarning)
    BRONZE_ASSETS = build_bronze_assets(PARTITIONS)
    SILVER_LAYER = build_silver_assets(PARTITIONS)
SILVER_ASSETS = [
    *BRONZE_ASSETS,
    *SILVER_LAYER,
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


def lake_resources(data_dir: Path) -> dict[str, Any]:
    """The resources every layer reads its data root and its settings through."""
    return {
        "lake": LakeResource(data_dir=str(data_dir)),
        "warehouse": warehouse_at(LakePaths(data_dir).warehouse),
        "settings": ProjectSettings.load().resource(),
    }


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
    failed = [e.check_name for e in result.get_asset_check_evaluations() if not e.passed]
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
    """Materialise bronze only, expecting failure; return the error message the run shows."""
    result = dg.materialize(
        BRONZE_ASSETS,
        partition_key=partition,
        resources={"source": source, **lake_resources(data_dir)},
        raise_on_error=False,
    )
    assert not result.success
    error = result.get_step_failure_events()[0].step_failure_data.error
    messages = []
    while error is not None:
        messages.append(error.message)
        error = error.cause
    return "\n".join(messages)
