"""Silver: a day's sys_audit and sys_audit_delete pages typed into one table of audit events.

A field change (`event = "change"`) keeps the values as ServiceNow stores them (choice values,
sys_ids, UTC date-times): mapping them onto the canonical schema is reconstruction's job. A
deletion is an event of its own. Every bronze row lands in the events or in the rejects.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from incident_intel.silver.parse import EXACT_REPEAT, REJECT_SCHEMA, raw_records

AUDIT_FIELDS = (
    "sys_id",
    "documentkey",
    "fieldname",
    "oldvalue",
    "newvalue",
    "user",
    "record_checkpoint",
    "sys_created_on",
    "display_value",
)
AUDIT_TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
AUDIT_SCHEMA = {
    "audit_id": pl.String(),
    "sys_id": pl.String(),
    "event": pl.String(),
    "fieldname": pl.String(),
    "oldvalue": pl.String(),
    "newvalue": pl.String(),
    "record_checkpoint": pl.Int64(),
    "changed_at": pl.Datetime("us", "UTC"),
    "user": pl.String(),
    "partition_date": pl.Date(),
}
_ROW_SCHEMA = dict.fromkeys(AUDIT_FIELDS, pl.String())
_PAGE_SCHEMA = {"result": pl.List(pl.Struct(_ROW_SCHEMA))}


@dataclass(frozen=True)
class AuditPartition:
    events: pl.DataFrame
    rejects: pl.DataFrame
    bronze_records: int

    @property
    def changes(self) -> pl.DataFrame:
        return self.events.filter(pl.col("event") == "change")

    @property
    def deletions(self) -> pl.DataFrame:
        return self.events.filter(pl.col("event") == "delete")


def _parse_page(body: bytes) -> pl.DataFrame:
    return pl.read_json(io.BytesIO(body), schema=_PAGE_SCHEMA)


def _pages_rows(pages: Iterable[tuple[int, bytes, str]], bodies: dict[int, bytes]) -> pl.DataFrame:
    """Every row of these (page, body, event) pages, in page order, with its page and row;
    each body is kept in `bodies` by page, for the raw records of the rejects."""
    numbers, events, parsing = [], [], []
    # Polars parses outside the GIL, so a page parses while the next is read and unpacked.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for page, body, event in pages:
            bodies[page] = body
            numbers.append(page)
            events.append(event)
            parsing.append(pool.submit(_parse_page, body))
        if not parsing:
            return pl.DataFrame(
                schema={**_ROW_SCHEMA, "event": pl.String, "__page": pl.Int32, "__row": pl.Int32}
            )
        parsed = pl.concat(page.result() for page in parsing)
    return (
        parsed.with_columns(
            pl.Series("__page", numbers, dtype=pl.Int32),
            pl.Series("event", events, dtype=pl.String),
            pl.int_ranges(0, pl.col("result").list.len(), dtype=pl.Int32).alias("__row"),
        )
        .explode("result", "__row")
        .filter(pl.col("result").is_not_null())
        .unnest("result")
        .select(*AUDIT_FIELDS, "event", "__page", "__row")
    )


def _reasons(rows: pl.DataFrame, window: tuple[datetime, datetime]) -> pl.Expr:
    start, end = window
    changed_at = pl.col("changed_at")
    checks = [
        (pl.col("documentkey").fill_null("") == "", "documentkey: missing"),
        (pl.col("sys_id").fill_null("") == "", "sys_id: missing"),
        (
            pl.col("sys_created_on").is_not_null() & changed_at.is_null(),
            "sys_created_on: not a datetime",
        ),
        (pl.col("sys_created_on").is_null(), "sys_created_on: missing"),
        (
            (pl.col("event") == "change") & pl.col("record_checkpoint").is_null(),
            "record_checkpoint: missing or not an int",
        ),
        (
            (pl.col("event") == "change") & (pl.col("fieldname").fill_null("") == ""),
            "fieldname: missing",
        ),
        (
            changed_at.is_not_null() & ~changed_at.is_between(start, end, closed="left"),
            "sys_created_on: outside the pulled window",
        ),
    ]
    return pl.concat_str(
        [pl.when(test).then(pl.lit(message)) for test, message in checks],
        separator="; ",
        ignore_nulls=True,
    ).replace("", None)


def build_audit_partition(
    changes: Iterable[tuple[int, bytes]],
    deletions: Iterable[tuple[int, bytes]],
    day: date,
    window: tuple[datetime, datetime],
) -> AuditPartition:
    """Type one day's bronze audit pages: sys_audit rows, then sys_audit_delete rows."""
    bodies: dict[int, bytes] = {}
    pages = (
        (page, body, event)
        for event, bodies_of_event in (("change", changes), ("delete", deletions))
        for page, body in bodies_of_event
    )
    rows = _pages_rows(pages, bodies)
    typed = rows.with_columns(
        pl.col("sys_created_on")
        .str.strptime(pl.Datetime("us"), AUDIT_TIMESTAMP_FORMAT, strict=False)
        .dt.replace_time_zone("UTC")
        .alias("changed_at"),
        pl.col("record_checkpoint").str.strip_chars().cast(pl.Int64, strict=False),
    )
    typed = typed.with_columns(_reasons(typed, window).alias("__reason"))
    # A row served twice (pages overlapping on a retry) is the same audit record: keep one.
    # One hash pass: a window over 300k distinct sys_ids costs ten times as much.
    repeated = pl.col("__reason").is_null() & ~pl.col("sys_id").is_first_distinct()
    typed = typed.with_columns(
        pl.when(repeated)
        .then(pl.lit(f"{EXACT_REPEAT} the same audit record appears more than once"))
        .otherwise(pl.col("__reason"))
        .alias("__reason")
    )
    events = (
        typed.filter(pl.col("__reason").is_null())
        .select(
            pl.col("sys_id").alias("audit_id"),
            pl.col("documentkey").alias("sys_id"),
            "event",
            "fieldname",
            "oldvalue",
            "newvalue",
            "record_checkpoint",
            "changed_at",
            "user",
            pl.lit(day, dtype=pl.Date).alias("partition_date"),
        )
        .sort("changed_at", "audit_id")
    )
    rejected = typed.filter(pl.col("__reason").is_not_null())
    rejects = rejected.select(
        pl.lit(day, dtype=pl.Date).alias("partition_date"),
        pl.col("__page").alias("bronze_page"),
        pl.col("__row").alias("bronze_row"),
        pl.col("documentkey").alias("sys_id"),
        pl.col("sys_created_on").alias("sys_updated_on"),
        pl.col("__reason").alias("reason"),
        pl.Series(
            "raw_record",
            raw_records(bodies, rejected.select("__page", "__row").rows()),
            dtype=pl.String,
        ),
        pl.when(pl.col("event") == "delete")
        .then(pl.lit("sys_audit_delete"))
        .otherwise(pl.lit("sys_audit"))
        .alias("bronze_table"),
    )
    return AuditPartition(
        events=events.cast(AUDIT_SCHEMA),
        rejects=rejects.cast(REJECT_SCHEMA),
        bronze_records=rows.height,
    )
