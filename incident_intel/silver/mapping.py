"""The canonical incident schema and each source's mapping onto it (`config/schema_mapping.yaml`).

Mapping happens in two stages so that nothing is lost:
1. `extract.extract_strings` renames source fields to canonical names and translates known
   choice values, keeping everything as raw strings. It never fails.
2. `cast.cast_canonical` types the strings and explains, per row, why a row cannot be typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl
import yaml

from incident_intel.settings import DEFAULT_MAPPING_PATH

DISPLAY_SUFFIX = "_display"
TYPES = {"string", "int", "bool", "datetime", "reference"}


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
    # The clock the source writes its timestamps on; silver holds UTC.
    timezone: str = "UTC"

    def parse_timestamps(self, column: pl.Expr) -> pl.Expr:
        """The source's timestamp strings as UTC datetimes; null where one does not parse."""
        return (
            column.str.strptime(pl.Datetime("us"), self.timestamp_format, strict=False)
            .dt.replace_time_zone(self.timezone, ambiguous="earliest", non_existent="null")
            .dt.convert_time_zone("UTC")
        )

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
    timezone = spec.get("timezone", "UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"source {name!r}: timezone {timezone!r} is not an IANA time zone such as UTC "
            "or Europe/Lisbon"
        ) from None
    return SourceMapping(
        name=name,
        timestamp_format=spec["timestamp_format"],
        null_values=tuple(spec.get("null_values", [""])),
        rules=tuple(rules),
        canonical=canonical,
        timezone=timezone,
    )


@lru_cache(maxsize=4)
def load_schema_mapping(path: str | Path = DEFAULT_MAPPING_PATH) -> SchemaMapping:
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    canonical = _parse_canonical(raw["canonical"])
    sources = {n: _parse_source(n, s, canonical) for n, s in raw["sources"].items()}
    return SchemaMapping(canonical=canonical, sources=sources)
