"""The canonical incident schema and each source's mapping onto it (`config/schema_mapping.yaml`).

Mapping happens in two stages so that nothing is lost:
1. `extract.extract_strings` renames source fields to canonical names and translates known
   choice values, keeping everything as raw strings. It never fails.
2. `cast.cast_canonical` types the strings and explains, per row, why a row cannot be typed.

Beyond the canonical schema, a source may declare `extra_fields`: fields of its own that flow to
silver, gold and the models as columns `x_<name>`, each categorical, numeric or text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl
import yaml

from incident_intel.settings import DEFAULT_MAPPING_PATH

DISPLAY_SUFFIX = "_display"
TYPES = {"string", "int", "float", "bool", "datetime", "reference"}
# Extra fields become silver and gold columns named EXTRA_PREFIX + name, apart from the canonical.
EXTRA_PREFIX = "x_"
# Each kind of extra field and the silver type that holds it.
EXTRA_KINDS = {"categorical": "string", "numeric": "float", "text": "string"}
EXTRA_KEYS = {"kind", "field", "reference", "choices", "pattern", "immutable"}
# Lower case, so that DuckDB, which folds identifiers, sees one column per name.
SAFE_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class CanonicalField:
    name: str
    type: str
    required: bool = False
    allowed: tuple[Any, ...] | None = None


@dataclass(frozen=True)
class ExtraField:
    """A field beyond the canonical schema that a source declares under `extra_fields`."""

    name: str
    kind: str
    reference: bool = False
    # Set when the incident is created and never changed, and absent from the audit trail
    # (ServiceNow audits no sys_ field): read from any record of the incident.
    immutable: bool = False

    @property
    def column(self) -> str:
        return EXTRA_PREFIX + self.name

    @property
    def columns(self) -> list[str]:
        """Its silver columns: the value, and the display name of a reference."""
        return [self.column, self.column + DISPLAY_SUFFIX] if self.reference else [self.column]

    def as_field(self) -> CanonicalField:
        return CanonicalField(
            name=self.column, type="reference" if self.reference else EXTRA_KINDS[self.kind]
        )


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
    extras: tuple[ExtraField, ...] = ()

    @property
    def fields(self) -> tuple[CanonicalField, ...]:
        """The fields silver types for this source: the canonical ones, then its extras."""
        return self.canonical + tuple(x.as_field() for x in self.extras)

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

    @property
    def extras(self) -> dict[str, ExtraField]:
        """Every source's extra fields by column: one column means one field in all sources."""
        return {x.column: x for s in self.sources.values() for x in s.extras}

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
        "float": pl.Float64(),
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


def _rule(canonical: str, props: dict[str, Any], default_field: str) -> FieldRule:
    choices = props.get("choices")
    return FieldRule(
        canonical=canonical,
        source_field=props.get("field", default_field),
        reference=props.get("reference", False),
        choices={str(k): str(v) for k, v in choices.items()} if choices else None,
        pattern=props.get("pattern"),
        derive=props.get("derive"),
    )


def _parse_extra(source: str, name: str, props: Any) -> tuple[ExtraField, FieldRule]:
    where = f"source {source!r}, extra field {name!r}"
    if not isinstance(props, dict):
        raise ValueError(f"{where}: expected a mapping such as {{kind: categorical}}")
    if not isinstance(name, str) or not SAFE_NAME.fullmatch(name):
        raise ValueError(
            f"{where}: a name must be lower-case letters, digits and _, starting with a letter "
            "(use `field:` to read a source field named otherwise)"
        )
    unknown = set(props) - EXTRA_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}; known: {sorted(EXTRA_KEYS)}")
    kind = props.get("kind")
    if kind not in EXTRA_KINDS:
        raise ValueError(f"{where}: kind must be one of {', '.join(EXTRA_KINDS)}, not {kind!r}")
    reference = props.get("reference", False)
    if reference not in (False, True, "display"):
        raise ValueError(f"{where}: reference must be true or display, not {reference!r}")
    if reference and kind != "categorical":
        raise ValueError(f"{where}: only a categorical field can be a reference")
    extra = ExtraField(
        name=name,
        kind=kind,
        reference=bool(reference),
        immutable=bool(props.get("immutable", False)),
    )
    return extra, _rule(extra.column, props, name)


def _parse_extras(
    name: str, spec: Any, canonical: tuple[CanonicalField, ...], rules: list[FieldRule]
) -> tuple[tuple[ExtraField, ...], list[FieldRule]]:
    if not isinstance(spec, dict):
        raise ValueError(f"source {name!r}: extra_fields must map names to {{kind: ...}}")
    names = {f.name for f in canonical}
    used = {r.source_field: r.canonical for r in rules if r.derive is None}
    extras, extra_rules = [], []
    for extra_name, props in spec.items():
        extra, rule = _parse_extra(name, extra_name, props)
        if extra_name in names:
            raise ValueError(
                f"source {name!r}: extra field {extra_name!r} is a canonical field; "
                "map it under `fields:` instead"
            )
        if rule.source_field in used:
            raise ValueError(
                f"source {name!r}: extra field {extra_name!r} reads {rule.source_field!r}, "
                f"which already fills {used[rule.source_field]!r}"
            )
        used[rule.source_field] = extra.column
        extras.append(extra)
        extra_rules.append(rule)
    columns = [c for x in extras for c in x.columns]
    clashing = sorted({c for c in columns if columns.count(c) > 1})
    if clashing:
        raise ValueError(f"source {name!r}: extra fields give the column(s) {clashing} twice")
    return tuple(extras), extra_rules


def _check_consistent(sources: dict[str, SourceMapping]) -> None:
    """An extra field is one silver column: every source declaring it must agree on what it is."""
    seen: dict[str, tuple[str, ExtraField]] = {}
    for source in sources.values():
        for extra in source.extras:
            first = seen.setdefault(extra.name, (source.name, extra))
            if first[1] != extra:
                raise ValueError(
                    f"extra field {extra.name!r} differs between sources {first[0]!r} and "
                    f"{source.name!r} (kind, reference or immutable): it is one column in silver"
                )


def _parse_source(
    name: str, spec: dict[str, Any], canonical: tuple[CanonicalField, ...]
) -> SourceMapping:
    declared = spec.get("fields") or {}
    unknown = set(declared) - {f.name for f in canonical}
    if unknown:
        raise ValueError(f"mapping {name!r} maps unknown canonical fields {sorted(unknown)}")
    rules = [_rule(f.name, declared.get(f.name) or {}, f.name) for f in canonical]
    extras, extra_rules = _parse_extras(name, spec.get("extra_fields") or {}, canonical, rules)
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
        rules=tuple(rules + extra_rules),
        canonical=canonical,
        timezone=timezone,
        extras=extras,
    )


@lru_cache(maxsize=4)
def load_schema_mapping(path: str | Path = DEFAULT_MAPPING_PATH) -> SchemaMapping:
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    canonical = _parse_canonical(raw["canonical"])
    sources = {n: _parse_source(n, s, canonical) for n, s in raw["sources"].items()}
    _check_consistent(sources)
    return SchemaMapping(canonical=canonical, sources=sources)
