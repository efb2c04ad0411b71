"""`incident-intel bench ingest`: source -> bronze -> silver throughput, and its cost in history.

Stages are timed on the library functions the assets call, so the figures exclude Dagster's
fixed per-run overhead: the incident pull, the audit-trail pull, silver (typing both and
rebuilding versions from the trail) and the merge.

The simulator computes a window's tables on the first request for it, as a cold cache; a live
instance has them already. So the day is pulled twice from one simulator: the first pull gives
the cold HTTP figures, the second the warm ones, and every other stage is timed on the second.
Silver is set beside an untyped parse (polars' `read_ndjson`) of the same bronze pages, in the
same run, the two taking turns. The flatness figure times one whole daily partition against a
silver/incidents already holding each history size, bulk-generated.
"""

from __future__ import annotations

import gzip
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl

from incident_intel.bench.ingest_figures import (
    history_cost_ratio,
    median_seconds,
    parse_ratio,
    per_second,
)
from incident_intel.ingest.bronze import BronzeManifest, write_bronze_partition
from incident_intel.ingest.servicenow_client import PulledPage, ServiceNowTableClient
from incident_intel.ingest.source import pull_audit_pages, requested_fields
from incident_intel.partitions import day_window
from incident_intel.silver.mapping import load_schema_mapping
from incident_intel.silver.merge import merge_incidents
from incident_intel.silver.parse import FROM_SNAPSHOT, versions_schema
from incident_intel.silver.write import write_silver_day
from incident_intel.simulator.server import SimulatorServer
from incident_intel.simulator.synthetic import SyntheticIncidentStore
from incident_intel.storage.atomic import write_parquet_atomic
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import (
    INCIDENT_AUDIT_PAGES,
    INCIDENT_PAGES,
    INCIDENT_VERSIONS,
    Table,
)
from incident_intel.storage.warehouse import warehouse_at

BENCH_DAY = date(2026, 3, 3)
# Silver and the untyped parse each run this many times; their medians make the ratio.
PARSE_RUNS = 3
MAPPING_NAME = "servicenow_table_api"
MAPPING = load_schema_mapping().source(MAPPING_NAME)
SCHEMA = versions_schema(MAPPING.canonical)


def _store(seed: int, incidents_per_day: float) -> SyntheticIncidentStore:
    frozen = datetime.combine(BENCH_DAY + timedelta(days=60), datetime.min.time(), tzinfo=UTC)
    return SyntheticIncidentStore(
        seed=seed,
        incidents_per_day=incidents_per_day,
        start_date=BENCH_DAY - timedelta(days=120),
        clock=lambda: frozen,
    )


def _pull(server_url: str, paths: LakePaths, table: Table, pages: Iterator[PulledPage]):
    start, end = day_window(BENCH_DAY)
    return write_bronze_partition(
        paths.partition_dir(table, BENCH_DAY),
        pages,
        source_url=server_url,
        window_start=start,
        window_end=end,
    )


def _pull_day(server_url: str, paths: LakePaths) -> dict[str, float]:
    """The day's incident pages, then its audit trail, into bronze, as the assets pull them."""
    start, end = day_window(BENCH_DAY)

    def client_for(table: str, **query) -> ServiceNowTableClient:
        return ServiceNowTableClient(server_url, table=table, page_size=1000, **query)

    began = time.perf_counter()
    with client_for("incident", fields=requested_fields(MAPPING_NAME)) as client:
        manifest = _pull(server_url, paths, INCIDENT_PAGES, client.pull_window(start, end))
    pulled = time.perf_counter()
    audit = _pull(
        server_url,
        paths,
        INCIDENT_AUDIT_PAGES,
        pull_audit_pages(client_for, "incident", start, end),
    )
    return {
        "records": manifest.record_count,
        "audit_rows": audit.record_count,
        "pull_seconds": pulled - began,
        "audit_pull_seconds": time.perf_counter() - pulled,
    }


def _silver(paths: LakePaths) -> int:
    """The day's silver built from its bronze and its three tables written, as the silver
    assets do; versions."""
    return write_silver_day(paths, MAPPING, BENCH_DAY, day_window(BENCH_DAY)).versions.height


def _silver_beside_raw_parse(paths: LakePaths) -> tuple[float, int, float]:
    """Median seconds of silver and of the untyped parse, in turns, and the records parsed.

    Both sides run here, after the simulator has stopped, rather than reusing the pipeline's
    silver run, which had the simulator's thread and its cache in the process. Each runs
    PARSE_RUNS times, the one going first swapping each round (silver, parse, parse, silver,
    ...), so that neither always follows the other and a spell of load on a shared machine
    does not land on one side of the ratio only.
    """
    bodies = _bronze_bodies(paths)
    silver_seconds, raw_seconds = [], []
    raw_records = 0

    def time_silver() -> None:
        began = time.perf_counter()
        _silver(paths)
        silver_seconds.append(time.perf_counter() - began)

    def time_raw_parse() -> None:
        nonlocal raw_records
        raw_records, seconds = _raw_parse(bodies)
        raw_seconds.append(seconds)

    for run in range(PARSE_RUNS):
        for side in (time_silver, time_raw_parse)[:: 1 if run % 2 == 0 else -1]:
            side()
    return statistics.median(silver_seconds), raw_records, statistics.median(raw_seconds)


