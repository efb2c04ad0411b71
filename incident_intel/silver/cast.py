"""Stage 2 of mapping: canonical strings typed, with the reason each rejected row cannot be."""

from __future__ import annotations

import polars as pl

from incident_intel.silver.mapping import DISPLAY_SUFFIX, CanonicalField, SourceMapping

CANONICAL_TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"

TRUE_STRINGS = ("true", "1", "yes")
FALSE_STRINGS = ("false", "0", "no")
# (later, earlier) pairs that a consistent version never violates.
ORDERED_TIMESTAMPS = (("resolved_at", "opened_at"), ("sys_updated_on", "opened_at"))


def _reason(condition: pl.Expr, message: pl.Expr) -> pl.Expr:
    return pl.when(condition).then(message).otherwise(pl.lit(None, dtype=pl.String))


def _quoted(name: str) -> pl.Expr:
    return pl.concat_str(pl.lit("'"), pl.col(name).str.slice(0, 60), pl.lit("'"))


def cast_canonical(raw: pl.DataFrame, source: SourceMapping) -> tuple[pl.DataFrame, pl.Series]:
    """Type a frame of canonical strings; return the typed frame and a per-row reject reason.

    The reason is null for a valid row and otherwise lists every problem, separated by "; ".
    """
    typed: list[pl.Expr] = []
    reasons: list[pl.Expr] = []
    for f in source.fields:
        col = pl.col(f.name)
        if f.type == "int":
            value = col.str.strip_chars().cast(pl.Int64, strict=False)
        elif f.type == "float":
            value = col.str.strip_chars().cast(pl.Float64, strict=False)
        elif f.type == "bool":
            lowered = col.str.to_lowercase().str.strip_chars()
            value = (
                pl.when(lowered.is_in(TRUE_STRINGS))
                .then(True)
                .when(lowered.is_in(FALSE_STRINGS))
                .then(False)
                .otherwise(None)
            )
        elif f.type == "datetime":
            value = source.parse_timestamps(col)
        else:
            value = col
        typed.append(value.alias(f.name))
        if f.type == "reference":
            typed.append(pl.col(f.name + DISPLAY_SUFFIX))
        if f.type in ("int", "float", "bool", "datetime"):
            reasons.append(
                _reason(
                    col.is_not_null() & value.is_null(),
                    pl.concat_str(
                        pl.lit(f"{f.name}: "), _quoted(f.name), pl.lit(f" is not a {f.type}")
                    ),
                )
            )
        if f.required:
            reasons.append(_reason(col.is_null(), pl.lit(f"{f.name}: missing")))
        if f.allowed is not None:
            allowed = [str(a) for a in f.allowed]
            reasons.append(
                _reason(
                    col.is_not_null() & ~col.is_in(allowed),
                    pl.concat_str(
                        pl.lit(f"{f.name}: "),
                        _quoted(f.name),
                        pl.lit(f" is not one of {allowed}"),
                    ),
                )
            )
    typed_frame = raw.select(typed)
    reason_frame = pl.concat(
        [
            raw.select(pl.concat_str(reasons, separator="; ", ignore_nulls=True).alias("fields")),
            typed_frame.select(
                pl.concat_str(
                    [
                        _reason(
                            pl.col(later) < pl.col(earlier), pl.lit(f"{later}: before {earlier}")
                        )
                        for later, earlier in ORDERED_TIMESTAMPS
                    ],
                    separator="; ",
                    ignore_nulls=True,
                ).alias("order")
            ),
        ],
        how="horizontal",
    )
    reason = reason_frame.select(
        pl.concat_str(
            pl.col("fields").replace("", None),
            pl.col("order").replace("", None),
            separator="; ",
            ignore_nulls=True,
        ).replace("", None)
    ).to_series()
    return typed_frame, reason.alias("reason")


def canonical_strings(typed: pl.DataFrame, canonical: tuple[CanonicalField, ...]) -> pl.DataFrame:
    """Typed canonical columns back to strings that `cast_canonical` reads again, UTC times as
    CANONICAL_TIMESTAMP_FORMAT: the inverse of the cast, for a source with that format."""
    expressions = []
    for f in canonical:
        column = pl.col(f.name)
        if f.type == "bool":
            column = pl.when(column).then(pl.lit("true")).when(~column).then(pl.lit("false"))
        elif f.type == "datetime":
            column = column.dt.convert_time_zone("UTC").dt.strftime(CANONICAL_TIMESTAMP_FORMAT)
        elif f.type in ("int", "float"):
            column = column.cast(pl.String)
        expressions.append(column.alias(f.name))
        if f.type == "reference":
            expressions.append(pl.col(f.name + DISPLAY_SUFFIX))
    return typed.select(expressions)
