"""The feedback table: its typed schema, its values as text, and the latest word per label."""

from __future__ import annotations

from pathlib import Path

import polars as pl

# As the store holds it: the value as text, the time received in epoch microseconds.
STORED_SCHEMA = pl.Schema(
    {
        **dict.fromkeys(
            ("feedback_id", "sys_id", "number", "field", "value", "author", "comment"), pl.String
        ),
        "received_at": pl.Int64,
    }
)
FEEDBACK_SCHEMA = pl.Schema(
    {
        "feedback_id": pl.String,
        "sys_id": pl.String,
        "number": pl.String,
        "field": pl.String,
        # As text, for every field alike; typed in the two columns after it.
        "value": pl.String,
        "value_bool": pl.Boolean,
        "value_hours": pl.Float64,
        "author": pl.String,
        "comment": pl.String,
        "received_at": pl.Datetime("us", "UTC"),
    }
)
# The column of FEEDBACK_SCHEMA that holds each field's value with the type of its label.
TYPED_VALUE = {
    "assignment_group": "value",
    "category": "value",
    "sla_breached": "value_bool",
    "ttr_hours": "value_hours",
}


def value_text(value: bool | float | str) -> str:
    """A value as stored: true/false, hours as Python writes floats (they read back exactly)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else value


def feedback_frame(rows: list[tuple]) -> pl.DataFrame:
    """The typed table of rows as the store holds them (STORED_SCHEMA)."""
    stored = pl.DataFrame(rows, schema=STORED_SCHEMA, orient="row")
    return stored.with_columns(
        pl.when(pl.col("field") == "sla_breached")
        .then(pl.col("value") == "true")
        .alias("value_bool"),
        pl.when(pl.col("field") == "ttr_hours")
        .then(pl.col("value").cast(pl.Float64))
        .alias("value_hours"),
        pl.from_epoch("received_at", time_unit="us").dt.replace_time_zone("UTC"),
    ).select(FEEDBACK_SCHEMA.names())


def empty_feedback() -> pl.DataFrame:
    return pl.DataFrame(schema=FEEDBACK_SCHEMA)


def latest_feedback(received: pl.DataFrame) -> pl.DataFrame:
    """The newest feedback on each label of each incident, as the client named the incident."""
    return received.sort("received_at").unique(
        ["sys_id", "number", "field"], keep="last", maintain_order=True
    )


def read_feedback(path: Path) -> pl.DataFrame:
    """silver/feedback's file; before its first materialisation, no feedback."""
    return pl.read_parquet(path) if path.exists() else empty_feedback()
