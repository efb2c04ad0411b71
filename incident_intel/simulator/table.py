"""The Table API's read semantics, without HTTP: a table and request parameters -> matching rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from incident_intel.simulator.canonical import Version, parse_timestamp
from incident_intel.simulator.keyrange import select_key_ranges
from incident_intel.simulator.query import (
    EncodedQuery,
    QueryError,
    order,
    parse_query,
    predicate,
    time_range,
)
from incident_intel.simulator.render import DISPLAY_MODES, ApiField
from incident_intel.simulator.store import IncidentStore
from incident_intel.simulator.tables import Table

# Later than any served row; the store caps windows at its clock anyway.
END_OF_TIME = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class TableRequest:
    query: EncodedQuery
    limit: int
    offset: int
    fields: list[ApiField]
    display: str
    exclude_reference_link: bool


@dataclass(frozen=True)
class Selection:
    rows: list[Version]  # every matching row, in the query's order
    window_end: str | None  # the exclusive bound on the time field that the query implies


def _integer(params: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise QueryError(f"{name} must be an integer, got '{raw}'") from None
    if value < minimum:
        raise QueryError(f"{name} must be at least {minimum}, got {value}")
    return value


def _choice(params: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str:
    value = (params.get(name) or allowed[0]).lower()
    if value not in allowed:
        raise QueryError(f"{name} must be one of {', '.join(allowed)}, got '{value}'")
    return value


def parse_request(
    params: Mapping[str, str], fields: dict[str, ApiField], max_page_size: int
) -> TableRequest:
    """Read the sysparm_* parameters; raises QueryError for values ServiceNow would refuse."""
    wanted = [f.strip() for f in (params.get("sysparm_fields") or "").split(",") if f.strip()]
    # Like ServiceNow, unknown names in sysparm_fields are ignored rather than refused.
    selected = [fields[f] for f in wanted if f in fields] if wanted else list(fields.values())
    return TableRequest(
        query=parse_query(params.get("sysparm_query") or "", fields),
        limit=min(_integer(params, "sysparm_limit", max_page_size, 1), max_page_size),
        offset=_integer(params, "sysparm_offset", 0, 0),
        fields=selected,
        display=_choice(params, "sysparm_display_value", DISPLAY_MODES),
        exclude_reference_link=_choice(params, "sysparm_exclude_reference_link", ("false", "true"))
        == "true",
    )


def select(store: IncidentStore, table: Table, request: TableRequest) -> Selection:
    """Every row of the table matching the query, fetching only the time range needed."""
    low, high = time_range(request.query, table.time_field)
    start = parse_timestamp(low) if low else store.earliest()
    end = parse_timestamp(high) if high else END_OF_TIME
    candidates = table.rows_between(store, start, end)
    rows = select_key_ranges(candidates, request.query, table.time_field, table.fields)
    if rows is None:
        matches = predicate(request.query, table.fields)
        rows = order(
            [r for r in candidates if matches(r)], request.query, table.fields, table.time_field
        )
    return Selection(rows, high)
