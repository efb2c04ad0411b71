"""The feedback store: SQLite in WAL mode under the data root, apart from the DuckDB warehouse.

Feedback arrives through the API at any time, while pipeline runs hold the warehouse's one
writer lock; a separate SQLite file lets both write at once. WAL lets readers (silver/feedback)
read beside a writer, and every add is one `BEGIN IMMEDIATE` transaction on its own connection,
so threads and processes on this machine serialise on SQLite's lock, waiting up to the busy
timeout. (WAL needs a local filesystem: SQLite's shared memory does not work over NFS.)
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
from pydantic import BaseModel, ConfigDict

from incident_intel.feedback.request import FeedbackIn
from incident_intel.feedback.table import STORED_SCHEMA, empty_feedback, feedback_frame, value_text
from incident_intel.storage.sqlite_file import wal_connection

CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS feedback (
    feedback_id TEXT PRIMARY KEY,
    sys_id TEXT,
    number TEXT,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    author TEXT,
    comment TEXT,
    -- Epoch microseconds, strictly increasing in the order of the adds: latest-wins is total.
    received_at INTEGER NOT NULL UNIQUE
)
"""
CONTENT_COLUMNS = ("sys_id", "number", "field", "value", "author", "comment")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class FeedbackConflict(ValueError):
    """A feedback id sent again with different content: the first content stands."""

    def __init__(self, feedback_id: str, differing: dict[str, tuple[object, object]]) -> None:
        changes = "; ".join(f"{k} {old!r} then, {new!r} now" for k, (old, new) in differing.items())
        super().__init__(
            f"feedback {feedback_id!r} was already received with different content ({changes}): "
            "send a correction under a new feedback_id"
        )
        self.feedback_id = feedback_id
        self.differing = differing


class FeedbackReceipt(BaseModel):
    """What the store says of an add: when it first received the feedback, and whether this
    add stored it (false: the same feedback was already there)."""

    model_config = ConfigDict(frozen=True)

    feedback_id: str
    received_at: datetime
    created: bool


class FeedbackStore:
    """Feedback at `path`: `add` is idempotent by feedback_id; nothing is opened until used."""

    def __init__(self, path: Path, busy_timeout_seconds: float = 30.0) -> None:
        self.path = path
        self.busy_timeout_seconds = busy_timeout_seconds

    def add(self, feedback: FeedbackIn) -> FeedbackReceipt:
        """Store `feedback`, or return the receipt of the same feedback stored before.

        Raises FeedbackConflict when its id was stored with different content.
        """
        content = _content(feedback)
        with self._transaction() as db:
            stored = db.execute(
                f"SELECT {', '.join(CONTENT_COLUMNS)}, received_at FROM feedback "
                "WHERE feedback_id = ?",
                (feedback.feedback_id,),
            ).fetchone()
            if stored is not None:
                differing = {
                    column: (old, new)
                    for column, old, new in zip(CONTENT_COLUMNS, stored[:-1], content, strict=True)
                    if old != new
                }
                if differing:
                    raise FeedbackConflict(feedback.feedback_id, differing)
                return _receipt(feedback.feedback_id, stored[-1], created=False)
            received_at = _next_received_at(db)
            db.execute(
                f"INSERT INTO feedback (feedback_id, {', '.join(CONTENT_COLUMNS)}, received_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (feedback.feedback_id, *content, received_at),
            )
        return _receipt(feedback.feedback_id, received_at, created=True)

    def count(self) -> int:
        """How many feedback the store holds (each id once)."""
        if not self.path.exists():
            return 0
        with self._connection() as db:
            return db.execute("SELECT count(*) FROM feedback").fetchone()[0]

    def frame(self) -> pl.DataFrame:
        """Every feedback received, oldest first, typed as FEEDBACK_SCHEMA."""
        if not self.path.exists():
            return empty_feedback()
        with self._connection() as db:
            rows = db.execute(
                f"SELECT {', '.join(STORED_SCHEMA.names())} FROM feedback ORDER BY received_at"
            ).fetchall()
        return feedback_frame(rows)

    def _connection(self):
        # WAL's default (NORMAL) may lose the last commits on a power cut; feedback is people's
        # work, and an acknowledged add must stay.
        return wal_connection(self.path, self.busy_timeout_seconds, "FULL", CREATE_TABLE)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the lock at its start, so no add can interleave."""
        with self._connection() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")


def _content(feedback: FeedbackIn) -> tuple[str | None, ...]:
    """What makes two sends of one feedback id the same feedback, in CONTENT_COLUMNS order."""
    return (
        feedback.sys_id,
        feedback.number,
        feedback.field,
        value_text(feedback.value),
        feedback.author,
        feedback.comment,
    )


def _next_received_at(db: sqlite3.Connection) -> int:
    """Now, in epoch microseconds, or just after the last add if the clock says earlier."""
    now = time.time_ns() // 1_000
    last = db.execute("SELECT max(received_at) FROM feedback").fetchone()[0]
    return now if last is None else max(now, last + 1)


def _receipt(feedback_id: str, received_at_us: int, created: bool) -> FeedbackReceipt:
    received_at = EPOCH + timedelta(microseconds=received_at_us)
    return FeedbackReceipt(feedback_id=feedback_id, received_at=received_at, created=created)
