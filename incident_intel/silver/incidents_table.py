"""The current-state table silver.incidents: its columns, and the lookup of stored incidents.

The table has no primary-key index. DuckDB keeps such an index as an ART it loads lazily from
the file, and a partition's few thousand random sys_ids touch nearly all of it, so a keyed
upsert cost grew with the history (0.08 s against 10k incidents, 0.33 s against 1M). The merge
keeps sys_id unique itself, and finds stored incidents by their creation time: ServiceNow sets
`sys_created_on` once, rows are appended roughly in creation order, and DuckDB skips every row
group whose creation times lie outside the partition's range. The blocking
`incidents_sys_id_unique` check guards the invariant.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import polars as pl

from incident_intel.storage.tables import INCIDENTS
from incident_intel.storage.warehouse import transaction

INCIDENTS_TABLE = INCIDENTS.sql_name
_SCHEMA_NAME, _TABLE_NAME = INCIDENTS_TABLE.split(".")
DUCKDB_TYPES = {
    pl.String: "VARCHAR",
    pl.Int64: "BIGINT",
    pl.Int32: "INTEGER",
    pl.Float64: "DOUBLE",
    pl.Boolean: "BOOLEAN",
    pl.Date: "DATE",
    pl.Datetime: "TIMESTAMPTZ",
}


def duckdb_type(dtype: pl.DataType) -> str:
    for polars_type, sql_type in DUCKDB_TYPES.items():
        if isinstance(dtype, polars_type):
            return sql_type
    raise TypeError(f"no DuckDB type for {dtype}")


def _has_primary_key(connection: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        connection.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ? "
            "AND has_primary_key",
            [_SCHEMA_NAME, _TABLE_NAME],
        ).fetchall()[0][0]
    )


def _drop_primary_key(connection: duckdb.DuckDBPyConnection) -> None:
    """Rebuilds a table made before the key was dropped, once, in creation order."""
    with transaction(connection):
        connection.execute(
            f"CREATE TABLE {INCIDENTS_TABLE}_unkeyed AS SELECT * FROM {INCIDENTS_TABLE} "
            "ORDER BY sys_created_on, sys_id"
        )
        connection.execute(f"DROP TABLE {INCIDENTS_TABLE}")
        connection.execute(f"ALTER TABLE {INCIDENTS_TABLE}_unkeyed RENAME TO {_TABLE_NAME}")
        connection.execute(f"ALTER TABLE {INCIDENTS_TABLE} ALTER COLUMN deleted SET DEFAULT false")


def ensure_incidents_table(
    connection: duckdb.DuckDBPyConnection, schema: dict[str, pl.DataType]
) -> None:
    columns = ", ".join(f'"{name}" {duckdb_type(dtype)}' for name, dtype in schema.items())
    connection.execute(f"CREATE SCHEMA IF NOT EXISTS {_SCHEMA_NAME}")
    connection.execute(f"CREATE TABLE IF NOT EXISTS {INCIDENTS_TABLE} ({columns})")
    # A field declared since the table was made (an extra field) becomes a column of its own.
    held = set(connection.table(INCIDENTS_TABLE).columns)
    for name, dtype in schema.items():
        if name not in held:
            connection.execute(
                f'ALTER TABLE {INCIDENTS_TABLE} ADD COLUMN "{name}" {duckdb_type(dtype)}'
            )
    # Deletions are soft: the row stays, flagged, and downstream layers leave it out.
    connection.execute(
        f"ALTER TABLE {INCIDENTS_TABLE} ADD COLUMN IF NOT EXISTS deleted BOOLEAN DEFAULT false"
    )
    connection.execute(
        f"ALTER TABLE {INCIDENTS_TABLE} ADD COLUMN IF NOT EXISTS deleted_at TIMESTAMPTZ"
    )
    if _has_primary_key(connection):
        _drop_primary_key(connection)


def creation_spans(
    days: list[date], max_gap_days: int = 7, max_spans: int = 8
) -> list[tuple[date, date]]:
    """The days incidents were created on, as a few spans of consecutive days.

    A partition mostly updates incidents created in its last few days, and now and then one
    created months before; one span from the oldest to the newest would read every row group
    in between. Spans split at gaps over `max_gap_days`, and the closest spans are joined
    until at most `max_spans` are left, to keep the query short.
    """
    ordered = sorted(set(days))
    spans = [[day, day] for day in ordered[:1]]
    for day in ordered[1:]:
        if (day - spans[-1][1]).days > max_gap_days:
            spans.append([day, day])
        else:
            spans[-1][1] = day
    while len(spans) > max_spans:
        closest = min(range(len(spans) - 1), key=lambda i: spans[i + 1][0] - spans[i][1])
        spans[closest][1] = spans.pop(closest + 1)[1]
    return [(first, last) for first, last in spans]


def stored_rows_sql(keys: str, spans: list[tuple[date, date]], any_uncreated: bool) -> str:
    """A query for the stored rows of the incidents in the relation `keys` (sys_id,
    sys_created_on), with their rowid.

    `spans` are the UTC days the keys were created on (`creation_spans`). Each branch filters
    on `sys_created_on` alone, which DuckDB checks against each row group's statistics before
    reading it; only keys without a creation time make a branch read every row group.
    """
    lookup = f"SELECT rowid AS stored_rowid, * FROM {INCIDENTS_TABLE} WHERE sys_id IN "
    branches = [f"{lookup}(SELECT sys_id FROM {keys}) AND sys_created_on IS NULL"]
    for first, last in spans:
        end = last + timedelta(days=1)
        branches.append(
            f"{lookup}(SELECT sys_id FROM {keys}) "
            f"AND sys_created_on >= TIMESTAMPTZ '{first.isoformat()} 00:00:00+00' "
            f"AND sys_created_on < TIMESTAMPTZ '{end.isoformat()} 00:00:00+00'"
        )
    if any_uncreated:
        branches.append(
            f"{lookup}(SELECT sys_id FROM {keys} WHERE sys_created_on IS NULL) "
            "AND sys_created_on IS NOT NULL"
        )
    return " UNION ".join(branches)
