"""Stage 1 of mapping: a source's records as canonical columns of raw strings.

Source fields are renamed to canonical names and known choice values translated, with nothing
typed yet, so that this stage never fails and `cast.cast_canonical` can explain every bad value.
"""

from __future__ import annotations

import uuid
from typing import Any

import polars as pl

from incident_intel.silver.mapping import DISPLAY_SUFFIX, FieldRule, SourceMapping

ID_NAMESPACE = uuid.UUID("6f1c1d0e-2b7a-4c55-9f35-0c1b2a7e9d41")


def stable_id(kind: str, key: str) -> str:
    """A ServiceNow-style 32-hex sys_id derived from a natural key, for sources without one."""
    return uuid.uuid5(ID_NAMESPACE, f"{kind}:{key}").hex


def flatten_api_record(record: dict[str, Any], source_fields: set[str]) -> dict[str, str | None]:
    """One Table API record as flat strings: `f` holds the value, `f_display` the display value.

    The Table API sends a field as a plain string, or as a dict of value / display_value / link
    depending on `sysparm_display_value`; an empty reference arrives as "".
    """
    flat: dict[str, str | None] = {}
    for name in source_fields:
        value = record.get(name)
        if isinstance(value, dict):
            raw_value = value.get("value")
            display = value.get("display_value")
            flat[name] = None if raw_value is None else str(raw_value)
            flat[name + DISPLAY_SUFFIX] = None if display is None else str(display)
        elif value is None:
            flat[name] = None
        else:
            flat[name] = str(value)
    return flat


def _derive(rule: FieldRule, frame: pl.DataFrame) -> pl.Expr:
    prefix = "uuid5_of_"
    if not rule.derive or not rule.derive.startswith(prefix):
        raise ValueError(f"unknown derivation {rule.derive!r} for {rule.canonical}")
    base = rule.derive[len(prefix) :]
    return _stable_ids(frame.get_column(base), rule.canonical).alias(rule.canonical)


def _stable_ids(column: pl.Series, kind: str) -> pl.Expr:
    distinct = column.drop_nulls().unique().to_list()
    lookup = {key: stable_id(kind, key) for key in distinct}
    return pl.lit(column).replace_strict(lookup, default=None, return_dtype=pl.String)


def source_value(rule: FieldRule, value: pl.Expr) -> pl.Expr:
    """A source field's value as a canonical string: known choices translated, patterns read."""
    if rule.choices:
        value = value.replace(rule.choices)
    if rule.pattern:
        value = pl.coalesce(value.str.extract(rule.pattern, 1), value)
    return value


def extract_strings(frame: pl.DataFrame, source: SourceMapping) -> pl.DataFrame:
    """Rename a frame of source strings to canonical columns, translating known choices.

    Unknown choice values and unmatched patterns are kept verbatim so that `cast_canonical`
    can reject them with the original value in the reason.
    """
    frame = frame.with_columns(
        pl.col(c).cast(pl.String).replace(list(source.null_values), None) for c in frame.columns
    )
    expressions: list[pl.Expr] = []
    for rule in source.rules:
        if rule.derive:
            expressions.append(_derive(rule, frame))
            continue
        if rule.source_field in frame.columns:
            value = source_value(rule, pl.col(rule.source_field))
        else:
            value = pl.lit(None, dtype=pl.String)
        if rule.reference == "display":
            display = pl.col(rule.source_field) if rule.source_field in frame.columns else None
            if display is None:
                expressions.append(pl.lit(None, dtype=pl.String).alias(rule.canonical))
                expressions.append(
                    pl.lit(None, dtype=pl.String).alias(rule.canonical + DISPLAY_SUFFIX)
                )
            else:
                expressions.append(
                    _stable_ids(frame.get_column(rule.source_field), rule.canonical).alias(
                        rule.canonical
                    )
                )
                expressions.append(display.alias(rule.canonical + DISPLAY_SUFFIX))
            continue
        expressions.append(value.alias(rule.canonical))
        if rule.reference:
            display_column = rule.source_field + DISPLAY_SUFFIX
            display = (
                pl.col(display_column)
                if display_column in frame.columns
                else pl.lit(None, dtype=pl.String)
            )
            expressions.append(display.alias(rule.canonical + DISPLAY_SUFFIX))
    return frame.select(expressions)
