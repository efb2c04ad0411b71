"""The audit trail as change events: what each change of a day set, in canonical strings.

A change event is one (incident, time): the canonical columns it set, CLEARED where it emptied
one and null where it left one alone. Its base is the incident's insert, an earlier version, or,
where inserts are not audited, the record pulled that day with the day's changes undone.
"""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from incident_intel.silver.cast import CANONICAL_TIMESTAMP_FORMAT
from incident_intel.silver.extract import source_value
from incident_intel.silver.mapping import DISPLAY_SUFFIX, SourceMapping, canonical_columns

# ServiceNow does not audit its system fields: they follow from the change itself.
SYSTEM_FIELDS = ("sys_id", "sys_updated_on", "sys_mod_count", "sys_created_on")
# Marks "set to empty" in a change, apart from null, which means "not changed here".
CLEARED = "\x00cleared"
LONG = {"column": pl.String, "value": pl.String}


def _values_set(
    changes: pl.DataFrame, source: SourceMapping, keys: list[str]
) -> Iterator[tuple[str, pl.DataFrame]]:
    """(canonical column, `keys` and the canonical string set) for each mapped field the
    trail changes, in the mapping's order."""
    nulls = list(source.null_values)
    # One pass splits the trail by field; a filter per mapped field would scan it forty times.
    by_field = changes.partition_by("fieldname", as_dict=True, maintain_order=True)
    for rule in source.rules:
        if rule.derive or rule.canonical in SYSTEM_FIELDS:
            continue
        rows = by_field.get((rule.source_field,))
        if rows is None:
            continue
        value = source_value(rule, pl.col("newvalue").replace(nulls, None))
        yield rule.canonical, rows.select(*keys, pl.coalesce(value, pl.lit(CLEARED)).alias("value"))
        if rule.reference:
            # A new reference's display name is not in the trail: it is looked up later.
            display = pl.lit(CLEARED).alias("value")
            yield rule.canonical + DISPLAY_SUFFIX, rows.select(*keys, display)


def changes_long(changes: pl.DataFrame, source: SourceMapping) -> pl.DataFrame:
    """One row per (incident, time, canonical column, new value as a canonical string)."""
    keys = ["sys_id", "changed_at"]
    frames = [pl.DataFrame(schema={**changes.select(keys).schema, **LONG})]
    frames.extend(
        rows.select(*keys, pl.lit(column).alias("column"), "value")
        for column, rows in _values_set(changes, source, keys)
    )
    return pl.concat(frames)


def change_events(changes: pl.DataFrame, source: SourceMapping, columns: list[str]) -> pl.DataFrame:
    """One row per change event: the columns it set (CLEARED for emptied), null elsewhere.

    Where an event sets a column twice, the later change in the trail's order wins. Each value
    is scattered straight into its event's row: pivoting the long form costs several times as
    much, most of it hashing the column names.
    """
    events = (
        changes.with_row_index("__change")
        .group_by("sys_id", "changed_at")
        .agg(pl.col("record_checkpoint").max().alias("__checkpoint"), pl.col("__change"))
        .with_row_index("__event")
    )
    event_of_change = (
        events.select("__event", "__change").explode("__change").sort("__change")["__event"]
    )
    wide: dict[str, pl.Series] = {}
    keyed = changes.select("fieldname", "newvalue").with_columns(event_of_change)
    for column, rows in _values_set(keyed, source, ["__event"]):
        last = rows.filter(pl.col("__event").is_last_distinct())
        # Where each event's value sits in `last`: gathering strings costs less than scattering.
        at = pl.repeat(None, events.height, dtype=pl.UInt32, eager=True).scatter(
            last["__event"], pl.int_range(last.height, dtype=pl.UInt32, eager=True)
        )
        values = last["value"].gather(at)
        if column in wide:  # two fields mapped onto one column: the later rule wins
            values = values.zip_with(values.is_not_null(), wide[column])
        wide[column] = values

    def column(name: str) -> pl.Expr:
        if name in wide:
            return pl.lit(wide[name]).alias(name)
        return pl.col(name) if name in events.columns else pl.lit(None, pl.String).alias(name)

    return events.select(*(column(c) for c in columns), "changed_at", "__checkpoint")


def inserts(changes: pl.DataFrame, source: SourceMapping) -> pl.DataFrame:
    """(sys_id, inserted_at) of incidents whose insert is in the trail: `number` set from empty."""
    number = source.rule("number").source_field
    return (
        changes.filter(
            (pl.col("fieldname") == number)
            & pl.col("oldvalue").replace(list(source.null_values), None).is_null()
        )
        .group_by("sys_id")
        .agg(pl.col("changed_at").min().alias("inserted_at"))
    )


def anchored_bases(
    changes: pl.DataFrame, snapshots: pl.DataFrame, candidates: pl.Series, source: SourceMapping
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Bases for incidents whose trail holds no insert, anchored on the record pulled this day.

    Where inserts are not audited, the state before the day's first change is the record pulled
    after its last one, each field the day changed put back to its old value. The record's
    creation, when it falls earlier that day, becomes a version of its own.
    """
    day = changes.filter(pl.col("sys_id").is_in(candidates.implode()))
    span = day.group_by("sys_id").agg(
        pl.col("changed_at").min().alias("__first"),
        pl.col("changed_at").max().alias("__last"),
        pl.col("record_checkpoint").min().alias("__first_checkpoint"),
    )
    parse = {"format": CANONICAL_TIMESTAMP_FORMAT, "strict": False}
    pulled = (
        snapshots.join(span, on="sys_id")
        .with_columns(
            pl.col(c)
            .str.strptime(pl.Datetime("us"), **parse)
            .dt.replace_time_zone("UTC")
            .alias(f"__{c}")
            for c in ("sys_updated_on", "sys_created_on")
        )
        .filter(pl.col("__sys_updated_on") >= pl.col("__last"))
    )
    earliest = day.sort("changed_at").group_by("sys_id", "fieldname").first()
    before = changes_long(earliest.with_columns(pl.col("oldvalue").alias("newvalue")), source)
    columns = canonical_columns(source.fields)
    if not before.is_empty():
        old = before.pivot(on="column", index="sys_id", values="value", aggregate_function="first")
        pulled = pulled.join(old, on="sys_id", how="left", suffix="__old")
        pulled = pulled.with_columns(
            pl.coalesce(pl.col(c + "__old"), pl.col(c)).replace(CLEARED, None).alias(c)
            for c in columns
            if c + "__old" in pulled.columns
        )
    base = pulled.with_columns(
        (pl.col("__first") - pl.duration(seconds=1)).alias("changed_at"),
        (pl.col("__first_checkpoint") - 1).alias("__checkpoint"),
    )
    created_that_day = pl.col("__sys_created_on").is_between(
        pl.col("__first").dt.truncate("1d"), pl.col("__first"), closed="left"
    )
    creations = base.filter(created_that_day).with_columns(
        pl.col("__sys_created_on").alias("changed_at"),
        pl.lit(0, dtype=pl.Int64).alias("__checkpoint"),
    )
    keep = [*columns, "changed_at", "__checkpoint"]
    return base.select(keep), creations.select(keep)
