"""The DuckDB warehouse through dagster-duckdb, in UTC sessions, with views over Parquet.

DuckDB lets one process write a database file at a time. Dagster serialises the writers with
the `warehouse` concurrency pool, and `DuckDBResource` waits out a lock held by a reader.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster_duckdb import DuckDBResource

UTC_SESSION = "SET TimeZone = 'UTC'"


class WarehouseResource(DuckDBResource):
    """The warehouse file, whose sessions read and write timestamps in UTC, as silver does."""

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with super().get_connection() as connection:
            connection.execute(UTC_SESSION)
            yield connection


def warehouse_at(path: Path, *, read_only: bool = False) -> WarehouseResource:
    """The warehouse at `path`; read-only sessions may sit beside each other."""
    path.parent.mkdir(parents=True, exist_ok=True)
    config = {"access_mode": "READ_ONLY"} if read_only else {}
    return WarehouseResource(database=str(path), connection_config=config)


def utc_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB session in UTC, for SQL over frames."""
    connection = duckdb.connect(":memory:")
    connection.execute(UTC_SESSION)
    return connection


@contextmanager
def transaction(connection: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Statements that land together or not at all: committed at the end, rolled back on any
    error, which is raised again."""
    connection.begin()
    try:
        yield
    except BaseException:
        connection.rollback()
        raise
    connection.commit()


def refresh_parquet_view(connection: duckdb.DuckDBPyConnection, view: str, glob: Path) -> None:
    """Point a view at every Parquet partition of a table (hive-style date= directories)."""
    schema_name = view.split(".")[0]
    connection.execute(f"CREATE SCHEMA IF NOT EXISTS {schema_name}")
    connection.execute(
        f"CREATE OR REPLACE VIEW {view} AS "
        f"SELECT * FROM read_parquet('{glob.as_posix()}', "
        "union_by_name = true, hive_partitioning = false)"
    )
