"""How many feedback records the team has sent, read from the feedback store's SQLite file.

The feedback store (`incident_intel.feedback`) writes one row per record into the table
`feedback`; retraining only needs their number, read here without importing the store.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

TABLE = "feedback"


def feedback_count(database: Path) -> int:
    """The rows of the feedback table; 0 while the store has not been created."""
    if not database.exists():
        return 0
    with closing(sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)) as db:
        [(tables,)] = db.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,)
        ).fetchall()
        if not tables:
            return 0
        [(count,)] = db.execute(f"SELECT count(*) FROM {TABLE}").fetchall()
    return count
