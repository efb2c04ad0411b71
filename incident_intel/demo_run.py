"""`incident-intel run`: materialise the whole graph for the last days, then summarise it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

from incident_intel.dagster_home import ensure_dagster_home
from incident_intel.lake.model_store import ModelStore
from incident_intel.lake.warehouse import connect_warehouse
from incident_intel.settings import PROJECT_ROOT, data_dir

DEFINITIONS_MODULE = "incident_intel.definitions"


def _dagster_executable() -> str:
    sibling = Path(sys.executable).with_name("dagster")
    return str(sibling) if sibling.exists() else (shutil.which("dagster") or "dagster")


def last_partition_range(days: int) -> tuple[str, str]:
    from incident_intel.defs.partitions import daily_partitions

    keys = daily_partitions.get_partition_keys()
    if not keys:
        raise SystemExit("no complete daily partition yet: check partitions_start_date in config")
    chosen = keys[-days:]
    return chosen[0], chosen[-1]


def asset_selections() -> tuple[str, str]:
    """The daily-partitioned assets, and the rest, as `--select` strings for the CLI.

    `dagster asset materialize --partition-range` takes only single-run partitioned assets,
    so the unpartitioned layers (features, models, reports) run in a second command.
    """
    from incident_intel.definitions import defs

    graph = defs.resolve_asset_graph()
    partitioned, unpartitioned = [], []
    for key in sorted(graph.materializable_asset_keys, key=lambda k: k.to_user_string()):
        target = partitioned if graph.get(key).partitions_def else unpartitioned
        target.append(key.to_user_string())
    return ",".join(partitioned), ",".join(unpartitioned)


def _materialize(selection: str, *partition_args: str) -> bool:
    command = [
        _dagster_executable(),
        "asset",
        "materialize",
        "-m",
        DEFINITIONS_MODULE,
        "--select",
        selection,
        *partition_args,
        "--config-json",
        json.dumps({"loggers": {"console": {"config": {"log_level": "INFO"}}}}),
    ]
    return subprocess.run(command, cwd=PROJECT_ROOT, check=False).returncode == 0


def materialize_layers(first: str, last: str) -> tuple[dict[str, float], bool]:
    """Every asset: the daily layers for first...last in one run, then the rest.

    Returns the seconds each of the two runs took, and whether the second succeeded. A failed
    daily run stops at once; a failed second run (say, a model that did not beat its baseline)
    is left to the caller, which still has figures and checks to show.
    """
    partitioned, unpartitioned = asset_selections()
    print(f"Materialising the daily layers for {first} … {last}", flush=True)
    started = time.perf_counter()
    if not _materialize(partitioned, "--partition-range", f"{first}...{last}"):
        raise SystemExit("materialising the daily layers failed; see above")
    timings = {"daily_layers": time.perf_counter() - started}
    print("Materialising features, models and reports", flush=True)
    started = time.perf_counter()
    succeeded = _materialize(unpartitioned)
    timings["features_models_reports"] = time.perf_counter() - started
    return timings, succeeded


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


def layer_row_counts(root: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    manifests = sorted((root / "bronze" / "incident_pages").glob("date=*/manifest.json"))
    counts["bronze/incident_pages (records)"] = sum(
        json.loads(m.read_text())["record_count"] for m in manifests
    )
    for table in ("incident_versions", "incident_rejects"):
        glob = root / "silver" / table / "date=*" / "*.parquet"
        counts[f"silver/{table}"] = pl.scan_parquet(glob).select(pl.len()).collect().item()
    with connect_warehouse(root / "warehouse.duckdb", read_only=True) as connection:
        counts["silver/incidents"] = connection.sql(
            "SELECT count(*) FROM silver.incidents"
        ).fetchall()[0][0]
    for table in sorted((root / "gold").glob("*/part-0.parquet")):
        counts[f"gold/{table.parent.name}"] = (
            pl.scan_parquet(table).select(pl.len()).collect().item()
        )
    return counts


def print_summary(root: Path) -> None:
    print("\nincident_intel: run summary")
    for layer, rows in layer_row_counts(root).items():
        print(f"  {layer:<36} {rows:>10,} rows")
    checks = latest_check_results(runs=2)
    passed = sum(1 for _, ok in checks if ok)
    print(f"  asset checks passed: {passed}/{len(checks)}")
    for name, ok in checks:
        if not ok:
            print(f"    FAILED: {name}")
    store = ModelStore(root / "model")
    for name in sorted(p.name for p in store.root.glob("*") if p.is_dir()):
        latest = store.latest_version(name)
        print(f"  model {name:<28} {'promoted ' + latest if latest else 'NOT promoted'}")
    report = root / "reports" / "model_evaluation" / "report.md"
    if report.exists():
        print(f"  evaluation report: {report}")
    print(f"  data: {root}")
    print(f"  warehouse: {root / 'warehouse.duckdb'}")
    print(f"  Dagster instance: {os.environ['DAGSTER_HOME']}\n")


def serve_ui(host: str = "127.0.0.1", port: int = 3000) -> None:
    ensure_dagster_home()
    os.chdir(PROJECT_ROOT)
    dagster = _dagster_executable()
    os.execv(dagster, [dagster, "dev", "-w", "workspace.yaml", "-h", host, "-p", str(port)])


def run(days: int, ui: bool) -> None:
    ensure_dagster_home()
    first, last = last_partition_range(days)
    _, succeeded = materialize_layers(first, last)
    print_summary(data_dir())
    if not succeeded:
        raise SystemExit("features, models or reports failed: see the failed checks above")
    if ui:
        print("Starting the Dagster UI on http://127.0.0.1:3000 (Ctrl-C to stop)", flush=True)
        serve_ui()
