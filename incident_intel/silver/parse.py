"""Silver: bronze records typed through the schema mapping, split into versions and rejects.

Every bronze record lands in exactly one of the two outputs, so that
`bronze records = versions + rejects` holds and nothing is dropped silently.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import polars as pl

from incident_intel.silver.cast import cast_canonical
from incident_intel.silver.extract import extract_strings, flatten_api_record
from incident_intel.silver.mapping import (
    DISPLAY_SUFFIX,
    CanonicalField,
    SourceMapping,
    canonical_columns,
    canonical_polars_schema,
)

KEY = ("sys_id", "sys_updated_on")
# The reason given to an exact repeat of a version, which loses nothing.
EXACT_REPEAT = "duplicate:"
RESULT_ARRAY = re.compile(r'"result"\s*:\s*\[\s*')
REJECT_SCHEMA = {
    "partition_date": pl.Date(),
    "bronze_page": pl.Int32(),
    "bronze_row": pl.Int32(),
    "sys_id": pl.String(),
    "sys_updated_on": pl.String(),
    "reason": pl.String(),
    "raw_record": pl.String(),
    # incident, sys_audit or sys_audit_delete: which bronze pages the record came from.
    "bronze_table": pl.String(),
}
# Where a version came from: rebuilt from the audit trail, or a snapshot of the record as pulled.
FROM_AUDIT = "audit"
FROM_SNAPSHOT = "snapshot"


@dataclass(frozen=True)
class SilverPartition:
    versions: pl.DataFrame
    rejects: pl.DataFrame
    bronze_records: int
    unknown_fields: frozenset[str]
    missing_fields: frozenset[str]


def versions_schema(canonical: tuple[CanonicalField, ...]) -> dict[str, pl.DataType]:
    return {
        **canonical_polars_schema(canonical),
        "record_hash": pl.String(),
        "version_source": pl.String(),
        "partition_date": pl.Date(),
    }


def _strings_frame(rows: list[dict[str, str | None]], columns: list[str]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String()), orient="row")


def api_page_schema(fields: set[str]) -> dict[str, pl.DataType]:
    """A Table API page with sysparm_display_value=all: every field a value/display struct."""
    value = pl.Struct({"display_value": pl.String, "value": pl.String, "link": pl.String})
    return {"result": pl.List(pl.Struct(dict.fromkeys(sorted(fields), value)))}


def _first_record_fields(body: bytes) -> set[str]:
    """The field names of a page's first record, parsing that record alone.

    Schema drift is sampled this way, one record a page, because parsing every record in
    Python would cost more than the rest of silver together.
    """
    text = body.decode()
    opening = RESULT_ARRAY.search(text)
    if opening is None or text.startswith("]", opening.end()):
        return set()
    record, _ = json.JSONDecoder().raw_decode(text, opening.end())
    return set(record)


def _page_strings(
    body: bytes, fields: set[str], schema: dict[str, pl.DataType]
) -> tuple[pl.DataFrame, set[str]]:
    """One page's records as flat strings (`f`, `f_display`), and the field names it carried.

    Polars parses a page natively against the expected schema; a page whose fields do not
    have that shape (a reference sent as "" rather than as a value/display pair) takes the
    slower Python path, which reads any shape.
    """
    columns = sorted(fields | {f + DISPLAY_SUFFIX for f in fields})
    try:
        parsed = pl.read_json(io.BytesIO(body), schema=schema)
    except pl.exceptions.ComputeError:
        records = json.loads(body)["result"]
        seen = {name for record in records for name in record}
        return _strings_frame([flatten_api_record(r, fields) for r in records], columns), seen
    records = parsed.get_column("result").explode().drop_nulls().struct.unnest()
    if records.is_empty():
        return _strings_frame([], columns), set()
    expressions = [
        expression
        for name in sorted(fields)
        for expression in (
            pl.col(name).struct.field("value").alias(name),
            pl.col(name).struct.field("display_value").alias(name + DISPLAY_SUFFIX),
        )
    ]
    return records.select(expressions).select(columns), _first_record_fields(body)


def _flatten_pages(
    pages: Iterable[tuple[int, bytes]], source: SourceMapping
) -> tuple[pl.DataFrame, dict[int, bytes], set[str]]:
    fields = source.source_fields
    schema = api_page_schema(fields)
    frames: list[pl.DataFrame] = []
    bodies: dict[int, bytes] = {}
    seen_fields: set[str] = set()
    # Polars parses outside the GIL, so pages parse side by side on every core; map keeps order.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        parsed = pool.map(lambda page: (page, _page_strings(page[1], fields, schema)), pages)
        for (number, body), (frame, seen) in parsed:
            bodies[number] = body
            seen_fields |= seen
            frames.append(
                frame.with_columns(
                    pl.lit(number, dtype=pl.Int32).alias("__page"),
                    pl.int_range(frame.height, dtype=pl.Int32).alias("__row"),
                )
            )
    columns = sorted(fields | {f + DISPLAY_SUFFIX for f in fields})
    if not frames:
        empty = _strings_frame([], columns)
        frames = [
            empty.with_columns(
                pl.lit(0, pl.Int32).alias("__page"), pl.lit(0, pl.Int32).alias("__row")
            ).clear()
        ]
    return pl.concat(frames, how="vertical"), bodies, seen_fields


def raw_records(bodies: dict[int, bytes], positions: list[tuple[int, int]]) -> list[str]:
    """The rejected records as received, re-read only from the pages that hold them."""
    parsed: dict[int, list[Any]] = {}
    raw = []
    for page, row in positions:
        if page not in parsed:
            parsed[page] = json.loads(bodies[page])["result"]
        raw.append(json.dumps(parsed[page][row], sort_keys=True))
    return raw


def build_silver_partition(
    pages: Iterable[tuple[int, bytes]],
    source: SourceMapping,
    day: date,
    window: tuple[datetime, datetime],
) -> SilverPartition:
    """Type one day's bronze pages (raw response bodies) into versions and rejects."""
    flat, bodies, seen_fields = _flatten_pages(pages, source)
    strings = extract_strings(flat.drop("__page", "__row"), source)
    typed, reason = cast_canonical(strings, source)
    start, end = window
    in_window = typed.get_column("sys_updated_on").is_between(start, end, closed="left")
    reason = (
        pl.DataFrame({"reason": reason, "in_window": in_window})
        .select(
            pl.concat_str(
                pl.col("reason"),
                pl.when(pl.col("in_window").not_()).then(
                    pl.lit("sys_updated_on: outside the pulled window")
                ),
                separator="; ",
                ignore_nulls=True,
            ).replace("", None)
        )
        .to_series()
    )
    typed = typed.with_columns(
        pl.Series("__position", range(typed.height), dtype=pl.Int64),
        pl.struct(canonical_columns(source.fields))
        .hash(seed=0)
        .cast(pl.String)
        .alias("record_hash"),
        reason.alias("__reason"),
    )
    typed = _reject_repeated_keys(typed)
    rejected = typed.filter(pl.col("__reason").is_not_null())
    versions = (
        typed.filter(pl.col("__reason").is_null())
        .drop("__position", "__reason")
        .with_columns(
            pl.lit(FROM_SNAPSHOT).alias("version_source"),
            pl.lit(day, dtype=pl.Date).alias("partition_date"),
        )
        .sort(KEY)
    )
    positions = rejected.get_column("__position").to_list()
    pages_of = flat.get_column("__page").gather(positions)
    rows_of = flat.get_column("__row").gather(positions)
    rejects = pl.DataFrame(
        {
            "partition_date": [day] * len(positions),
            "bronze_page": pages_of,
            "bronze_row": rows_of,
            "sys_id": strings.get_column("sys_id").gather(positions),
            "sys_updated_on": strings.get_column("sys_updated_on").gather(positions),
            "reason": rejected.get_column("__reason"),
            "raw_record": raw_records(
                bodies, list(zip(pages_of.to_list(), rows_of.to_list(), strict=True))
            ),
            "bronze_table": ["incident"] * len(positions),
        },
        schema=REJECT_SCHEMA,
    )
    known = source.source_fields
    return SilverPartition(
        versions=versions.select(list(versions_schema(source.fields))),
        rejects=rejects,
        bronze_records=flat.height,
        unknown_fields=frozenset(seen_fields - known) if flat.height else frozenset(),
        missing_fields=frozenset(known - seen_fields) if flat.height else frozenset(),
    )


