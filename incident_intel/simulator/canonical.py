"""The simulator's storage format: canonical incident versions as raw strings.

Versions are dicts keyed by the API mapping's columns, canonical and extra (`columns()`), whose
values are what a ServiceNow field
would hold (UTC "%Y-%m-%d %H:%M:%S" timestamps, decimal ints, "true"/"false"), or None. The
typed view is produced by the lead's `cast_canonical`, so ground truth types exactly as silver.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache

import polars as pl

from incident_intel.silver.cast import canonical_strings, cast_canonical
from incident_intel.silver.mapping import (
    SourceMapping,
    canonical_columns,
    canonical_polars_schema,
    load_schema_mapping,
)

API_SOURCE = "servicenow_table_api"
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"

Version = dict[str, str | None]


@cache
def api_mapping() -> SourceMapping:
    return load_schema_mapping().source(API_SOURCE)


@cache
def columns() -> tuple[str, ...]:
    return tuple(canonical_columns(api_mapping().fields))


@cache
def typed_schema() -> dict[str, pl.DataType]:
    return canonical_polars_schema(api_mapping().fields)


def format_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def parse_timestamp(text: str) -> datetime:
    return datetime.strptime(text, TIMESTAMP_FORMAT).replace(tzinfo=UTC)


def ceil_timestamp(moment: datetime) -> str:
    """The first whole second at or after `moment`, formatted: stored times have no fraction."""
    moment = moment.astimezone(UTC)
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    return moment.strftime(TIMESTAMP_FORMAT)


def sort_key(version: Version) -> tuple[str, str]:
    return (version["sys_updated_on"] or "", version["sys_id"] or "")


def to_strings(typed: pl.DataFrame) -> pl.DataFrame:
    """A typed canonical frame back to its raw strings, the inverse of `cast_canonical`."""
    return canonical_strings(typed, api_mapping().fields)


def conform(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """`frame` as the stored columns, in order: a field it lacks (an extra field the generator
    does not model, or the export does not hold) is null, as on an instance that leaves it
    empty."""
    absent = [pl.lit(None, dtype).alias(c) for c, dtype in schema.items() if c not in frame.columns]
    return frame.with_columns(absent).select(list(schema)).cast(schema)


def from_versions(versions: list[Version]) -> pl.DataFrame:
    return pl.DataFrame(versions, schema=dict.fromkeys(columns(), pl.String), orient="row")


def cast(raw: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Type a frame of canonical strings; return (valid typed rows, raw rejects with `reason`)."""
    typed, reason = cast_canonical(raw, api_mapping())
    valid = reason.is_null()
    return typed.filter(valid), raw.with_columns(reason).filter(~valid)