def _daily_partition(server_url: str, paths: LakePaths) -> dict[str, float]:
    """One day through every stage; seconds per stage and the record counts."""
    pulls = _pull_day(server_url, paths)
    audited = time.perf_counter()
    versions = _silver(paths)
    silvered = time.perf_counter()
    versions_file = paths.partition_file(INCIDENT_VERSIONS, BENCH_DAY)
    with warehouse_at(paths.warehouse).get_connection() as connection:
        merge_incidents(connection, versions_file, SCHEMA)
    merged = time.perf_counter()
    return {
        **pulls,
        "versions": versions,
        "silver_seconds": silvered - audited,
        "merge_seconds": merged - silvered,
        "total_seconds": pulls["pull_seconds"] + pulls["audit_pull_seconds"] + merged - audited,
    }


def _bronze_bodies(paths: LakePaths) -> list[bytes]:
    """Every page silver reads for the day, unpacked: the incident pages and the audit trail."""
    bodies = []
    for table in (INCIDENT_PAGES, INCIDENT_AUDIT_PAGES):
        directory = paths.partition_dir(table, BENCH_DAY)
        for entry in BronzeManifest.read(directory).pages:
            bodies.append(gzip.decompress((directory / entry["file"]).read_bytes()))
    return bodies


def _raw_parse(bodies: list[bytes]) -> tuple[int, float]:
    """Records in these pages and the seconds polars takes to parse them, inferring the types.

    The pages are unpacked before the clock starts, which silver's figure is not spared.
    """
    began = time.perf_counter()
    records = sum(pl.read_ndjson(body).get_column("result").list.len().sum() for body in bodies)
    return records, time.perf_counter() - began


def _load_history(warehouse: Path, incidents: int, root: Path) -> int:
    """Bulk-load `incidents` current-state rows straight into silver.incidents."""
    days = 30
    store = _store(seed=991, incidents_per_day=incidents / days)
    last = BENCH_DAY - timedelta(days=61)
    versions = store.generate_canonical_frame(last - timedelta(days=days - 1), last)
    newest = versions.sort("sys_updated_on").group_by("sys_id", maintain_order=True).last()
    frame = newest.with_columns(
        pl.lit("bulk").alias("record_hash"),
        pl.lit(FROM_SNAPSHOT).alias("version_source"),
        pl.col("sys_updated_on").dt.date().alias("partition_date"),
    ).select(list(SCHEMA))
    bulk_file = root / "history.parquet"
    write_parquet_atomic(frame, bulk_file)
    with warehouse_at(warehouse).get_connection() as connection:
        return merge_incidents(connection, bulk_file, SCHEMA).total


def _partition_by_history(
    server_url: str, root: Path, histories: list[int], repeats: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Median seconds of one daily partition, and of its merge, per size of history.

    The sizes take turns, run by run, so a spell of load on a shared machine lands on every
    size rather than on the one being timed.
    """
    lakes = {size: LakePaths(root / f"history-{size}") for size in histories}
    loaded = {size: _load_history(paths.warehouse, size, root) for size, paths in lakes.items()}
    runs: dict[int, list[dict[str, float]]] = {size: [] for size in histories}
    for _ in range(repeats):
        for size, paths in lakes.items():
            runs[size].append(_daily_partition(server_url, paths))
    return (
        {str(loaded[s]): median_seconds([r["total_seconds"] for r in runs[s]]) for s in histories},
        {str(loaded[s]): median_seconds([r["merge_seconds"] for r in runs[s]]) for s in histories},
    )


def run_ingest_bench(incidents: int, histories: list[int], repeats: int = 5) -> dict:
    figures: dict = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "incidents_per_day": incidents,
    }
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with SimulatorServer(_store(seed=7, incidents_per_day=incidents)) as server:
            cold = _pull_day(server.url, LakePaths(root / "cold"))
            paths = LakePaths(root / "warm")
            stages = _daily_partition(server.url, paths)
        records, audit_rows = stages["records"], stages["audit_rows"]
        silver_seconds, raw_records, raw_seconds = _silver_beside_raw_parse(paths)
        silver_per_second = per_second(records + audit_rows, silver_seconds)
        raw_per_second = per_second(raw_records, raw_seconds)
        figures.update(
            records=records,
            audit_rows=audit_rows,
            versions=stages["versions"],
            http_records_per_s_cold=per_second(cold["records"], cold["pull_seconds"]),
            http_records_per_s_warm=per_second(records, stages["pull_seconds"]),
            audit_http_rows_per_s_cold=per_second(cold["audit_rows"], cold["audit_pull_seconds"]),
            audit_http_rows_per_s_warm=per_second(audit_rows, stages["audit_pull_seconds"]),
            # Silver types the records and the audit rows, and rebuilds versions from both.
            silver_records_per_s=silver_per_second,
            silver_audit_rows_per_second=per_second(audit_rows, silver_seconds),
            silver_versions_per_second=per_second(stages["versions"], silver_seconds),
            raw_parse_records_per_s=raw_per_second,
            silver_and_raw_parse_runs=PARSE_RUNS,
            silver_vs_raw_parse=parse_ratio(silver_per_second, raw_per_second),
            merge_records_per_second=per_second(stages["versions"], stages["merge_seconds"]),
        )
        with SimulatorServer(_store(seed=7, incidents_per_day=300)) as server:
            # The partition's day, generated once before any size is timed.
            _pull_day(server.url, LakePaths(root / "history-warmup"))
            partition_seconds, merge_seconds = _partition_by_history(
                server.url, root, histories, repeats
            )
        figures["daily_partition_seconds_by_history"] = partition_seconds
        figures["merge_seconds_by_history"] = merge_seconds
        figures["daily_partition_runs_per_history"] = repeats
        ratio = history_cost_ratio(partition_seconds)
        if ratio is not None:
            figures["history_cost_ratio"] = ratio
    return figures