def _reject_repeated_keys(typed: pl.DataFrame) -> pl.DataFrame:
    """Keep one version per (sys_id, sys_updated_on) and explain why each other one went.

    An identical repeat is a page overlap; a different record under the same key loses to the
    one with the higher sys_mod_count, then to the one received last.
    """
    valid = pl.col("__reason").is_null()
    ranked = typed.with_columns(
        pl.when(valid)
        .then(
            pl.col("__position")
            .sort_by(["sys_mod_count", "__position"], descending=[True, True], nulls_last=True)
            .first()
            .over([*KEY, valid])
        )
        .alias("__winner")
    )
    winner_hash = (
        pl.col("record_hash")
        .sort_by("__position")
        .filter(pl.col("__position") == pl.col("__winner"))
    )
    ranked = ranked.with_columns(
        pl.when(valid).then(winner_hash.first().over([*KEY, valid])).alias("__winner_hash")
    )
    loser = valid & (pl.col("__position") != pl.col("__winner"))
    return ranked.with_columns(
        pl.when(loser & (pl.col("record_hash") == pl.col("__winner_hash")))
        .then(pl.lit(f"{EXACT_REPEAT} the same version appears more than once in this pull"))
        .when(loser)
        .then(pl.lit("superseded: another version has the same (sys_id, sys_updated_on)"))
        .otherwise(pl.col("__reason"))
        .alias("__reason")
    ).drop("__winner", "__winner_hash")
