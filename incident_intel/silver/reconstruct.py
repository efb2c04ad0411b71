"""Incident versions rebuilt from the audit trail: the state after each change of one day.

A live instance serves each incident once, as it is now; its history is in sys_audit. The day's
changes are replayed forward, one change event (incident, time) at a time, from a base: the
incident's insert when the trail holds it, else its latest version from an earlier day, else
(inserts not audited) the record pulled that day with the day's changes undone. An incident with
none of these has an incomplete history. So does one whose rebuilt state disagrees with the
record pulled the same day. Both fall back to the snapshot pulled, if any, and are counted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import polars as pl

from incident_intel.silver.cast import (
    CANONICAL_TIMESTAMP_FORMAT,
    canonical_strings,
    cast_canonical,
)
from incident_intel.silver.change_events import (
    CLEARED,
    anchored_bases,
    change_events,
    inserts,
)
from incident_intel.silver.mapping import DISPLAY_SUFFIX, SourceMapping, canonical_columns
from incident_intel.silver.parse import FROM_AUDIT, FROM_SNAPSHOT, REJECT_SCHEMA, versions_schema

_BASE = "__base"
_FIRST_ROW = "__first_row"


@dataclass(frozen=True)
class Reconstruction:
    versions: pl.DataFrame  # versions_schema without partition_date
    rejects: pl.DataFrame  # REJECT_SCHEMA without partition_date
    touched: int  # incidents with a change or a snapshot this day
    from_audit: int  # incidents whose day was rebuilt from the trail
    incomplete: int  # incidents with nothing to replay their changes from
    mismatched: int  # incidents whose rebuilt state differs from the record pulled
    unmapped_fields: frozenset[str]  # audited fields the mapping neither maps nor declares

    @property
    def incomplete_share(self) -> float:
        return (self.incomplete + self.mismatched) / self.touched if self.touched else 0.0


def _display_lookup(frames: list[pl.DataFrame], column: str) -> dict[str, str]:
    """sys_id -> display name of one reference column, as the records pulled show it."""
    display = column + DISPLAY_SUFFIX
    pairs = pl.concat([f.select(column, display) for f in frames]).drop_nulls()
    return dict(pairs.unique(column, keep="last").iter_rows())


def _replay(base: pl.DataFrame, events: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Each event applied on top of the incident's previous state, as canonical strings."""
    stacked = pl.concat(
        [
            base.with_columns(pl.lit(True).alias(_BASE)),
            events.with_columns(pl.lit(False).alias(_BASE)),
        ],
        how="diagonal_relaxed",
    ).sort("sys_id", "changed_at", pl.col(_BASE).not_())
    # The rows are in incident order, so a forward fill carries a value on unless its row lies
    # before the incident's first: cheaper than a fill per incident over forty columns.
    row = pl.int_range(pl.len(), dtype=pl.UInt32)
    first_row = pl.when(pl.col("sys_id").ne_missing(pl.col("sys_id").shift())).then(row)
    stacked = stacked.with_columns(first_row.forward_fill().alias(_FIRST_ROW))

    def carried(column: str) -> pl.Expr:
        set_at = pl.when(pl.col(column).is_not_null()).then(row).forward_fill()
        state = pl.when(set_at >= pl.col(_FIRST_ROW)).then(pl.col(column).forward_fill())
        return pl.when(state != CLEARED).then(state).alias(column)

    replayed = (
        stacked.with_columns(carried(c) for c in columns if c != "sys_id")
        .filter(~pl.col(_BASE))
        .drop(_FIRST_ROW)
    )
    return replayed.with_columns(
        pl.col("changed_at").dt.strftime(CANONICAL_TIMESTAMP_FORMAT).alias("sys_updated_on"),
        pl.col("__checkpoint").cast(pl.String).alias("sys_mod_count"),
    )


def _compared(source: SourceMapping) -> list[str]:
    return [f.name for f in source.fields if f.name != "sys_created_on"]


