"""The shadow log: SQLite in WAL mode under the data root, apart from the DuckDB warehouse.

The API appends to it after each scoring response while pipeline runs hold the warehouse's
one writer lock; a file of its own lets both write at once, and WAL lets the comparison report
read beside the API. Each append is one `BEGIN IMMEDIATE` transaction on its own connection,
so concurrent requests serialise on SQLite's lock, waiting up to the busy timeout.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields
from pathlib import Path

import polars as pl

from incident_intel.storage.sqlite_file import wal_connection

CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS shadow_scores (
    scored_at TEXT NOT NULL,  -- ISO 8601 in UTC, to the microsecond: when the request came
    sys_id TEXT NOT NULL,
    model TEXT NOT NULL,
    promoted_version TEXT,  -- null when no version of the model is promoted
    candidate_version TEXT NOT NULL,
    triage_target TEXT,  -- triage logs one row per target, the other models none
    promoted_breach_probability REAL,
    candidate_breach_probability REAL,
    promoted_ttr_hours REAL,
    candidate_ttr_hours REAL,
    promoted_top1 TEXT,
    candidate_top1 TEXT
)
"""
SHADOW_SCHEMA = pl.Schema(
    {
        "scored_at": pl.Datetime("us", "UTC"),
        "sys_id": pl.String,
        "model": pl.String,
        "promoted_version": pl.String,
        "candidate_version": pl.String,
        "triage_target": pl.String,
        "promoted_breach_probability": pl.Float64,
        "candidate_breach_probability": pl.Float64,
        "promoted_ttr_hours": pl.Float64,
        "candidate_ttr_hours": pl.Float64,
        "promoted_top1": pl.String,
        "candidate_top1": pl.String,
    }
)


@dataclass(frozen=True)
class ShadowRow:
    """One incident scored by one model's promoted and candidate versions; only the fields of
    that model are set."""

    scored_at: str
    sys_id: str
    model: str
    promoted_version: str | None
    candidate_version: str
    triage_target: str | None = None
    promoted_breach_probability: float | None = None
    candidate_breach_probability: float | None = None
    promoted_ttr_hours: float | None = None
    candidate_ttr_hours: float | None = None
    promoted_top1: str | None = None
    candidate_top1: str | None = None


COLUMNS = [f.name for f in fields(ShadowRow)]


def shadow_frame(rows: list[tuple]) -> pl.DataFrame:
    """Rows as stored, in COLUMNS order, typed as SHADOW_SCHEMA."""
    as_text = SHADOW_SCHEMA | {"scored_at": pl.String}
    return pl.DataFrame(rows, schema=as_text, orient="row").with_columns(
        pl.col("scored_at").str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%:z", time_unit="us")
    )


class ShadowLog:
    """Shadow rows at `path`; nothing is opened until used."""

    def __init__(self, path: Path, busy_timeout_seconds: float = 30.0) -> None:
        self.path = path
        self.busy_timeout_seconds = busy_timeout_seconds

    def append(self, rows: list[ShadowRow]) -> None:
        """Add `rows` in one transaction: all of them or none."""
        if not rows:
            return
        placeholders = ", ".join("?" * len(COLUMNS))
        with self._connection() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(
                    f"INSERT INTO shadow_scores ({', '.join(COLUMNS)}) VALUES ({placeholders})",
                    [astuple(row) for row in rows],
                )
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def frame(self) -> pl.DataFrame:
        """Every row logged, oldest first, typed as SHADOW_SCHEMA; empty when there is no log."""
        if not self.path.exists():
            return pl.DataFrame(schema=SHADOW_SCHEMA)
        with self._connection() as db:
            rows = db.execute(
                f"SELECT {', '.join(COLUMNS)} FROM shadow_scores ORDER BY scored_at, rowid"
            ).fetchall()
        return shadow_frame(rows)

    def _connection(self):
        # WAL's default: a power cut may lose the last appends, never corrupt the file. The log
        # is evidence for a comparison, and fsyncing each request is not worth it.
        return wal_connection(self.path, self.busy_timeout_seconds, "NORMAL", CREATE_TABLE)
