"""SQLite files beside the lake (feedback, the shadow log): written by the API, never by the
pipeline, so they never wait for the warehouse's writer."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path


@contextmanager
def wal_connection(
    path: Path, timeout: float, synchronous: str, create_table: str
) -> Iterator[sqlite3.Connection]:
    """A connection in WAL mode with the table created, closed on exit.

    isolation_level=None: no implicit transactions, so BEGIN IMMEDIATE is the caller's to issue.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    with closing(connection):
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute(f"PRAGMA synchronous = {synchronous}")
        connection.execute(create_table)
        yield connection