def reconstruct_versions(
    changes: pl.DataFrame,
    prior: pl.DataFrame,
    snapshots: pl.DataFrame,
    source: SourceMapping,
    audit_available: bool = True,
) -> Reconstruction:
    """The day's versions from its audit changes, each incident's earlier state and the day's
    snapshots (all typed: `changes` as silver/incident_audit, the others as incident_versions).
    """
    columns = canonical_columns(source.fields)
    known = {r.source_field for r in source.rules if not r.derive}
    unmapped = frozenset(changes.get_column("fieldname").drop_nulls().unique().to_list()) - known
    touched_ids = pl.concat([changes.get_column("sys_id"), snapshots.get_column("sys_id")]).unique()
    inserted = inserts(changes, source)
    prior_strings = canonical_strings(prior, source.fields).with_columns(
        prior.get_column("sys_updated_on").alias("changed_at"),
        prior.get_column("sys_mod_count").alias("__checkpoint"),
    )
    snapshot_strings = canonical_strings(snapshots, source.fields)
    based = pl.concat([inserted.get_column("sys_id"), prior.get_column("sys_id")]).unique()
    unbased = touched_ids.filter(~touched_ids.is_in(based.implode()))
    anchored, creations = anchored_bases(changes, snapshot_strings, unbased, source)
    if audit_available:
        incomplete_ids = unbased.filter(~unbased.is_in(anchored.get_column("sys_id").implode()))
    else:
        incomplete_ids = touched_ids
    events = pl.concat(
        [
            change_events(
                changes.filter(~pl.col("sys_id").is_in(incomplete_ids.implode())), source, columns
            ),
            creations,
        ],
        how="diagonal_relaxed",
    )
    base = pl.concat(
        [
            prior_strings.filter(~pl.col("sys_id").is_in(inserted.get_column("sys_id").implode())),
            anchored,
        ],
        how="diagonal_relaxed",
    )
    replayed = _replay(base, events, columns).join(inserted, on="sys_id", how="left")
    replayed = replayed.with_columns(
        pl.coalesce(
            pl.col("sys_created_on"),
            pl.col("inserted_at").dt.strftime(CANONICAL_TIMESTAMP_FORMAT),
        ).alias("sys_created_on")
    )
    replayed = _with_immutables(replayed, snapshot_strings, source)
    mismatched_ids = _mismatched(replayed, snapshot_strings, source)
    replayed = replayed.filter(~pl.col("sys_id").is_in(mismatched_ids.implode()))
    replayed = _with_displays(replayed, [prior_strings, snapshot_strings], snapshot_strings, source)
    typed, reason = cast_canonical(replayed.select(columns), source)
    rebuilt = _finish(typed.filter(reason.is_null()), source, FROM_AUDIT)
    rebuilt_ids = rebuilt.get_column("sys_id").unique()
    # A snapshot is a version of its own unless the trail rebuilt that incident up to it.
    latest = rebuilt.group_by("sys_id").agg(pl.col("sys_updated_on").max().alias("__latest"))
    fallback = (
        snapshots.join(latest, on="sys_id", how="left")
        .filter(pl.col("__latest").is_null() | (pl.col("sys_updated_on") > pl.col("__latest")))
        .drop("__latest")
    )
    versions = pl.concat([rebuilt, _finish(fallback, source, FROM_SNAPSHOT)]).sort(
        "sys_id", "sys_updated_on"
    )
    return Reconstruction(
        versions=versions,
        rejects=_rejects(
            replayed.select(columns).filter(reason.is_not_null()), reason.drop_nulls()
        ),
        touched=touched_ids.len(),
        from_audit=rebuilt_ids.len(),
        incomplete=incomplete_ids.len(),
        mismatched=mismatched_ids.len(),
        unmapped_fields=unmapped,
    )


