"""The summary `incident-intel run` prints: rows per layer, checks, models and where things are."""

from __future__ import annotations

import json
import os
from pathlib import Path

import polars as pl

from incident_intel.storage.model_store import ModelStore
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import (
    INCIDENT_FEATURES,
    INCIDENT_PAGES,
    INCIDENT_REJECTS,
    INCIDENT_TEXT_EMBEDDINGS,
    INCIDENT_VERSIONS,
    INCIDENTS,
    MODEL_EVALUATION,
    OPS_DAILY_STATS,
)
from incident_intel.storage.warehouse import warehouse_at


def latest_check_results(runs: int) -> list[tuple[str, bool]]:
    """Each check evaluated by the newest `runs` runs, with whether it passed."""
    from dagster import DagsterEventType, DagsterInstance

    results = []
    with DagsterInstance.get() as instance:
        for run in instance.get_runs(limit=runs):
            records = instance.get_records_for_run(
                run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
            ).records
            for record in records:
                evaluation = record.event_log_entry.dagster_event.event_specific_data
                results.append((evaluation.check_name, evaluation.passed))
    return results


def layer_row_counts(paths: LakePaths) -> dict[str, int]:
    counts: dict[str, int] = {}
    manifests = sorted(paths.table_dir(INCIDENT_PAGES).glob("date=*/manifest.json"))
    counts[f"{INCIDENT_PAGES.key.to_user_string()} (records)"] = sum(
        json.loads(m.read_text())["record_count"] for m in manifests
    )
    for table in (INCIDENT_VERSIONS, INCIDENT_REJECTS):
        counts[table.key.to_user_string()] = (
            pl.scan_parquet(paths.partition_glob(table)).select(pl.len()).collect().item()
        )
    with warehouse_at(paths.warehouse, read_only=True).get_connection() as connection:
        counts[INCIDENTS.key.to_user_string()] = connection.sql(
            f"SELECT count(*) FROM {INCIDENTS.sql_name}"
        ).fetchall()[0][0]
    for table in (INCIDENT_FEATURES, INCIDENT_TEXT_EMBEDDINGS, OPS_DAILY_STATS):
        counts[table.key.to_user_string()] = (
            pl.scan_parquet(paths.table_file(table)).select(pl.len()).collect().item()
        )
    return counts


def print_summary(root: Path) -> None:
    paths = LakePaths(root)
    print("\nincident_intel: run summary")
    for layer, rows in layer_row_counts(paths).items():
        print(f"  {layer:<36} {rows:>10,} rows")
    checks = latest_check_results(runs=2)
    passed = sum(1 for _, ok in checks if ok)
    print(f"  asset checks passed: {passed}/{len(checks)}")
    for name, ok in checks:
        if not ok:
            print(f"    FAILED: {name}")
    store = ModelStore(paths.models)
    for name in sorted(p.name for p in store.root.glob("*") if p.is_dir()):
        latest = store.latest_version(name)
        print(f"  model {name:<28} {'promoted ' + latest if latest else 'NOT promoted'}")
    report = paths.table_dir(MODEL_EVALUATION) / "report.md"
    if report.exists():
        print(f"  evaluation report: {report}")
    print(f"  data: {root}")
    print(f"  warehouse: {paths.warehouse}")
    print(f"  Dagster instance: {os.environ['DAGSTER_HOME']}\n")
