"""`incident-intel bench ingest`: source -> bronze -> silver throughput, and its cost in history.

Stages are timed on the library functions the assets call, so the figures exclude Dagster's
fixed per-run overhead. The flatness figure times one whole daily partition (HTTP pull, bronze,
silver, merge) against a silver/incidents already holding each history size, bulk-generated.
"""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl

from incident_intel.ingest.bronze import read_bronze_pages, write_bronze_partition
from incident_intel.ingest.servicenow_client import ServiceNowTableClient
from incident_intel.partitions import day_window
from incident_intel.silver.mapping import load_schema_mapping
from incident_intel.silver.merge import merge_incidents
from incident_intel.silver.parse import build_silver_partition, versions_schema
from incident_intel.simulator.server import SimulatorServer
from incident_intel.simulator.synthetic import SyntheticIncidentStore
from incident_intel.storage.atomic import write_parquet_atomic
from incident_intel.storage.warehouse import warehouse_at

BENCH_DAY = date(2026, 3, 3)
MAPPING = load_schema_mapping().source("servicenow_table_api")
SCHEMA = versions_schema(MAPPING.canonical)


def _store(seed: int, incidents_per_day: float) -> SyntheticIncidentStore:
    frozen = datetime.combine(BENCH_DAY + timedelta(days=60), datetime.min.time(), tzinfo=UTC)
    return SyntheticIncidentStore(
        seed=seed,
        incidents_per_day=incidents_per_day,
        start_date=BENCH_DAY - timedelta(days=120),
        clock=lambda: frozen,
    )


def _daily_partition(server_url: str, root: Path, warehouse: Path) -> dict[str, float]:
    """One day through every stage; seconds per stage and the record count."""
    start, end = day_window(BENCH_DAY)
    bronze_dir = root / "bronze" / BENCH_DAY.isoformat()
    silver_file = root / "silver" / BENCH_DAY.isoformat() / "part-0.parquet"
    began = time.perf_counter()
    with ServiceNowTableClient(server_url, page_size=1000) as client:
        manifest = write_bronze_partition(
            bronze_dir,
            client.pull_window(start, end),
            source_url=server_url,
            window_start=start,
            window_end=end,
        )
    pulled = time.perf_counter()
    partition = build_silver_partition(
        read_bronze_pages(bronze_dir), MAPPING, BENCH_DAY, (start, end)
    )
    write_parquet_atomic(partition.versions, silver_file)
    silvered = time.perf_counter()
    with warehouse_at(warehouse).get_connection() as connection:
        merge_incidents(connection, silver_file, SCHEMA)
    merged = time.perf_counter()
    return {
        "records": manifest.record_count,
        "pull_seconds": pulled - began,
        "silver_seconds": silvered - pulled,
        "merge_seconds": merged - silvered,
        "total_seconds": merged - began,
    }


def _load_history(warehouse: Path, incidents: int, root: Path) -> int:
    """Bulk-load `incidents` current-state rows straight into silver.incidents."""
    days = 30
    store = _store(seed=991, incidents_per_day=incidents / days)
    last = BENCH_DAY - timedelta(days=61)
    versions = store.generate_canonical_frame(last - timedelta(days=days - 1), last)
    newest = versions.sort("sys_updated_on").group_by("sys_id", maintain_order=True).last()
    frame = newest.with_columns(
        pl.lit("bulk").alias("record_hash"),
        pl.col("sys_updated_on").dt.date().alias("partition_date"),
    ).select(list(SCHEMA))
    bulk_file = root / "history.parquet"
    write_parquet_atomic(frame, bulk_file)
    with warehouse_at(warehouse).get_connection() as connection:
        return merge_incidents(connection, bulk_file, SCHEMA).total


def run_ingest_bench(incidents: int, histories: list[int], repeats: int = 3) -> dict:
    figures: dict = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "incidents_per_day": incidents,
    }
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with SimulatorServer(_store(seed=7, incidents_per_day=incidents)) as server:
            stages = _daily_partition(server.url, root / "throughput", root / "throughput.duckdb")
        records = stages["records"]
        figures.update(
            records=records,
            ingest_http_records_per_second=round(records / stages["pull_seconds"]),
            silver_transform_records_per_second=round(records / stages["silver_seconds"]),
            merge_records_per_second=round(records / stages["merge_seconds"]),
        )
        partition_seconds: dict[str, float] = {}
        with SimulatorServer(_store(seed=7, incidents_per_day=300)) as server:
            for size in histories:
                warehouse = root / f"history-{size}.duckdb"
                loaded = _load_history(warehouse, size, root)
                runs = [
                    _daily_partition(server.url, root / f"h{size}-{i}", warehouse)["total_seconds"]
                    for i in range(repeats)
                ]
                partition_seconds[str(loaded)] = round(statistics.median(runs), 3)
        figures["daily_partition_seconds_by_history"] = partition_seconds
        sizes = list(partition_seconds.values())
        if len(sizes) >= 2:
            figures["history_cost_ratio"] = round(sizes[-1] / sizes[0], 3)
    return figures