def _mismatched(
    replayed: pl.DataFrame, snapshots: pl.DataFrame, source: SourceMapping
) -> pl.Series:
    """Incidents whose record pulled this day is not the state the trail rebuilds at its time."""
    compared = _compared(source)
    key = ["sys_id", "sys_updated_on"]
    rebuilt = replayed.select(compared).with_columns(pl.lit(True).alias("__rebuilt"))
    last = rebuilt.group_by("sys_id").agg(pl.col("sys_updated_on").max().alias("__last"))
    # A record updated after the last change pulled is ahead of the trail, not against it.
    pulled = snapshots.join(last, on="sys_id").filter(pl.col("sys_updated_on") <= pl.col("__last"))
    joined = pulled.select(compared).join(rebuilt, on=key, how="left", suffix="__rebuilt")
    differs = pl.col("__rebuilt").is_null() | pl.any_horizontal(
        pl.col(c).ne_missing(pl.col(c + "__rebuilt")) for c in compared if c not in key
    )
    return joined.filter(differs).get_column("sys_id").unique()


def _with_immutables(
    replayed: pl.DataFrame, snapshots: pl.DataFrame, source: SourceMapping
) -> pl.DataFrame:
    """Immutable extra fields from the record pulled that day: the trail never sets them.

    Versions of a day whose record is pulled later keep what an earlier version carried, or
    null; gold then reads the current record, which holds the same value.
    """
    columns = [c for x in source.extras if x.immutable for c in x.columns]
    if not columns:
        return replayed
    pulled = snapshots.group_by("sys_id").agg(
        pl.col(c).drop_nulls().last().alias(c + "__pulled") for c in columns
    )
    return (
        replayed.join(pulled, on="sys_id", how="left", maintain_order="left")
        .with_columns(pl.coalesce(c + "__pulled", c).alias(c) for c in columns)
        .drop(c + "__pulled" for c in columns)
    )


def _with_displays(
    replayed: pl.DataFrame,
    known: list[pl.DataFrame],
    snapshots: pl.DataFrame,
    source: SourceMapping,
) -> pl.DataFrame:
    """Display names for references: the record pulled at that moment, else any record that
    showed the same sys_id (the trail holds sys_ids only)."""
    references = [f.name for f in source.fields if f.type == "reference"]
    exact = snapshots.select(
        "sys_id",
        "sys_updated_on",
        *(pl.col(r + DISPLAY_SUFFIX).alias(r + "__shown") for r in references),
    )
    replayed = replayed.join(exact, on=["sys_id", "sys_updated_on"], how="left")
    return replayed.with_columns(
        pl.coalesce(
            pl.col(r + "__shown"),
            pl.col(r + DISPLAY_SUFFIX),
            pl.col(r).replace_strict(
                _display_lookup(known, r), default=None, return_dtype=pl.String
            ),
        ).alias(r + DISPLAY_SUFFIX)
        for r in references
    ).drop(r + "__shown" for r in references)


def _finish(typed: pl.DataFrame, source: SourceMapping, origin: str) -> pl.DataFrame:
    columns = canonical_columns(source.fields)
    schema = versions_schema(source.fields)
    return (
        typed.select(columns)
        .with_columns(
            pl.struct(columns).hash(seed=0).cast(pl.String).alias("record_hash"),
            pl.lit(origin).alias("version_source"),
        )
        .cast({k: v for k, v in schema.items() if k != "partition_date"})
    )


def _rejects(rows: pl.DataFrame, reasons: pl.Series) -> pl.DataFrame:
    """Rebuilt versions that cannot be typed, with their strings as the raw record."""
    schema = {k: v for k, v in REJECT_SCHEMA.items() if k != "partition_date"}
    if rows.is_empty():
        return pl.DataFrame(schema=schema)
    return pl.DataFrame(
        {
            "bronze_page": [None] * rows.height,
            "bronze_row": [None] * rows.height,
            "sys_id": rows.get_column("sys_id"),
            "sys_updated_on": rows.get_column("sys_updated_on"),
            "reason": reasons,
            "raw_record": [json.dumps(r, sort_keys=True, default=str) for r in rows.to_dicts()],
            "bronze_table": ["sys_audit"] * rows.height,
        },
        schema=schema,
    )
