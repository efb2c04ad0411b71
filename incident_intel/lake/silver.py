"""Silver: bronze records typed through the schema mapping, split into versions and rejects.

Every bronze record lands in exactly one of the two outputs, so that
`bronze records = versions + rejects` holds and nothing is dropped silently.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import polars as pl

from incident_intel.sources.schema_mapping import (
    CanonicalField,
    SourceMapping,
    canonical_columns,
    canonical_polars_schema,
    cast_canonical,
    extract_strings,
    flatten_api_record,
)

KEY = ("sys_id", "sys_updated_on")
REJECT_SCHEMA = {
    "partition_date": pl.Date(),
    "bronze_page": pl.Int32(),
    "bronze_row": pl.Int32(),
    "sys_id": pl.String(),
    "sys_updated_on": pl.String(),
    "reason": pl.String(),
    "raw_record": pl.String(),
}


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
        "partition_date": pl.Date(),
    }


def _flatten_pages(
    pages: Iterable[tuple[int, list[dict[str, Any]]]], source: SourceMapping
) -> tuple[pl.DataFrame, list[dict[str, Any]], set[str]]:
    fields = source.source_fields
    rows: list[dict[str, str | None]] = []
    raw: list[dict[str, Any]] = []
    seen_fields: set[str] = set()
    for number, records in pages:
        for position, record in enumerate(records):
            flat = flatten_api_record(record, fields)
            flat["__page"] = str(number)
            flat["__row"] = str(position)
            rows.append(flat)
            raw.append(record)
            seen_fields.update(record)
    columns = sorted({c for row in rows[:1] for c in row} | fields | {"__page", "__row"})
    frame = pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String()), orient="row")
    return frame, raw, seen_fields


def build_silver_partition(
    pages: Iterable[tuple[int, list[dict[str, Any]]]],
    source: SourceMapping,
    day: date,
    window: tuple[datetime, datetime],
) -> SilverPartition:
    """Type one day's bronze records into versions (one per key) and rejects (with reasons)."""
    flat, raw, seen_fields = _flatten_pages(pages, source)
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
        pl.struct(canonical_columns(source.canonical))
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
        .with_columns(pl.lit(day, dtype=pl.Date).alias("partition_date"))
        .sort(KEY)
    )
    positions = rejected.get_column("__position").to_list()
    rejects = pl.DataFrame(
        {
            "partition_date": [day] * len(positions),
            "bronze_page": flat.get_column("__page").gather(positions).cast(pl.Int32),
            "bronze_row": flat.get_column("__row").gather(positions).cast(pl.Int32),
            "sys_id": strings.get_column("sys_id").gather(positions),
            "sys_updated_on": strings.get_column("sys_updated_on").gather(positions),
            "reason": rejected.get_column("__reason"),
            "raw_record": [json.dumps(raw[i], sort_keys=True) for i in positions],
        },
        schema=REJECT_SCHEMA,
    )
    known = source.source_fields
    return SilverPartition(
        versions=versions.select(list(versions_schema(source.canonical))),
        rejects=rejects,
        bronze_records=len(raw),
        unknown_fields=frozenset(seen_fields - known) if raw else frozenset(),
        missing_fields=frozenset(known - seen_fields) if raw else frozenset(),
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
        .then(pl.lit("duplicate: the same version appears more than once in this pull"))
        .when(loser)
        .then(pl.lit("superseded: another version has the same (sys_id, sys_updated_on)"))
        .otherwise(pl.col("__reason"))
        .alias("__reason")
    ).drop("__winner", "__winner_hash")
