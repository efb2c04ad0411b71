"""What `bench faults` pulls through and reads back: the daily layers in process, and silver.

The bronze and silver assets on the project's partitions, a synthetic store on a fixed clock,
and a comparison of silver with the store's ground truth that counts what was lost or
duplicated. The integration tests' harness builds on the same pieces.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
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
from incident_intel.silver.mapping import DISPLAY_SUFFIX, canonical_columns, load_schema_mapping
from incident_intel.simulator.synthetic import SyntheticIncidentStore
from incident_intel.storage.lake import LakeResource
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import INCIDENT_REJECTS, INCIDENT_VERSIONS, INCIDENTS
from incident_intel.storage.warehouse import warehouse_at

FIXED_CLOCK = datetime(2026, 2, 1, tzinfo=UTC)
DAY = date(2026, 1, 6)
INCIDENTS_PER_DAY = 300
KEY = ["sys_id", "sys_updated_on"]
CANONICAL = canonical_columns(load_schema_mapping().canonical)
# Dagster's console logger would print every engine event on stderr; errors are reported.
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
# The daily layers on config/config.yaml's partitions_start_date.
PARTITIONS = daily_partitions(date(2026, 1, 1))
BRONZE_ASSETS = build_bronze_assets(PARTITIONS)
DAILY_ASSETS = [
    *BRONZE_ASSETS,
    *build_silver_assets(PARTITIONS),
    incidents_sys_id_unique,
    incidents_key_fields_not_null,
    incidents_resolved_after_opened,
]


def synthetic_store(
    incidents_per_day: int = 120, seed: int = 11, start_date: date = DAY
) -> SyntheticIncidentStore:
    """Seeded incidents on a fixed clock, so the ground truth of a day never moves.

    Incidents open from `start_date`, the first day pulled, so that the audit trail pulled holds
    every incident's insert and silver can rebuild each version the store generated.
    """
    return SyntheticIncidentStore(
        seed=seed,
        incidents_per_day=incidents_per_day,
        start_date=start_date,
        clock=lambda: FIXED_CLOCK,
    )


def lake_resources(data_dir: Path) -> dict[str, Any]:
    """The resources every layer reads its data root and its settings through."""
    return {
        "lake": LakeResource(data_dir=str(data_dir)),
        "warehouse": warehouse_at(LakePaths(data_dir).warehouse),
        "settings": ProjectSettings.load().resource(),
    }


def materialize_day(
    data_dir: Path, source: IncidentSource, day: date, assets: list | None = None
) -> dict[str, Any]:
    """One partition through the real assets; whether it succeeded and which checks failed."""
    result = dg.materialize(
        assets or DAILY_ASSETS,
        partition_key=day.isoformat(),
        resources={"source": source, **lake_resources(data_dir)},
        raise_on_error=False,
        run_config=QUIET,
    )
    failed = sorted(e.check_name for e in result.get_asset_check_evaluations() if not e.passed)
    return {"run_succeeded": result.success, "failed_checks": failed}


def _partitions(data_dir: Path, table, days: list[date]) -> pl.DataFrame:
    paths = LakePaths(data_dir)
    files = [paths.partition_file(table, d) for d in days]
    frames = [pl.read_parquet(f) for f in files if f.exists()]
    return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()


def silver_versions(data_dir: Path, days: list[date]) -> pl.DataFrame:
    frame = _partitions(data_dir, INCIDENT_VERSIONS, days)
    return frame.select(CANONICAL).sort(KEY[::-1]) if frame.height else frame


def silver_rejects(data_dir: Path, days: list[date]) -> pl.DataFrame:
    return _partitions(data_dir, INCIDENT_REJECTS, days)


def current_incidents(data_dir: Path) -> pl.DataFrame:
    path = LakePaths(data_dir).warehouse
    if not path.exists():
        return pl.DataFrame({"sys_id": []}, schema={"sys_id": pl.Utf8})
    with warehouse_at(path, read_only=True).get_connection() as connection:
        return connection.sql(f"SELECT sys_id FROM {INCIDENTS.sql_name}").pl()


def ground_truth(store: SyntheticIncidentStore, days: list[date]) -> pl.DataFrame:
    frames = []
    for day in days:
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        frames.append(store.ground_truth(start, start + timedelta(days=1)))
    return pl.concat(frames).select(CANONICAL).sort(KEY[::-1])


def same_versions(versions: pl.DataFrame, truth: pl.DataFrame) -> bool:
    """Every value equal; a reference's display name equal wherever silver knows it.

    The audit trail holds references as sys_ids: a name comes from a record pulled that shows
    it, and a reference no pulled record shows yet stays unnamed.
    """
    if versions.height != truth.height:
        return False
    values = [c for c in CANONICAL if not c.endswith(DISPLAY_SUFFIX)]
    if not versions.select(values).equals(truth.select(values)):
        return False
    for column in (c for c in CANONICAL if c.endswith(DISPLAY_SUFFIX)):
        named = versions[column].is_not_null()
        if not versions.filter(named)[column].equals(truth.filter(named)[column]):
            return False
    return True


def compare_with_truth(
    data_dir: Path, store: SyntheticIncidentStore, days: list[date]
) -> dict[str, Any]:
    """Silver against the ground truth: equal, lost keys, duplicated keys and incidents."""
    truth = ground_truth(store, days)
    versions = silver_versions(data_dir, days)
    incidents = current_incidents(data_dir)
    if versions.height == 0:
        versions = truth.clear()
    lost = truth.select(KEY).unique().join(versions.select(KEY), on=KEY, how="anti").height
    duplicated = (versions.height - versions.select(KEY).unique().height) + (
        incidents.height - incidents["sys_id"].n_unique()
    )
    same_incidents = set(incidents["sys_id"].to_list()) == set(truth["sys_id"].to_list())
    return {
        "equal_to_truth": same_versions(versions, truth) and same_incidents,
        "lost": lost,
        "duplicated": duplicated,
        "truth_versions": truth.height,
        "silver_versions": versions.height,
        "silver_incidents": incidents.height,
    }
