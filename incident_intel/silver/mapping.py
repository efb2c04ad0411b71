"""Maps a source's records onto the canonical incident schema (`config/schema_mapping.yaml`).

Mapping happens in two stages so that nothing is lost:
1. `extract_strings` renames source fields to canonical names and translates known choice
   values, keeping everything as raw strings. It never fails.
2. `cast_canonical` types the strings and explains, per row, why a row cannot be typed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from incident_intel.settings import DEFAULT_MAPPING_PATH

ID_NAMESPACE = uuid.UUID("6f1c1d0e-2b7a-4c55-9f35-0c1b2a7e9d41")
DISPLAY_SUFFIX = "_display"
TYPES = {"string", "int", "bool", "datetime", "reference"}
TRUE_STRINGS = ("true", "1", "yes")
FALSE_STRINGS = ("false", "0", "no")
# (later, earlier) pairs that a consistent version never violates.
ORDERED_TIMESTAMPS = (("resolved_at", "opened_at"), ("sys_updated_on", "opened_at"))


@dataclass(frozen=True)
class CanonicalField:
    name: str
    type: str
    required: bool = False
    allowed: tuple[Any, ...] | None = None


@dataclass(frozen=True)
class FieldRule:
    canonical: str
    source_field: str
    reference: bool | str = False
    choices: dict[str, str] | None = None
    pattern: str | None = None
    derive: str | None = None


@dataclass(frozen=True)
class SourceMapping:
    name: str
    timestamp_format: str
    null_values: tuple[str, ...]
    rules: tuple[FieldRule, ...]
    canonical: tuple[CanonicalField, ...] = field(repr=False)

    def rule(self, canonical_name: str) -> FieldRule:
        for rule in self.rules:
            if rule.canonical == canonical_name:
                return rule
        raise KeyError(canonical_name)

    @property
    def source_fields(self) -> set[str]:
        return {r.source_field for r in self.rules if r.derive is None}


@dataclass(frozen=True)
class SchemaMapping:
    canonical: tuple[CanonicalField, ...]
    sources: dict[str, SourceMapping]

    def source(self, name: str) -> SourceMapping:
        if name not in self.sources:
            raise KeyError(
                f"No mapping named {name!r} in the schema mapping; known: {sorted(self.sources)}"
            )
        return self.sources[name]


def canonical_columns(canonical: tuple[CanonicalField, ...]) -> list[str]:
    """Column names of a canonical frame: references carry a value and a display column."""
    columns: list[str] = []
    for f in canonical:
        columns.append(f.name)
        if f.type == "reference":
            columns.append(f.name + DISPLAY_SUFFIX)
    return columns


def canonical_polars_schema(canonical: tuple[CanonicalField, ...]) -> dict[str, pl.DataType]:
    dtypes = {
        "string": pl.String(),
        "reference": pl.String(),
        "int": pl.Int64(),
        "bool": pl.Boolean(),
        "datetime": pl.Datetime("us", "UTC"),
    }
    schema: dict[str, pl.DataType] = {}
    for f in canonical:
        schema[f.name] = dtypes[f.type]
        if f.type == "reference":
            schema[f.name + DISPLAY_SUFFIX] = pl.String()
    return schema


def _parse_canonical(spec: dict[str, Any]) -> tuple[CanonicalField, ...]:
    fields = []
    for name, props in spec.items():
        if props.get("type") not in TYPES:
            raise ValueError(f"canonical field {name!r} has type {props.get('type')!r}")
        allowed = props.get("allowed")
        fields.append(
            CanonicalField(
                name=name,
                type=props["type"],
                required=bool(props.get("required", False)),
                allowed=tuple(allowed) if allowed is not None else None,
            )
        )
    return tuple(fields)


def _parse_source(
    name: str, spec: dict[str, Any], canonical: tuple[CanonicalField, ...]
) -> SourceMapping:
    declared = spec.get("fields") or {}
    unknown = set(declared) - {f.name for f in canonical}
    if unknown:
        raise ValueError(f"mapping {name!r} maps unknown canonical fields {sorted(unknown)}")
    rules = []
    for f in canonical:
        props = declared.get(f.name) or {}
        choices = props.get("choices")
        rules.append(
            FieldRule(
                canonical=f.name,
                source_field=props.get("field", f.name),
                reference=props.get("reference", False),
                choices={str(k): str(v) for k, v in choices.items()} if choices else None,
                pattern=props.get("pattern"),
                derive=props.get("derive"),
            )
        )
    return SourceMapping(
        name=name,
        timestamp_format=spec["timestamp_format"],
        null_values=tuple(spec.get("null_values", [""])),
        rules=tuple(rules),
        canonical=canonical,
    )


@lru_cache(maxsize=4)
def load_schema_mapping(path: str | Path = DEFAULT_MAPPING_PATH) -> SchemaMapping:
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    canonical = _parse_canonical(raw["canonical"])
    sources = {n: _parse_source(n, s, canonical) for n, s in raw["sources"].items()}
    return SchemaMapping(canonical=canonical, sources=sources)


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
            value = pl.col(rule.source_field)
        else:
            value = pl.lit(None, dtype=pl.String)
        if rule.choices:
            value = value.replace(rule.choices)
        if rule.pattern:
            value = pl.coalesce(value.str.extract(rule.pattern, 1), value)
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
    for f in source.canonical:
        col = pl.col(f.name)
        if f.type == "int":
            value = col.str.strip_chars().cast(pl.Int64, strict=False)
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
            value = col.str.strptime(
                pl.Datetime("us"), source.timestamp_format, strict=False
            ).dt.replace_time_zone("UTC")
        else:
            value = col
        typed.append(value.alias(f.name))
        if f.type == "reference":
            typed.append(pl.col(f.name + DISPLAY_SUFFIX))
        if f.type in ("int", "bool", "datetime"):
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
