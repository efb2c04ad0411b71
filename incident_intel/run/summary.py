"""The summary `incident-intel run` prints: rows per layer, checks, models and where things are."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from incident_intel.storage.model_store import ModelStore
from incident_intel.storage.paths import DASHBOARD_INDEX, LakePaths
from incident_intel.storage.reader import PARTITIONED, UNPARTITIONED, lake_reader
from incident_intel.storage.tables import (
    BUSINESS_IMPACT,
    DASHBOARD,
    INCIDENT_AUDIT_PAGES,
    INCIDENT_PAGES,
    INCIDENTS,
    MODEL_EVALUATION,
)


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    warning: bool  # a failed check of WARN severity, which blocks nothing
    description: str | None


def latest_check_results(runs: int) -> list[CheckResult]:
    """Each check evaluated by the newest `runs` runs: whether it passed, and how it failed."""
    from dagster import AssetCheckSeverity, DagsterEventType, DagsterInstance

    results = []
    with DagsterInstance.get() as instance:
        for run in instance.get_runs(limit=runs):
            records = instance.get_records_for_run(
                run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
            ).records
            for record in records:
                evaluation = record.event_log_entry.dagster_event.event_specific_data
                results.append(
                    CheckResult(
                        evaluation.check_name,
                        evaluation.passed,
                        evaluation.severity == AssetCheckSeverity.WARN,
                        evaluation.description,
                    )
                )
    return results


def layer_row_counts(paths: LakePaths) -> dict[str, int]:
    """Rows per table, read beside the pipeline (a summary must never hold the writer's file)."""
    counts = {
        f"{table.key.to_user_string()} (records)": sum(
            json.loads(m.read_text())["record_count"]
            for m in paths.table_dir(table).glob("date=*/manifest.json")
        )
        for table in (INCIDENT_PAGES, INCIDENT_AUDIT_PAGES)
    }
    tables = (*PARTITIONED, INCIDENTS, *UNPARTITIONED)
    with lake_reader(paths) as reader:
        published = {
            f"{schema}.{name}"
            for schema, name in reader.sql(
                "SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal"
            ).fetchall()
        }
        for table in tables:
            if table.sql_name in published:
                counts[table.key.to_user_string()] = reader.sql(
                    f"SELECT count(*) FROM {table.sql_name}"
                ).fetchall()[0][0]
    return counts


def print_summary(root: Path) -> None:
    paths = LakePaths(root)
    print("\nincident_intel: run summary")
    for layer, rows in layer_row_counts(paths).items():
        print(f"  {layer:<40} {rows:>10,} rows")
    checks = latest_check_results(runs=2)
    passed = sum(1 for check in checks if check.passed)
    print(f"  asset checks passed: {passed}/{len(checks)}")
    for check in checks:
        if not check.passed:
            label = "warning" if check.warning else "FAILED"
            reason = (check.description or "").splitlines()[:1]
            print(f"    {label}: {check.name}" + (f": {reason[0]}" if reason else ""))
    store = ModelStore(paths.models)
    for name in sorted(p.name for p in store.root.glob("*") if p.is_dir()):
        latest = store.latest_version(name)
        print(f"  model {name:<28} {'promoted ' + latest if latest else 'NOT promoted'}")
    reports = {
        "evaluation report": paths.table_dir(MODEL_EVALUATION) / "report.md",
        "business impact report": paths.table_dir(BUSINESS_IMPACT) / "business_impact.md",
        "dashboard": paths.table_file(DASHBOARD, DASHBOARD_INDEX),
    }
    for title, report in reports.items():
        if report.exists():
            print(f"  {title}: {report}")
    print(f"  data: {root}")
    print(f"  warehouse: {paths.warehouse}")
    print(f"  Dagster instance: {os.environ['DAGSTER_HOME']}\n")
