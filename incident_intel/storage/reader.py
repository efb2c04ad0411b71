"""Reading the lake beside the pipeline: a DuckDB session over its Parquet, never its writer's file.

DuckDB lets a file have one writer or any number of readers, never both, so a notebook holding
`warehouse.duckdb` open would stall every ingest. Readers (people, the run summary, the scoring
API, the dashboard) get an in-memory session instead, whose views read the Parquet the layers
publish. Every Parquet write is a rename, so a reader sees a table before or after a write,
never half of one, and its next query sees the newest files.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import (
    FEEDBACK,
    INCIDENT_AUDIT,
    INCIDENT_FEATURES,
    INCIDENT_REJECTS,
    INCIDENT_TEXT_EMBEDDINGS,
    INCIDENT_VERSIONS,
    INCIDENTS,
    OPEN_INCIDENT_SCORES,
    OPS_DAILY_STATS,
    Table,
)
from incident_intel.storage.warehouse import refresh_parquet_view, utc_connection

PARTITIONED = (INCIDENT_VERSIONS, INCIDENT_REJECTS, INCIDENT_AUDIT, OPEN_INCIDENT_SCORES)
UNPARTITIONED = (FEEDBACK, INCIDENT_FEATURES, INCIDENT_TEXT_EMBEDDINGS, OPS_DAILY_STATS)


@contextmanager
def lake_reader(paths: LakePaths) -> Iterator[duckdb.DuckDBPyConnection]:
    """A UTC session with a view per table published so far, `silver.incidents` included."""
    connection = utc_connection()
    try:
        for table in PARTITIONED:
            if paths.has_partitions(table):
                refresh_parquet_view(connection, table.sql_name, paths.partition_glob(table))
        for table in UNPARTITIONED:
            if paths.table_file(table).exists():
                refresh_parquet_view(connection, table.sql_name, paths.table_file(table))
        if paths.has_partitions(INCIDENT_VERSIONS):
            _current_state_view(connection, INCIDENTS, paths.has_partitions(INCIDENT_AUDIT))
        yield connection
    finally:
        connection.close()


def _current_state_view(
    connection: duckdb.DuckDBPyConnection, table: Table, with_audit: bool
) -> None:
    """The newest version of each incident, chosen as the merge into silver.incidents chooses,
    flagged deleted as the audit trail says."""
    deletions = (
        f"SELECT sys_id, min(changed_at) AS deleted_at FROM {INCIDENT_AUDIT.sql_name} "
        "WHERE event = 'delete' GROUP BY sys_id"
        if with_audit
        else "SELECT NULL::VARCHAR AS sys_id, NULL::TIMESTAMPTZ AS deleted_at WHERE false"
    )
    connection.execute(
        f"""
        CREATE OR REPLACE VIEW {table.sql_name} AS
        SELECT v.*, d.deleted_at IS NOT NULL AS deleted, d.deleted_at
        FROM (
            SELECT * FROM {INCIDENT_VERSIONS.sql_name}
            QUALIFY row_number() OVER (
                PARTITION BY sys_id
                ORDER BY sys_updated_on DESC, sys_mod_count DESC NULLS LAST, partition_date DESC
            ) = 1
        ) v
        LEFT JOIN ({deletions}) d USING (sys_id)
        """
    )
